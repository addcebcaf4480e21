// Shared validation and tensor helpers (not exported from the package).
import { LabInputError } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import type { JacobianMoments, StochasticDecoder } from './StochasticDecoder.js';

/** Throws unless `decoder` looks like a {@link StochasticDecoder}. */
export function checkDecoder(fn: string, decoder: unknown): asserts decoder is StochasticDecoder {
  const d = decoder as Partial<StochasticDecoder> | null;
  if (
    d === null ||
    typeof d !== 'object' ||
    typeof d.jacobian !== 'function' ||
    typeof d.predict !== 'function'
  ) {
    throw new LabInputError(
      fn,
      'decoder',
      'must be a StochasticDecoder (predict, jacobian, latentDim, outputDim)',
      decoder,
    );
  }
  if (!Number.isInteger(d.latentDim) || (d.latentDim as number) < 1) {
    throw new LabInputError(fn, 'decoder.latentDim', 'must be an integer >= 1', d.latentDim);
  }
  if (!Number.isInteger(d.outputDim) || (d.outputDim as number) < 1) {
    throw new LabInputError(fn, 'decoder.outputDim', 'must be an integer >= 1', d.outputDim);
  }
}

/** Throws unless `t` is a live float tensor of shape [n, q] (n given or any). Returns n. */
export function checkPoints(fn: string, arg: string, t: unknown, q: number, n?: number): number {
  if (!(t instanceof tf.Tensor))
    throw new LabInputError(fn, arg, `must be a tf.Tensor2D of shape [n, ${q}]`, t);
  if (t.isDisposed) throw new LabInputError(fn, arg, 'must not be disposed', t);
  if (t.rank !== 2 || t.shape[1] !== q || (n !== undefined && t.shape[0] !== n)) {
    throw new LabInputError(fn, arg, `must have shape [${n ?? 'n'}, ${q}] (latent dimension mismatch)`, t);
  }
  if (t.shape[0] === 0) throw new LabInputError(fn, arg, 'must have at least one row', t);
  return t.shape[0]!;
}

/** Throws unless every value of the tensor is finite. */
function checkFiniteTensor(fn: string, arg: string, t: tf.Tensor): void {
  const d = t.dataSync();
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i]!)) throw new LabInputError(fn, arg, `must be finite (entry ${i} is ${d[i]})`);
  }
}

/** Throws unless `p` is a point given as an array of `q` finite numbers; returns a copy. */
export function checkPoint(fn: string, arg: string, p: unknown, q: number): number[] {
  if (!Array.isArray(p) && !ArrayBuffer.isView(p))
    throw new LabInputError(fn, arg, `must be an array of ${q} numbers`, p);
  const a = Array.from(p as ArrayLike<number>);
  if (a.length !== q) throw new LabInputError(fn, arg, `must have length ${q} (the latent dimension)`, p);
  for (const x of a)
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new LabInputError(fn, arg, 'must hold finite numbers', p);
  return a;
}

/** Throws unless every row of the [n, q] tensor has a non-zero norm. */
export function checkNonZeroRows(fn: string, arg: string, v: tf.Tensor): void {
  const d = v.dataSync();
  const q = v.shape[1]!;
  for (let i = 0; i < v.shape[0]!; i++) {
    let s = 0;
    for (let j = 0; j < q; j++) s += d[i * q + j]! ** 2;
    if (!(s > 0))
      throw new LabInputError(fn, arg, `must have non-zero rows (row ${i} is a zero-length direction)`);
  }
}

/**
 * Relative tolerance on negative eigenvalues of Sigma: float32 GP posteriors Sigma = prior - a a^T
 * cancel near the training data (measured: -5e-5 against a prior derivative variance of ~4 with
 * noise variance 1e-6), so Sigma must be PSD up to PSD_RTOL times the scale
 * max|Sigma| + tr(E[J]^T E[J]) / D of the metric it feeds (the variance v^T Sigma v is clamped at 0).
 */
export const PSD_RTOL = 1e-4;

/** Scale of one point's metric for the PSD tolerance (see {@link PSD_RTOL}). */
export function metricScale(
  md: ArrayLike<number>,
  cd: ArrayLike<number>,
  i: number,
  D: number,
  q: number,
): number {
  let s = 0;
  for (let a = 0; a < q * q; a++) s = Math.max(s, Math.abs(cd[i * q * q + a]!));
  let t = 0;
  for (let a = 0; a < D * q; a++) t += md[i * D * q + a]! ** 2;
  return s + t / D;
}

/**
 * Calls decoder.jacobian and validates shapes, finiteness, symmetry and positive semi-definiteness
 * of every covariance (Cholesky of Sigma + PSD_RTOL scale I). The caller owns the returned tensors.
 */
export function checkedJacobian(fn: string, decoder: StochasticDecoder, z: tf.Tensor2D): JacobianMoments {
  const n = z.shape[0]!;
  const q = decoder.latentDim;
  const D = decoder.outputDim;
  const mom = decoder.jacobian(z);
  try {
    if (!(mom?.mean instanceof tf.Tensor) || !tf.util.arraysEqual(mom.mean.shape, [n, D, q])) {
      throw new LabInputError(
        fn,
        'decoder.jacobian(z).mean',
        `must have shape [${n}, ${D}, ${q}] (dimension mismatch)`,
        mom?.mean,
      );
    }
    if (!(mom.covariance instanceof tf.Tensor) || !tf.util.arraysEqual(mom.covariance.shape, [n, q, q])) {
      throw new LabInputError(
        fn,
        'decoder.jacobian(z).covariance',
        `must have shape [${n}, ${q}, ${q}] (dimension mismatch)`,
        mom.covariance,
      );
    }
    checkFiniteTensor(fn, 'decoder.jacobian(z).mean', mom.mean);
    const c = mom.covariance.dataSync();
    const md = mom.mean.dataSync();
    for (let i = 0; i < n; i++) {
      const o = i * q * q;
      const scale = metricScale(md, c, i, D, q);
      for (let a = 0; a < q; a++) {
        for (let b = 0; b < a; b++) {
          if (Math.abs(c[o + a * q + b]! - c[o + b * q + a]!) > 1e-5 * scale + 1e-30) {
            throw new LabInputError(fn, 'decoder.jacobian(z).covariance', `must be symmetric (point ${i})`);
          }
        }
      }
      const m = new Float64Array(q * q);
      for (let a = 0; a < q * q; a++) m[a] = c[o + a]!;
      if (!Number.isFinite(scale) || !choleskyInPlace(m, q, PSD_RTOL * scale + 1e-300)) {
        throw new LabInputError(
          fn,
          'decoder.jacobian(z).covariance',
          `must be positive semi-definite (point ${i} has a negative eigenvalue or non-finite entries)`,
        );
      }
    }
    return mom;
  } catch (e) {
    tf.dispose([mom?.mean, mom?.covariance].filter((t): t is tf.Tensor3D => t instanceof tf.Tensor));
    throw e;
  }
}

/** In-place lower Cholesky of (A + jitter I) (row-major q x q). Returns false if not PD. */
export function choleskyInPlace(a: Float64Array, q: number, jitter = 0): boolean {
  for (let i = 0; i < q; i++) a[i * q + i]! += jitter;
  for (let j = 0; j < q; j++) {
    let d = a[j * q + j]!;
    for (let k = 0; k < j; k++) d -= a[j * q + k]! ** 2;
    if (!(d > 0)) return false;
    const l = Math.sqrt(d);
    a[j * q + j] = l;
    for (let i = j + 1; i < q; i++) {
      let s = a[i * q + j]!;
      for (let k = 0; k < j; k++) s -= a[i * q + k]! * a[j * q + k]!;
      a[i * q + j] = s / l;
    }
    for (let k = j + 1; k < q; k++) a[j * q + k] = 0;
  }
  return true;
}

/** Determinant of a small symmetric matrix (row-major) by LU with partial pivoting, float64. */
export function determinant(m: ArrayLike<number>, q: number): number {
  const a = Float64Array.from(m);
  let det = 1;
  for (let c = 0; c < q; c++) {
    let p = c;
    for (let r = c + 1; r < q; r++) if (Math.abs(a[r * q + c]!) > Math.abs(a[p * q + c]!)) p = r;
    if (a[p * q + c] === 0) return 0;
    if (p !== c) {
      for (let k = 0; k < q; k++) [a[p * q + k], a[c * q + k]] = [a[c * q + k]!, a[p * q + k]!];
      det = -det;
    }
    const piv = a[c * q + c]!;
    det *= piv;
    for (let r = c + 1; r < q; r++) {
      const f = a[r * q + c]! / piv;
      for (let k = c; k < q; k++) a[r * q + k]! -= f * a[c * q + k]!;
    }
  }
  return det;
}

/**
 * Mean Jacobian-vector products and variances from the moments (tfjs, differentiable):
 * `meanSquaredNorm = ||E[J] v||^2` ([n]) and `variance = v^T Sigma v` ([n]).
 */
export function directionalMoments(
  mom: JacobianMoments,
  v: tf.Tensor2D,
): { meanSquaredNorm: tf.Tensor1D; variance: tf.Tensor1D } {
  return tf.tidy(() => {
    const vc = tf.expandDims(v, 2) as tf.Tensor3D; // [n, q, 1]
    const jv = tf.matMul(mom.mean, vc); // [n, D, 1]
    const meanSquaredNorm = tf.sum(tf.square(jv), [1, 2]) as tf.Tensor1D;
    const sv = tf.matMul(mom.covariance, vc); // [n, q, 1]
    const variance = tf.relu(tf.sum(tf.mul(sv, vc), [1, 2])) as tf.Tensor1D;
    return { meanSquaredNorm, variance };
  });
}

/**
 * Validates a decoder, points `z` and non-zero directions `v` (both `[n, q]`), fetches checked
 * Jacobian moments at `z`, runs `compute` on them and frees the moments. Shared by the metrics
 * evaluated along directions (Finsler and Riemannian norms).
 */
export function withDirectionalMoments<T>(
  fn: string,
  decoder: StochasticDecoder,
  z: tf.Tensor2D,
  v: tf.Tensor2D,
  compute: (mom: JacobianMoments) => T,
): T {
  checkDecoder(fn, decoder);
  const n = checkPoints(fn, 'z', z, decoder.latentDim);
  checkPoints(fn, 'v', v, decoder.latentDim, n);
  checkNonZeroRows(fn, 'v', v);
  const mom = checkedJacobian(fn, decoder, z);
  try {
    return compute(mom);
  } finally {
    tf.dispose([mom.mean, mom.covariance]);
  }
}
