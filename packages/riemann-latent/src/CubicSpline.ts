import { LabInputError, readOptions } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

/** Options of the {@link CubicSpline} constructor. */
export interface CubicSplineOptions {
  /** Start point c(0) (length q). */
  begin: ArrayLike<number>;
  /** End point c(1) (length q). */
  end: ArrayLike<number>;
  /** Number of cubic pieces K on [0, 1] (default 8). */
  segments?: number;
  /**
   * Free parameters, `(K + 1) * q` numbers (row-major `[K + 1, q]`): coordinates of the deviation
   * from the straight line in an orthonormal basis of the constraint null space. Default: zeros
   * (the straight line).
   */
  coefficients?: ArrayLike<number>;
}

const nullBasisCache = new Map<number, Float64Array>();

/**
 * Orthonormal basis (4K x (K+1), row-major) of the piecewise cubics s on [0, 1] with K equal pieces,
 * s_k(u) = sum_j a_kj u^j, u = K t - k in [0, 1], satisfying s(0) = s(1) = 0 and C0, C1, C2
 * continuity at the K - 1 interior knots (2 + 3(K-1) independent constraints on 4K coefficients):
 * the last columns of the Householder Q of the constraint matrix's transpose.
 */
function nullBasis(K: number): Float64Array {
  const cached = nullBasisCache.get(K);
  if (cached) return cached;
  const n = 4 * K;
  const nc = 2 + 3 * (K - 1);
  // M = C^T, column-major by constraint: M[c][i].
  const M: Float64Array[] = [];
  const row = () => new Float64Array(n);
  let c = row();
  c[0] = 1; // s_0(0) = 0
  M.push(c);
  c = row();
  for (let j = 0; j < 4; j++) c[4 * (K - 1) + j] = 1; // s_{K-1}(1) = 0
  M.push(c);
  for (let k = 1; k < K; k++) {
    const p = 4 * (k - 1);
    const q = 4 * k;
    c = row(); // value
    for (let j = 0; j < 4; j++) c[p + j] = 1;
    c[q] = -1;
    M.push(c);
    c = row(); // first derivative (same 1/K chain factor on both sides)
    for (let j = 1; j < 4; j++) c[p + j] = j;
    c[q + 1] = -1;
    M.push(c);
    c = row(); // second derivative / 2
    c[p + 2] = 1;
    c[p + 3] = 3;
    c[q + 2] = -1;
    M.push(c);
  }
  // Householder QR of the n x nc matrix with columns M[j].
  const vs: Float64Array[] = [];
  for (let j = 0; j < nc; j++) {
    const x = M[j]!;
    let norm = 0;
    for (let i = j; i < n; i++) norm += x[i]! ** 2;
    norm = Math.sqrt(norm);
    const v = new Float64Array(n);
    const alpha = x[j]! >= 0 ? -norm : norm;
    for (let i = j; i < n; i++) v[i] = x[i]!;
    v[j]! -= alpha;
    let vn = 0;
    for (let i = j; i < n; i++) vn += v[i]! ** 2;
    vn = Math.sqrt(vn);
    if (vn > 0) for (let i = j; i < n; i++) v[i]! /= vn;
    vs.push(v);
    for (let l = j; l < nc; l++) {
      const y = M[l]!;
      let d = 0;
      for (let i = j; i < n; i++) d += v[i]! * y[i]!;
      for (let i = j; i < n; i++) y[i]! -= 2 * d * v[i]!;
    }
  }
  const out = new Float64Array(n * (K + 1));
  for (let col = 0; col < K + 1; col++) {
    const e = new Float64Array(n);
    e[nc + col] = 1;
    for (let j = nc - 1; j >= 0; j--) {
      const v = vs[j]!;
      let d = 0;
      for (let i = j; i < n; i++) d += v[i]! * e[i]!;
      for (let i = j; i < n; i++) e[i]! -= 2 * d * v[i]!;
    }
    for (let i = 0; i < n; i++) out[i * (K + 1) + col] = e[i]!;
  }
  nullBasisCache.set(K, out);
  return out;
}

/**
 * A curve c: [0, 1] -> R^q with fixed end points: the straight line from `begin` to `end` plus a
 * C2 piecewise cubic with K equal pieces vanishing at both ends, parametrised by `(K+1) * q` free
 * coefficients in an orthonormal basis of the constraint null space (the construction of stochman's
 * `CubicSpline`, written from its description). Immutable: {@link CubicSpline.withCoefficients}
 * returns a new spline. Evaluation in float64 JS, or as tfjs tensors differentiable in the
 * coefficients ({@link CubicSpline.tensors}) for curve-energy minimisation.
 *
 * @see Pouplin et al., TMLR 2023 (arXiv 2212.10010); Detlefsen, Hauberg, Boomsma, "StochMan", github.com/MachineLearningLifeScience/stochman (curves.py)
 */
export class CubicSpline {
  /** c(0). */
  readonly begin: readonly number[];
  /** c(1). */
  readonly end: readonly number[];
  /** Number of pieces K. */
  readonly segments: number;
  /** Latent dimension q. */
  readonly dim: number;
  /** Free coefficients, row-major `[K + 1, q]` (a copy; do not mutate). */
  readonly coefficients: Float64Array;

  constructor(options: CubicSplineOptions) {
    const fn = 'CubicSpline';
    readOptions(fn, options, ['begin', 'end', 'segments', 'coefficients']);
    const begin = toPoint(fn, 'options.begin', options.begin);
    const end = toPoint(fn, 'options.end', options.end);
    if (begin.length !== end.length) {
      throw new LabInputError(
        fn,
        'options.end',
        `must have the length of begin (${begin.length}) (dimension mismatch)`,
        options.end,
      );
    }
    const K = options.segments ?? 8;
    if (!Number.isInteger(K) || K < 1 || K > 1000)
      throw new LabInputError(fn, 'options.segments', 'must be an integer in [1, 1000]', K);
    const q = begin.length;
    const coefficients = new Float64Array((K + 1) * q);
    if (options.coefficients !== undefined) {
      const c = options.coefficients;
      if (c === null || typeof (c as ArrayLike<number>).length !== 'number' || c.length !== (K + 1) * q) {
        throw new LabInputError(
          fn,
          'options.coefficients',
          `must hold (segments + 1) * q = ${(K + 1) * q} numbers`,
          c,
        );
      }
      for (let i = 0; i < c.length; i++) {
        if (!Number.isFinite(c[i]!)) throw new LabInputError(fn, 'options.coefficients', 'must be finite', c);
        coefficients[i] = c[i]!;
      }
    }
    this.begin = Object.freeze(begin);
    this.end = Object.freeze(end);
    this.segments = K;
    this.dim = q;
    this.coefficients = coefficients;
  }

  /** The straight line from `begin` to `end` (all coefficients zero). */
  static line(begin: ArrayLike<number>, end: ArrayLike<number>, segments = 8): CubicSpline {
    return new CubicSpline({ begin, end, segments });
  }

  /**
   * Least-squares fit of a spline with these end points to `points` (`[m][q]`) at parameters `t`
   * (default: proportional to Euclidean arc length along the points), with a 1e-9 ridge.
   */
  static fit(
    begin: ArrayLike<number>,
    end: ArrayLike<number>,
    points: readonly (readonly number[])[],
    options: { segments?: number; t?: readonly number[] } = {},
  ): CubicSpline {
    const fn = 'CubicSpline.fit';
    const base = new CubicSpline({ begin, end, segments: options.segments });
    const q = base.dim;
    if (!Array.isArray(points) || points.length < 2)
      throw new LabInputError(fn, 'points', 'must be an array of >= 2 points', points);
    const P = points.map((p, i) => toPoint(fn, `points[${i}]`, p, q));
    let t: number[];
    if (options.t !== undefined) {
      if (options.t.length !== P.length)
        throw new LabInputError(
          fn,
          'options.t',
          `must have one parameter per point (${P.length})`,
          options.t,
        );
      t = options.t.map((x) => {
        if (!(x >= 0 && x <= 1)) throw new LabInputError(fn, 'options.t', 'must lie in [0, 1]', options.t);
        return x;
      });
    } else {
      const cum = [0];
      for (let i = 1; i < P.length; i++)
        cum.push(cum[i - 1]! + Math.hypot(...P[i]!.map((x, a) => x - P[i - 1]![a]!)));
      const total = cum[cum.length - 1]!;
      t = cum.map((c, i) => (total > 0 ? c / total : i / (P.length - 1)));
    }
    const K1 = base.segments + 1;
    const B = base.basisMatrix(t, 0);
    const m = t.length;
    // normal equations (B^T B + ridge I) X = B^T R, R = P - line(t)
    const BtB = new Float64Array(K1 * K1);
    const BtR = new Float64Array(K1 * q);
    for (let i = 0; i < m; i++) {
      for (let a = 0; a < K1; a++) {
        const ba = B[i * K1 + a]!;
        for (let b = 0; b < K1; b++) BtB[a * K1 + b]! += ba * B[i * K1 + b]!;
        for (let d = 0; d < q; d++) {
          const r = P[i]![d]! - ((1 - t[i]!) * base.begin[d]! + t[i]! * base.end[d]!);
          BtR[a * q + d]! += ba * r;
        }
      }
    }
    for (let a = 0; a < K1; a++) BtB[a * K1 + a]! += 1e-9;
    const X = solveSpd(BtB, BtR, K1, q);
    return base.withCoefficients(X);
  }

  /** A spline with the same ends and pieces and new coefficients (`(K+1) * q` numbers). */
  withCoefficients(coefficients: ArrayLike<number>): CubicSpline {
    return new CubicSpline({ begin: this.begin, end: this.end, segments: this.segments, coefficients });
  }

  /**
   * Basis matrix `[t.length, K + 1]` (row-major): row i holds the values (order 0) or t-derivatives
   * (order 1, 2) at t_i of the K + 1 null-space basis functions.
   */
  basisMatrix(t: readonly number[], order: 0 | 1 | 2 = 0): Float64Array {
    const K = this.segments;
    const N = nullBasis(K);
    const out = new Float64Array(t.length * (K + 1));
    for (let i = 0; i < t.length; i++) {
      const ti = t[i]!;
      if (!(ti >= 0 && ti <= 1))
        throw new LabInputError('CubicSpline.basisMatrix', 't', 'must lie in [0, 1]', ti);
      const k = Math.min(K - 1, Math.floor(ti * K));
      const u = ti * K - k;
      const w =
        order === 0
          ? [1, u, u * u, u * u * u]
          : order === 1
            ? [0, K, 2 * u * K, 3 * u * u * K]
            : [0, 0, 2 * K * K, 6 * u * K * K];
      for (let col = 0; col <= K; col++) {
        let s = 0;
        for (let j = 0; j < 4; j++) s += w[j]! * N[(4 * k + j) * (K + 1) + col]!;
        out[i * (K + 1) + col] = s;
      }
    }
    return out;
  }

  /** c(t) at each t in [0, 1], float64. */
  evaluate(t: readonly number[]): number[][] {
    return this.apply(t, 0);
  }

  /** dc/dt at each t in [0, 1], float64. */
  derivative(t: readonly number[]): number[][] {
    return this.apply(t, 1);
  }

  /** d^2c/dt^2 at each t in [0, 1], float64. */
  secondDerivative(t: readonly number[]): number[][] {
    return this.apply(t, 2);
  }

  private apply(t: readonly number[], order: 0 | 1 | 2): number[][] {
    const B = this.basisMatrix(t, order);
    const K1 = this.segments + 1;
    const q = this.dim;
    return t.map((ti, i) => {
      const p = new Array<number>(q);
      for (let d = 0; d < q; d++) {
        let s =
          order === 0
            ? (1 - ti) * this.begin[d]! + ti * this.end[d]!
            : order === 1
              ? this.end[d]! - this.begin[d]!
              : 0;
        for (let a = 0; a < K1; a++) s += B[i * K1 + a]! * this.coefficients[a * q + d]!;
        p[d] = s;
      }
      return p;
    });
  }

  /**
   * Points c(t) and velocities c'(t) (`[m, q]` float32 tensors) for coefficients given as a tensor
   * `[K + 1, q]` (e.g. a tf.Variable being optimised; default: this spline's), differentiable in
   * the coefficients. Caller disposes.
   */
  tensors(
    t: readonly number[],
    coefficients?: tf.Tensor2D,
  ): { points: tf.Tensor2D; velocities: tf.Tensor2D } {
    const K1 = this.segments + 1;
    const q = this.dim;
    if (coefficients !== undefined && !tf.util.arraysEqual(coefficients.shape, [K1, q])) {
      throw new LabInputError(
        'CubicSpline.tensors',
        'coefficients',
        `must have shape [${K1}, ${q}]`,
        coefficients,
      );
    }
    const B0 = this.basisMatrix(t, 0);
    const B1 = this.basisMatrix(t, 1);
    return tf.tidy(() => {
      const c = coefficients ?? tf.tensor2d(Float32Array.from(this.coefficients), [K1, q]);
      const m = t.length;
      const tt = tf.tensor2d(Float32Array.from(t), [m, 1]);
      const a = tf.tensor2d([...this.begin], [1, q]);
      const b = tf.tensor2d([...this.end], [1, q]);
      const line = tf.add(tf.mul(tf.sub(1, tt), a), tf.mul(tt, b));
      const points = tf.add(line, tf.matMul(tf.tensor2d(Float32Array.from(B0), [m, K1]), c)) as tf.Tensor2D;
      const velocities = tf.add(
        tf.sub(b, a),
        tf.matMul(tf.tensor2d(Float32Array.from(B1), [m, K1]), c),
      ) as tf.Tensor2D;
      return { points, velocities };
    });
  }
}

function toPoint(fn: string, arg: string, p: unknown, q?: number): number[] {
  if (
    p === null ||
    (typeof p !== 'object' && !Array.isArray(p)) ||
    typeof (p as ArrayLike<number>).length !== 'number'
  ) {
    throw new LabInputError(fn, arg, 'must be an array of numbers', p);
  }
  const a = Array.from(p as ArrayLike<number>);
  if (a.length === 0 || (q !== undefined && a.length !== q)) {
    throw new LabInputError(fn, arg, `must have length ${q ?? '>= 1'} (dimension mismatch)`, p);
  }
  for (const x of a)
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new LabInputError(fn, arg, 'must hold finite numbers', p);
  return a;
}

/** Solves A X = B for SPD A (n x n) and B (n x r), float64 Cholesky. */
function solveSpd(A: Float64Array, B: Float64Array, n: number, r: number): Float64Array {
  const L = Float64Array.from(A);
  for (let j = 0; j < n; j++) {
    let d = L[j * n + j]!;
    for (let k = 0; k < j; k++) d -= L[j * n + k]! ** 2;
    const l = Math.sqrt(Math.max(d, 1e-300));
    L[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = L[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = s / l;
    }
  }
  const X = Float64Array.from(B);
  for (let c = 0; c < r; c++) {
    for (let i = 0; i < n; i++) {
      let s = X[i * r + c]!;
      for (let k = 0; k < i; k++) s -= L[i * n + k]! * X[k * r + c]!;
      X[i * r + c] = s / L[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = X[i * r + c]!;
      for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * X[k * r + c]!;
      X[i * r + c] = s / L[i * n + i]!;
    }
  }
  return X;
}
