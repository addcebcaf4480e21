import { checkInteger, LabInputError } from '../errors.js';
import { readOptions } from '../validation/readOptions.js';

/** A fitted {@link fitLogisticRegression} model. */
export interface LogisticModel {
  /** Coefficients on the standardised columns, then the intercept (length `dim + 1`). */
  weights: number[];
  /** Column means and standard deviations used to standardise. */
  mean: Float64Array;
  sd: Float64Array;
  /** Newton iterations taken. */
  iterations: number;
  /** Predicted probability per row of a row-major `rows x dim` matrix. */
  score: (x: Float64Array) => Float64Array;
}

/** Options of {@link fitLogisticRegression}. */
export interface FitLogisticRegressionOptions {
  /** Rows to fit on (1 = use); all rows by default. */
  keep?: Uint8Array;
  /** L2 penalty on the coefficients (not the intercept), on the mean loss (default 1e-3). */
  lambda?: number;
  /** Weight the classes to equal total weight (default true): a few positives are not drowned. */
  balanced?: boolean;
  /** Newton steps at most (default 50); stops when the largest step is below 1e-9. */
  maxIterations?: number;
}

/** Solves the symmetric positive-definite system `h z = g` by Cholesky factorisation; returns z. */
function solveSpd(h: Float64Array, g: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = h[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / l[j * n + j];
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = g[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * z[k];
    z[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * z[k];
    z[i] = s / l[i * n + i];
  }
  return z;
}

/**
 * L2-regularised (optionally class-balanced) logistic regression on standardised columns, fitted
 * by Newton's method (IRLS): the minimiser of
 * `(1/W) sum_e w_e [log(1 + exp(z_e)) - y_e z_e] + (lambda/2) |beta|^2`, `z_e = beta . x_e + b`.
 * Deterministic (no random numbers). Used by `@lab/graph-defense`'s EDoG calibration.
 *
 * @param x - row-major `rows x dim` matrix, finite.
 * @param dim - number of columns.
 * @param y - 0/1 label per row.
 * @param options - rows to use, penalty, class balancing, iteration cap.
 * @returns the coefficients and a scoring function.
 * @throws LabInputError for mismatched sizes, non-finite values or bad options.
 * @see Hastie, Tibshirani & Friedman, "The Elements of Statistical Learning", 2nd ed., section 4.4 (IRLS).
 */
export function fitLogisticRegression(
  x: Float64Array,
  dim: number,
  y: Uint8Array,
  options: FitLogisticRegressionOptions = {},
): LogisticModel {
  const fn = 'fitLogisticRegression';
  checkInteger(fn, 'dim', dim, 1);
  if (!(y instanceof Uint8Array)) throw new LabInputError(fn, 'y', 'must be a Uint8Array of 0/1 labels', y);
  if (!(x instanceof Float64Array) || x.length !== y.length * dim) {
    throw new LabInputError(
      fn,
      'x',
      `must be a Float64Array of y.length * dim = ${y.length * dim} entries`,
      x,
    );
  }
  for (let p = 0; p < x.length; p++)
    if (!Number.isFinite(x[p])) throw new LabInputError(fn, `x[${p}]`, 'must be finite', x[p]);
  const o = readOptions(fn, options, ['keep', 'lambda', 'balanced', 'maxIterations']);
  const m = y.length;
  const keep = options?.keep;
  if (keep !== undefined && (!(keep instanceof Uint8Array) || keep.length !== m)) {
    throw new LabInputError(fn, 'options.keep', `must be a Uint8Array of ${m} entries`, keep);
  }
  const lambda = o.number('lambda', 1e-3, { min: 0 });
  const maxIt = o.integer('maxIterations', 50, { min: 1 });
  const balancedOpt = o.boolean('balanced', true);
  const mean = new Float64Array(dim);
  const sd = new Float64Array(dim);
  let rows = 0;
  let pos = 0;
  for (let e = 0; e < m; e++) {
    if (keep && !keep[e]) continue;
    rows++;
    pos += y[e];
    for (let f = 0; f < dim; f++) mean[f] += x[e * dim + f];
  }
  for (let f = 0; f < dim; f++) mean[f] /= Math.max(rows, 1);
  for (let e = 0; e < m; e++) {
    if (keep && !keep[e]) continue;
    for (let f = 0; f < dim; f++) sd[f] += (x[e * dim + f] - mean[f]) ** 2;
  }
  for (let f = 0; f < dim; f++) sd[f] = Math.sqrt(sd[f] / Math.max(rows, 1)) || 1;
  const balanced = balancedOpt;
  const wPos = balanced ? rows / (2 * Math.max(pos, 1)) : 1;
  const wNeg = balanced ? rows / (2 * Math.max(rows - pos, 1)) : 1;
  const n = dim + 1;
  const beta = new Float64Array(n);
  const xs = new Float64Array(n);
  const g = new Float64Array(n);
  const h = new Float64Array(n * n);
  let it = 0;
  for (; it < maxIt; it++) {
    g.fill(0);
    h.fill(0);
    for (let e = 0; e < m; e++) {
      if (keep && !keep[e]) continue;
      for (let f = 0; f < dim; f++) xs[f] = (x[e * dim + f] - mean[f]) / sd[f];
      xs[dim] = 1;
      let z = 0;
      for (let f = 0; f < n; f++) z += beta[f] * xs[f];
      const p = 1 / (1 + Math.exp(-z));
      const w = y[e] ? wPos : wNeg;
      const r = w * (p - y[e]);
      const c = w * p * (1 - p);
      for (let i = 0; i < n; i++) {
        g[i] += r * xs[i];
        const ci = c * xs[i];
        for (let j = 0; j <= i; j++) h[i * n + j] += ci * xs[j];
      }
    }
    for (let i = 0; i < n; i++) {
      g[i] /= rows;
      for (let j = 0; j <= i; j++) {
        h[i * n + j] /= rows;
        h[j * n + i] = h[i * n + j];
      }
      if (i < dim) {
        g[i] += lambda * beta[i];
        h[i * n + i] += lambda;
      } else h[i * n + i] += 1e-9;
    }
    const step = solveSpd(h, g, n);
    let largest = 0;
    for (let i = 0; i < n; i++) {
      beta[i] -= step[i];
      largest = Math.max(largest, Math.abs(step[i]));
    }
    if (largest < 1e-9) {
      it++;
      break;
    }
  }
  const score = (x2: Float64Array): Float64Array => {
    const rows2 = x2.length / dim;
    const out = new Float64Array(rows2);
    for (let e = 0; e < rows2; e++) {
      let z = beta[dim];
      for (let f = 0; f < dim; f++) z += beta[f] * ((x2[e * dim + f] - mean[f]) / sd[f]);
      out[e] = 1 / (1 + Math.exp(-z));
    }
    return out;
  };
  return { weights: Array.from(beta), mean, sd, iterations: it, score };
}
