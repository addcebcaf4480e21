// Shared machinery of curveLength / curveEnergy / connectingGeodesic (not exported).
import { LabInputError, readOptions } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { CubicSpline } from './CubicSpline.js';
import { expectedNormOp } from './expectedNormTf.js';
import { checkedJacobian, directionalMoments } from './internal.js';
import type { JacobianMoments, StochasticDecoder } from './StochasticDecoder.js';

/** Which metric measures the curve. */
export type MetricKind = 'finsler' | 'riemannian';

/** Options shared by {@link curveLength} and {@link curveEnergy}. */
export interface CurveMeasureOptions {
  /** `finsler` (E||J c'||, default) or `riemannian` (sqrt(c'^T G c'), G = E[J^T J]). */
  metric?: MetricKind;
  /**
   * `quadrature` (splines only, default for them): Gauss-Legendre quadrature of the metric along the
   * spline. `discrete` (default for point lists): sums over the polyline's increments, see the
   * package README (`Riemannian: N sum (||d mu_i||^2 + D dvar_i)`, `Finsler: N sum (E||d f_i||)^2`).
   */
  method?: 'quadrature' | 'discrete';
  /** Gauss-Legendre nodes per spline piece, 1..5 (default 4: exact for a constant metric). */
  quadratureOrder?: number;
  /** Intervals N when a spline is measured with the discrete method (default 64). */
  intervals?: number;
  /**
   * Variance dvar_i of the increments f(z_{i+1}) - f(z_i) in the discrete method: `midpoint`
   * (default) dz_i^T Sigma(midpoint) dz_i, first order and free of cancellation; `exact`
   * var(z_i) + var(z_{i+1}) - 2 cov(z_i, z_{i+1}) from `decoder.predict` and the decoder's
   * `crossCovariance(a, b)` method (the GP decoder has one), as in the paper's GP-LVM energy.
   */
  incrementVariance?: 'midpoint' | 'exact';
}

/** A decoder that can give the posterior covariance between f(a_i) and f(b_i). */
interface CrossCovarianceDecoder {
  crossCovariance(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D;
}

const GAUSS: Record<number, [number[], number[]]> = {
  1: [[0], [2]],
  2: [
    [-1 / Math.sqrt(3), 1 / Math.sqrt(3)],
    [1, 1],
  ],
  3: [
    [-Math.sqrt(0.6), 0, Math.sqrt(0.6)],
    [5 / 9, 8 / 9, 5 / 9],
  ],
  4: [
    [-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526],
    [0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538],
  ],
  5: [
    [-0.906179845938664, -0.5384693101056831, 0, 0.5384693101056831, 0.906179845938664],
    [0.2369268850561891, 0.4786286704993665, 0.5688888888888889, 0.4786286704993665, 0.2369268850561891],
  ],
};

/** Composite Gauss-Legendre rule on [0, 1] with `segments` pieces of `order` nodes. */
export function quadratureRule(segments: number, order: number): { t: number[]; w: number[] } {
  const [x, w] = GAUSS[order]!;
  const t: number[] = [];
  const ws: number[] = [];
  for (let k = 0; k < segments; k++) {
    for (let i = 0; i < x.length; i++) {
      t.push((k + (x[i]! + 1) / 2) / segments);
      ws.push(w[i]! / 2 / segments);
    }
  }
  return { t, w: ws };
}

export interface ResolvedMeasure {
  metric: MetricKind;
  method: 'quadrature' | 'discrete';
  quadratureOrder: number;
  intervals: number;
  incrementVariance: 'midpoint' | 'exact';
}

export function resolveMeasureOptions(
  fn: string,
  options: CurveMeasureOptions,
  isSpline: boolean,
): ResolvedMeasure {
  readOptions(fn, options, ['metric', 'method', 'quadratureOrder', 'intervals', 'incrementVariance']);
  const metric = options.metric ?? 'finsler';
  if (metric !== 'finsler' && metric !== 'riemannian') {
    throw new LabInputError(fn, 'options.metric', "must be 'finsler' or 'riemannian'", metric);
  }
  const method = options.method ?? (isSpline ? 'quadrature' : 'discrete');
  if (method !== 'quadrature' && method !== 'discrete') {
    throw new LabInputError(fn, 'options.method', "must be 'quadrature' or 'discrete'", method);
  }
  if (method === 'quadrature' && !isSpline) {
    throw new LabInputError(
      fn,
      'options.method',
      "'quadrature' needs a CubicSpline (a point list is measured with 'discrete')",
      method,
    );
  }
  const quadratureOrder = options.quadratureOrder ?? 4;
  if (!Number.isInteger(quadratureOrder) || quadratureOrder < 1 || quadratureOrder > 5) {
    throw new LabInputError(fn, 'options.quadratureOrder', 'must be an integer in [1, 5]', quadratureOrder);
  }
  const intervals = options.intervals ?? 64;
  if (!Number.isInteger(intervals) || intervals < 1)
    throw new LabInputError(fn, 'options.intervals', 'must be an integer >= 1', intervals);
  const incrementVariance = options.incrementVariance ?? 'midpoint';
  if (incrementVariance !== 'midpoint' && incrementVariance !== 'exact') {
    throw new LabInputError(
      fn,
      'options.incrementVariance',
      "must be 'midpoint' or 'exact'",
      incrementVariance,
    );
  }
  return { metric, method, quadratureOrder, intervals, incrementVariance };
}

/** Throws unless the decoder supports `incrementVariance: 'exact'`. */
export function checkExactIncrements(fn: string, decoder: StochasticDecoder): void {
  if (typeof (decoder as unknown as Partial<CrossCovarianceDecoder>).crossCovariance !== 'function') {
    throw new LabInputError(
      fn,
      'options.incrementVariance',
      "is 'exact' but the decoder has no crossCovariance(a, b) method",
    );
  }
}

type JacFn = (z: tf.Tensor2D) => JacobianMoments;

/** Metric speed ||c'(t)|| (Finsler or Riemannian) from moments at c(t) and velocities c'(t). */
export function speedFromMoments(
  dim: number,
  metric: MetricKind,
  mom: JacobianMoments,
  v: tf.Tensor2D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const { meanSquaredNorm, variance } = directionalMoments(mom, v);
    if (metric === 'finsler') return expectedNormOp(dim)(variance, meanSquaredNorm) as tf.Tensor1D;
    // sqrt with a floor so the gradient at a zero velocity is finite.
    return tf.sqrt(tf.maximum(tf.add(meanSquaredNorm, tf.mul(variance, dim)), 1e-30)) as tf.Tensor1D;
  });
}

/**
 * Local lengths of the increments of a polyline `z` ([N+1, q]): d mu_i = mu(z_{i+1}) - mu(z_i) from
 * decoder.predict, dvar_i = dz_i^T Sigma(midpoint) dz_i (first-order variance of the increment: the
 * decoder interface exposes no cross-covariance). Finsler: E||d f_i|| = expectedNorm(D, dvar_i,
 * ||d mu_i||^2); Riemannian: sqrt(||d mu_i||^2 + D dvar_i). Returns [N] (differentiable).
 */
export function increments(
  decoder: StochasticDecoder,
  jac: JacFn,
  metric: MetricKind,
  z: tf.Tensor2D,
  incrementVariance: 'midpoint' | 'exact' = 'midpoint',
): tf.Tensor1D {
  return tf.tidy(() => {
    const n = z.shape[0]!;
    const pred = decoder.predict(z);
    const mu = pred.mean;
    const dmu = tf.sub(tf.slice(mu, [1, 0], [n - 1, -1]), tf.slice(mu, [0, 0], [n - 1, -1]));
    const a = tf.slice(z, [0, 0], [n - 1, -1]) as tf.Tensor2D;
    const b = tf.slice(z, [1, 0], [n - 1, -1]) as tf.Tensor2D;
    let dvar: tf.Tensor;
    if (incrementVariance === 'exact') {
      if (pred.variance.rank !== 1) {
        throw new LabInputError(
          'increments',
          'decoder.predict(z).variance',
          "must be [n] (isotropic) for incrementVariance 'exact'",
          pred.variance,
        );
      }
      const v = pred.variance as tf.Tensor1D;
      const cov = (decoder as unknown as CrossCovarianceDecoder).crossCovariance(a, b);
      dvar = tf.relu(tf.sub(tf.add(tf.slice(v, [0], [n - 1]), tf.slice(v, [1], [n - 1])), tf.mul(2, cov)));
    } else {
      const dz = tf.sub(b, a) as tf.Tensor2D;
      const mid = tf.mul(tf.add(a, b), 0.5) as tf.Tensor2D;
      const mom = jac(mid);
      const vc = tf.expandDims(dz, 2) as tf.Tensor3D;
      dvar = tf.relu(tf.sum(tf.mul(tf.matMul(mom.covariance, vc), vc), [1, 2]));
    }
    const m = tf.sum(tf.square(dmu), 1);
    if (metric === 'finsler') return expectedNormOp(decoder.outputDim)(dvar, m) as tf.Tensor1D;
    return tf.sqrt(tf.maximum(tf.add(m, tf.mul(dvar, decoder.outputDim)), 1e-30)) as tf.Tensor1D;
  });
}

/**
 * Length and energy of a spline (coefficients as a tensor, differentiable) or of a point list.
 * Quadrature: L = sum w_i s_i, E = sum w_i s_i^2 with s = metric speed at Gauss nodes.
 * Discrete (N intervals, uniform in t): L = sum l_i, E = N sum l_i^2.
 */
export function measureTf(
  decoder: StochasticDecoder,
  curve: CubicSpline | tf.Tensor2D,
  opts: ResolvedMeasure,
  jac: JacFn,
  coefficients?: tf.Tensor2D,
): { length: tf.Scalar; energy: tf.Scalar } {
  return tf.tidy(() => {
    if (curve instanceof CubicSpline && opts.method === 'quadrature') {
      const { t, w } = quadratureRule(curve.segments, opts.quadratureOrder);
      const { points, velocities } = curve.tensors(t, coefficients);
      const mom = jac(points);
      const s = speedFromMoments(decoder.outputDim, opts.metric, mom, velocities);
      const wt = tf.tensor1d(w);
      return {
        length: tf.sum(tf.mul(wt, s)) as tf.Scalar,
        energy: tf.sum(tf.mul(wt, tf.square(s))) as tf.Scalar,
      };
    }
    let z: tf.Tensor2D;
    if (curve instanceof CubicSpline) {
      const N = opts.intervals;
      z = curve.tensors(
        Array.from({ length: N + 1 }, (_, i) => i / N),
        coefficients,
      ).points;
    } else {
      z = curve;
    }
    const l = increments(decoder, jac, opts.metric, z, opts.incrementVariance);
    const N = z.shape[0]! - 1;
    return { length: tf.sum(l) as tf.Scalar, energy: tf.mul(N, tf.sum(tf.square(l))) as tf.Scalar };
  });
}

/** Validated jacobian function for the public entry points. */
export function checkedJac(fn: string, decoder: StochasticDecoder): JacFn {
  return (z) => checkedJacobian(fn, decoder, z);
}

/** Converts a point list (number[][]) to a validated [N+1, q] tensor. */
export function pointsTensor(fn: string, arg: string, points: unknown, q: number): tf.Tensor2D {
  if (!Array.isArray(points) || points.length < 2)
    throw new LabInputError(fn, arg, 'must be a CubicSpline or an array of >= 2 points', points);
  const flat = new Float32Array(points.length * q);
  points.forEach((p, i) => {
    if (!Array.isArray(p) && !ArrayBuffer.isView(p))
      throw new LabInputError(fn, `${arg}[${i}]`, `must be an array of ${q} numbers`, p);
    const a = p as ArrayLike<number>;
    if (a.length !== q)
      throw new LabInputError(fn, `${arg}[${i}]`, `must have length ${q} (dimension mismatch)`, p);
    for (let d = 0; d < q; d++) {
      if (!Number.isFinite(a[d]!)) throw new LabInputError(fn, `${arg}[${i}]`, 'must hold finite numbers', p);
      flat[i * q + d] = a[d]!;
    }
  });
  return tf.tensor2d(flat, [points.length, q]);
}
