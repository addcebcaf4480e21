import { LabInputError, type Rng } from '@lab/core';

/**
 * One Gamma(shape, 1) draw by Marsaglia & Tsang's squeeze method; for `shape < 1` it draws
 * Gamma(shape + 1) and scales by `U^(1/shape)` (their boosting trick). Internal helper of
 * {@link sampleDirichlet}.
 *
 * @see Marsaglia & Tsang, "A Simple Method for Generating Gamma Variables", ACM TOMS 26(3), 2000.
 */
export function sampleGamma(rng: Rng, shape: number): number {
  if (!(shape > 0) || !Number.isFinite(shape)) {
    throw new LabInputError('sampleGamma', 'shape', 'must be a finite number > 0', shape);
  }
  if (shape < 1) {
    const u = 1 - rng.next(); // (0, 1]
    return sampleGamma(rng, shape + 1) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next(); // (0, 1], so log(u) is finite
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * A draw from the symmetric Dirichlet distribution Dir(alpha, ..., alpha) over `k` categories,
 * as normalised Gamma(alpha) draws ({@link sampleGamma}). When every gamma draw underflows to 0
 * (tiny alpha), one category drawn uniformly gets all the mass, the limit of Dir(alpha) as
 * alpha -> 0. Internal helper of `partitionGraph`.
 *
 * @param rng - generator (advanced).
 * @param k - number of categories (>= 1).
 * @param alpha - concentration (> 0).
 * @returns `k` non-negative shares summing to 1.
 */
export function sampleDirichlet(rng: Rng, k: number, alpha: number): Float64Array {
  if (!Number.isInteger(k) || k < 1)
    throw new LabInputError('sampleDirichlet', 'k', 'must be an integer >= 1', k);
  const out = new Float64Array(k);
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const g = sampleGamma(rng, alpha);
    out[i] = g;
    sum += g;
  }
  if (!(sum > 0)) {
    out.fill(0);
    out[rng.int(k)] = 1;
    return out;
  }
  for (let i = 0; i < k; i++) out[i] = (out[i] as number) / sum;
  return out;
}
