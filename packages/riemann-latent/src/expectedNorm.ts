import { LabInputError } from '@lab/core';

/** Input of {@link expectedNorm}: x ~ N(mu, variance I_dim) with ||mu||^2 = meanSquaredNorm. */
export interface ExpectedNormOptions {
  /** Dimension D of x (integer >= 1). */
  dim: number;
  /** Per-coordinate variance s^2 >= 0 (isotropic). */
  variance: number;
  /** ||mu||^2 >= 0. */
  meanSquaredNorm: number;
}

/** Value and partial derivatives of E||x|| returned by {@link expectedNormDerivatives}. */
export interface ExpectedNormDerivatives {
  /** E||x||. */
  value: number;
  /** d E||x|| / d meanSquaredNorm (Infinity at meanSquaredNorm = variance = 0). */
  dMeanSquaredNorm: number;
  /** d E||x|| / d variance, at fixed meanSquaredNorm (Infinity at meanSquaredNorm = variance = 0). */
  dVariance: number;
}

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Gamma(x) for x > 0 (Lanczos, g = 7; ~1e-15 relative). */
function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const y = x - 1;
  let a = LANCZOS[0]!;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (y + i);
  return LN_SQRT_2PI + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * ln(Gamma(x + 1/2) / Gamma(x)) for x > 0 without the cancellation of two large lgammas: the
 * asymptotic series 1/2 ln x - 1/(8x) + 1/(192x^3) - 1/(640x^5) + 17/(14336x^7) for x >= 40
 * (truncation < 1e-15), lgamma differences below.
 */
function lnHalfRatio(x: number): number {
  if (x < 40) return lgamma(x + 0.5) - lgamma(x);
  const r = 1 / x;
  const r2 = r * r;
  return 0.5 * Math.log(x) - r / 8 + (r * r2) / 192 - (r * r2 * r2) / 640 + (17 * r * r2 * r2 * r2) / 14336;
}

/** (1 + t) log1p(t) - t, accurate for small |t| (series) and large t. */
function phi(t: number): number {
  if (Math.abs(t) < 0.1) {
    // sum_{n>=2} (-1)^n t^n / (n (n - 1))
    let term = t * t;
    let sum = 0;
    for (let n = 2; n < 40; n++) {
      const c = term / (n * (n - 1));
      sum += n % 2 === 0 ? c : -c;
      if (Math.abs(c) < 1e-18 * Math.abs(sum)) break;
      term *= t;
    }
    return sum;
  }
  return (1 + t) * Math.log1p(t) - t;
}

/**
 * ln Pois(k; h) up to a k-independent constant error (the sums below are self-normalised).
 * Small k: direct with lgamma. Large k: Stirling written around the mode, -h phi((k-h)/h) -
 * 1/2 ln(2 pi k) - 1/(12k) + 1/(360k^3), so the huge terms k ln h and lgamma(k+1) never cancel.
 */
function lnPoisson(k: number, h: number): number {
  if (k === 0) return -h;
  if (k < 30) return k * Math.log(h) - h - lgamma(k + 1);
  const ik = 1 / k;
  return -h * phi((k - h) / h) - 0.5 * Math.log(2 * Math.PI * k) - ik / 12 + (ik * ik * ik) / 360;
}

interface MixtureSums {
  /** E[c_{D+2K}], c_n = Gamma((n+1)/2)/Gamma(n/2). */
  chiMean: number;
  /** E[c_{D+2K} / (D+2K)]. */
  chiMeanOverN: number;
  /** E[1 / c_{D+2K-1}] = E[Gamma((n-1)/2)/Gamma(n/2)] (D >= 2 only). */
  inverseChi: number;
}

/**
 * Poisson(h) mixture sums over k in [h - 12 sqrt h, h + 12 sqrt h + 40], in log space. For
 * h >= 256 the sum runs on every Delta-th k, Delta = floor(sqrt(h)/8): the summand is an analytic
 * function of k, ~Gaussian of width sqrt(h), so the strided (trapezoid) sum equals the full sum up
 * to aliasing terms ~exp(-2 pi^2 h / Delta^2) < exp(-1200); the sums are normalised by the summed
 * weights, which removes the stride and any constant error of lnPoisson.
 */
function mixtureSums(dim: number, h: number, needInverse: boolean): MixtureSums {
  const sq = Math.sqrt(h);
  const kLo = Math.max(0, Math.floor(h - 12 * sq));
  const kHi = Math.ceil(h + 12 * sq + 40);
  const stride = h >= 256 ? Math.max(1, Math.floor(sq / 8)) : 1;
  // Reference log-weight (the mode) so exp never overflows.
  const ref = lnPoisson(Math.max(kLo, Math.min(kHi, Math.floor(h))), h);
  let w = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let k = kLo; k <= kHi; k += stride) {
    const lw = (h === 0 ? (k === 0 ? 0 : -Infinity) : lnPoisson(k, h)) - ref;
    if (lw < -745) continue;
    const p = Math.exp(lw);
    const n = dim + 2 * k;
    const c = Math.exp(lnHalfRatio(n / 2));
    w += p;
    s1 += p * c;
    s2 += (p * c) / n;
    if (needInverse) s3 += p * Math.exp(-lnHalfRatio((n - 1) / 2));
  }
  return { chiMean: s1 / w, chiMeanOverN: s2 / w, inverseChi: s3 / w };
}

function validate(fn: string, o: ExpectedNormOptions): void {
  if (o === null || typeof o !== 'object') throw new LabInputError(fn, 'options', 'must be an object', o);
  const { dim, variance, meanSquaredNorm } = o;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1) {
    throw new LabInputError(fn, 'options.dim', 'must be an integer >= 1', dim);
  }
  if (typeof variance !== 'number' || !Number.isFinite(variance) || variance < 0) {
    throw new LabInputError(fn, 'options.variance', 'must be a finite number >= 0', variance);
  }
  if (typeof meanSquaredNorm !== 'number' || !Number.isFinite(meanSquaredNorm) || meanSquaredNorm < 0) {
    throw new LabInputError(fn, 'options.meanSquaredNorm', 'must be a finite number >= 0', meanSquaredNorm);
  }
}

/** Beyond this h = ||mu||^2/(2 s^2) the noise is a first-order correction (relative error < D^2/h^2). */
const H_DETERMINISTIC = 1e13;

/** Unchecked core shared by the public functions and the tfjs op. */
export function expectedNormCore(
  dim: number,
  variance: number,
  m: number,
  derivatives: boolean,
): ExpectedNormDerivatives {
  if (variance === 0 || m / (2 * variance) > H_DETERMINISTIC) {
    const r = Math.sqrt(m);
    if (r === 0) return { value: 0, dMeanSquaredNorm: Infinity, dVariance: Infinity };
    // E||x|| = ||mu|| + (D-1) s^2 / (2||mu||) + O(s^4/||mu||^3).
    return {
      value: r + ((dim - 1) * variance) / (2 * r),
      dMeanSquaredNorm: 1 / (2 * r),
      dVariance: (dim - 1) / (2 * r),
    };
  }
  const h = m / (2 * variance);
  const s = Math.sqrt(2 * variance);
  const sums = mixtureSums(dim, h, derivatives && dim >= 2);
  const value = s * sums.chiMean;
  if (!derivatives) return { value, dMeanSquaredNorm: NaN, dVariance: NaN };
  // dF/dh = s E[c_{n+2} - c_n] = s E[c_n / n]; dh/dm = 1/(2 s^2).
  const dMeanSquaredNorm = sums.chiMeanOverN / s;
  // Heat equation: d/ds^2 E[phi(x)] = 1/2 E[Laplacian phi(x)], Laplacian ||x|| = (D-1)/||x||, and
  // E[1/||x||] = E_K[Gamma((n-1)/2)/Gamma(n/2)] / s: every term positive, no cancellation.
  // D = 1: Laplacian |x| = 2 delta(x), so dF/ds^2 = density of x at 0 = exp(-h) / sqrt(2 pi s^2).
  const dVariance =
    dim === 1 ? Math.exp(-h) / Math.sqrt(2 * Math.PI * variance) : ((dim - 1) / 2) * (sums.inverseChi / s);
  return { value, dMeanSquaredNorm, dVariance };
}

/**
 * E||x|| for x ~ N(mu, s^2 I_D) with ||mu||^2 = `meanSquaredNorm` and s^2 = `variance`: the core of
 * the Finsler metric F(z, v) = E||J v|| of a stochastic decoder (||J v|| is non-central Nakagami).
 *
 * Evaluated in float64 as a Poisson mixture of chi means,
 * `E||x|| = sqrt(2 s^2) sum_k Pois(k; h) Gamma((D+2k+1)/2) / Gamma((D+2k)/2)`, h = ||mu||^2/(2 s^2),
 * summed in log space over k in [h - 12 sqrt h, h + 12 sqrt h + 40] (strided for large h, see the
 * source), with a cancellation-free ratio of Gammas. Stable for D from 1 to 1e5 and more, any
 * ratio of mean to variance (no 1F1 overflow), variance 0 included (then E||x|| = ||mu||).
 *
 * @example
 * ```ts
 * expectedNorm({ dim: 3, variance: 1, meanSquaredNorm: 4 }); // 2.494231...
 * ```
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010), Prop. (Finsler metric closed form)
 */
export function expectedNorm(options: ExpectedNormOptions): number {
  validate('expectedNorm', options);
  return expectedNormCore(options.dim, options.variance, options.meanSquaredNorm, false).value;
}

/**
 * E||x|| (see {@link expectedNorm}) and its partial derivatives with respect to `meanSquaredNorm`
 * and `variance` (the other held fixed), for gradients of Finsler curve energies. Both derivatives
 * are sums of positive terms: dF/dm = E[c_n/n]/sqrt(2 s^2), and dF/ds^2 = (D-1)/2 E[1/||x||] from
 * the heat equation (D = 1: the density of x at 0). At m = s^2 = 0 they are +Infinity.
 *
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010)
 */
export function expectedNormDerivatives(options: ExpectedNormOptions): ExpectedNormDerivatives {
  validate('expectedNormDerivatives', options);
  return expectedNormCore(options.dim, options.variance, options.meanSquaredNorm, true);
}

/**
 * Upper bound of the relative gap between the Riemannian and the Finsler metric,
 * `(v^T G v - F^2) / (v^T G v) <= 1 / (D + w)`, w = ||E[J] v||^2 / (v^T Sigma v) (= meanSquaredNorm /
 * variance here). Returns the exact gap and the bound.
 *
 * @see Pouplin et al., TMLR 2023 (arXiv 2212.10010): the metrics converge at rate O(1/D).
 */
export function expectedNormGap(options: ExpectedNormOptions): { gap: number; bound: number } {
  validate('expectedNormGap', options);
  const { dim, variance, meanSquaredNorm } = options;
  const g = meanSquaredNorm + dim * variance;
  if (g === 0)
    throw new LabInputError('expectedNormGap', 'options', 'must have meanSquaredNorm + variance > 0', 0);
  const f = expectedNormCore(dim, variance, meanSquaredNorm, false).value;
  const w = variance === 0 ? Infinity : meanSquaredNorm / variance;
  return { gap: (g - f * f) / g, bound: 1 / (dim + w) };
}
