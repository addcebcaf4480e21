import { checkTensor, createRng, LabInputError, readOptions } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Kernel } from './kernels.js';
import type { DecoderPrediction, JacobianMoments, StochasticDecoder } from './StochasticDecoder.js';

/** Options of {@link GaussianProcessDecoder}. */
export interface GaussianProcessDecoderOptions {
  /** Covariance function shared by the D independent output GPs. */
  kernel: Kernel;
  /** Observation noise variance sigma_n^2 >= 0 on the training outputs. */
  noiseVariance: number;
  /**
   * Extra diagonal added to K for the Cholesky factorisation (default 1e-8 times the kernel
   * variance; increased tenfold, up to 1e-2 times the variance, while the factorisation fails).
   */
  jitter?: number;
  /** Prior mean of each output (length D), e.g. the data mean; default zeros. */
  meanOffset?: ArrayLike<number>;
}

/** A dense matrix as row arrays or a rank-2 tensor. */
export type MatrixInput = tf.Tensor2D | ArrayLike<ArrayLike<number>>;

/** @internal Reads a matrix argument into float64 rows (never keeps a reference to the input). */
export function readMatrix(
  fn: string,
  arg: string,
  m: MatrixInput,
): { data: Float64Array; rows: number; cols: number } {
  if (m instanceof tf.Tensor) {
    checkTensor(fn, arg, m, 2);
    const [rows, cols] = m.shape as [number, number];
    return { data: Float64Array.from(m.dataSync()), rows, cols };
  }
  if (m === null || typeof m !== 'object' || typeof (m as ArrayLike<unknown>).length !== 'number') {
    throw new LabInputError(fn, arg, 'must be a rank-2 tensor or an array of rows', m);
  }
  const rows = m.length;
  const cols = rows > 0 ? ((m[0] as ArrayLike<number>)?.length ?? 0) : 0;
  if (rows === 0 || cols === 0) throw new LabInputError(fn, arg, 'must be non-empty', m);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = m[i] as ArrayLike<number>;
    if (row == null || row.length !== cols)
      throw new LabInputError(fn, `${arg}[${i}]`, `must have length ${cols}`, row);
    for (let j = 0; j < cols; j++) {
      const v = row[j] as number;
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new LabInputError(fn, `${arg}[${i}][${j}]`, 'must be a finite number', v);
      data[i * cols + j] = v;
    }
  }
  return { data, rows, cols };
}

/**
 * @internal In-place lower Cholesky factor of the symmetric positive definite `n x n` matrix
 * `a` (row-major, float64); returns false if a pivot is not positive.
 */
function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j] as number;
    for (let k = 0; k < j; k++) d -= (a[j * n + k] as number) ** 2;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j] as number;
      for (let k = 0; k < j; k++) s -= (a[i * n + k] as number) * (a[j * n + k] as number);
      a[i * n + j] = s / ljj;
    }
    for (let k = j + 1; k < n; k++) a[j * n + k] = 0;
  }
  return true;
}

/**
 * @internal Cholesky factor of `k + jitter I`, raising the jitter tenfold until it succeeds.
 * Returns the factor and the jitter used.
 */
export function choleskyWithJitter(
  fn: string,
  k: Float64Array,
  n: number,
  jitter: number,
  maxJitter: number,
): { l: Float64Array; jitter: number } {
  let j = jitter;
  for (;;) {
    const l = Float64Array.from(k);
    for (let i = 0; i < n; i++) l[i * n + i] = (l[i * n + i] as number) + j;
    if (choleskyInPlace(l, n)) return { l, jitter: j };
    if (j >= maxJitter) {
      throw new LabInputError(
        fn,
        'kernel',
        `must give a positive definite K (Cholesky failed with jitter ${j})`,
      );
    }
    j = j === 0 ? 1e-10 : Math.min(maxJitter, j * 10);
  }
}

/** @internal Solves L X = B in place (B is `n x m` row-major). */
function forwardSubstitute(l: Float64Array, n: number, b: Float64Array, m: number): void {
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      const lik = l[i * n + k] as number;
      if (lik === 0) continue;
      for (let c = 0; c < m; c++) b[i * m + c] = (b[i * m + c] as number) - lik * (b[k * m + c] as number);
    }
    const lii = l[i * n + i] as number;
    for (let c = 0; c < m; c++) b[i * m + c] = (b[i * m + c] as number) / lii;
  }
}

/** @internal Solves L^T X = B in place (B is `n x m` row-major). */
function backSubstitute(l: Float64Array, n: number, b: Float64Array, m: number): void {
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const lki = l[k * n + i] as number;
      if (lki === 0) continue;
      for (let c = 0; c < m; c++) b[i * m + c] = (b[i * m + c] as number) - lki * (b[k * m + c] as number);
    }
    const lii = l[i * n + i] as number;
    for (let c = 0; c < m; c++) b[i * m + c] = (b[i * m + c] as number) / lii;
  }
}

/** @internal Inverse of the lower-triangular L (row-major), itself lower triangular. */
export function invertLower(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  forwardSubstitute(l, n, inv, n);
  return inv;
}

/**
 * Gaussian-process decoder f: R^q -> R^D: D independent GPs with one kernel, trained on
 * latent inputs X `[N, q]` and outputs Y `[N, D]` with Gaussian noise. Posterior at z:
 * ```
 * mean    = m + k(z, X) K^-1 (Y - m),          K = k(X, X) + sigma_n^2 I
 * var     = k(z, z) - k(z, X) K^-1 k(X, z)      (of the noise-free f; same for every output)
 * E[J]^T  = dk(z, X) K^-1 (Y - m)                (`[q, D]`)
 * Sigma   = d2k(z, z) - dk(z, X) K^-1 dk(X, z)   (`[q, q]`, shared by the D rows of J)
 * ```
 * K is factorised once (float64 Cholesky in JavaScript); alpha = K^-1 (Y - m) and L^-1 are
 * stored as float32 constants, so every method is a chain of tfjs ops differentiable in z.
 * Variances are computed as `k - ||L^-1 k||^2` (a sum of squares, no explicit K^-1), which keeps
 * float32 cancellation small. `isotropic` is true: J's rows are i.i.d. given Sigma, so the
 * closed-form Finsler metric is exact.
 *
 * @example
 * ```ts
 * const { points: X } = pinwheel({ seed: 1, arms: 3, pointsPerArm: 16 }); // [48, 2] latent points
 * const Y = embedInDimensions(X, { seed: 2, dim: 8 }); // [48, 8] observations
 * const z = tf.tensor2d([[0, 0], [0.5, 0.5]]);
 * const dec = new GaussianProcessDecoder(X, Y, { kernel: createKernel('rbf'), noiseVariance: 0.01 });
 * const { mean, covariance } = dec.jacobian(z); // [n, D, q], [n, q, q]
 * dec.dispose();
 * ```
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010), sec. 4.
 * @see Tosi, Hauberg, Vellido, Lawrence, "Metrics for probabilistic geometries", UAI 2014.
 */
export class GaussianProcessDecoder implements StochasticDecoder {
  readonly latentDim: number;
  readonly outputDim: number;
  readonly isotropic = true;
  /** Number of training points N. */
  readonly numPoints: number;
  readonly kernel: Kernel;
  readonly noiseVariance: number;
  /** Jitter actually added to the diagonal of K. */
  readonly jitter: number;
  private readonly x: tf.Tensor2D;
  private readonly alpha: tf.Tensor2D;
  private readonly lInvT: tf.Tensor2D;
  private readonly offset: tf.Tensor1D | null;
  private disposed = false;

  constructor(inputs: MatrixInput, outputs: MatrixInput, options: GaussianProcessDecoderOptions) {
    const fn = 'GaussianProcessDecoder';
    const X = readMatrix(fn, 'inputs', inputs);
    const Y = readMatrix(fn, 'outputs', outputs);
    if (Y.rows !== X.rows)
      throw new LabInputError(fn, 'outputs', `must have ${X.rows} rows like 'inputs'`, Y.rows);
    readOptions(fn, options, ['kernel', 'noiseVariance', 'jitter', 'meanOffset']);
    const kernel = options.kernel;
    if (kernel == null || typeof kernel.value !== 'function' || typeof kernel.gradient !== 'function') {
      throw new LabInputError(fn, 'options.kernel', 'must be a Kernel from createKernel', kernel);
    }
    const noise = options.noiseVariance;
    if (typeof noise !== 'number' || !Number.isFinite(noise) || noise < 0) {
      throw new LabInputError(fn, 'options.noiseVariance', 'must be a finite number >= 0', noise);
    }
    const jitter0 = options.jitter ?? 1e-8 * kernel.variance;
    if (typeof jitter0 !== 'number' || !Number.isFinite(jitter0) || jitter0 < 0) {
      throw new LabInputError(fn, 'options.jitter', 'must be a finite number >= 0', jitter0);
    }
    const n = X.rows;
    const q = X.cols;
    const d = Y.cols;
    let offset: Float64Array | null = null;
    if (options.meanOffset !== undefined) {
      const mo = options.meanOffset;
      if (mo == null || mo.length !== d)
        throw new LabInputError(fn, 'options.meanOffset', `must have length ${d}`, mo);
      offset = Float64Array.from(mo);
      if (!offset.every(Number.isFinite))
        throw new LabInputError(fn, 'options.meanOffset', 'must be finite', mo);
    }
    this.latentDim = q;
    this.outputDim = d;
    this.numPoints = n;
    this.kernel = kernel;
    this.noiseVariance = noise;

    const K = new Float64Array(n * n);
    const row = (i: number) => X.data.subarray(i * q, (i + 1) * q);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = kernel.value(row(i), row(j));
        K[i * n + j] = v;
        K[j * n + i] = v;
      }
      K[i * n + i] = (K[i * n + i] as number) + noise;
    }
    const { l, jitter } = choleskyWithJitter(fn, K, n, jitter0, 1e-2 * kernel.variance);
    this.jitter = jitter;
    const alpha = Float64Array.from(Y.data);
    if (offset)
      for (let i = 0; i < n; i++)
        for (let c = 0; c < d; c++) alpha[i * d + c] = (alpha[i * d + c] as number) - (offset[c] as number);
    forwardSubstitute(l, n, alpha, d);
    backSubstitute(l, n, alpha, d);
    const lInv = invertLower(l, n);
    const lInvT = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) lInvT[j * n + i] = lInv[i * n + j] as number;
    this.x = tf.tensor2d(Float32Array.from(X.data), [n, q]);
    this.alpha = tf.tensor2d(Float32Array.from(alpha), [n, d]);
    this.lInvT = tf.tensor2d(lInvT, [n, n]);
    this.offset = offset ? tf.tensor1d(Float32Array.from(offset)) : null;
  }

  private checkZ(fn: string, z: tf.Tensor2D): void {
    if (this.disposed)
      throw new LabInputError(`GaussianProcessDecoder.${fn}`, 'this', 'must not be disposed');
    checkTensor(`GaussianProcessDecoder.${fn}`, 'z', z, 2);
    if (z.shape[1] !== this.latentDim) {
      throw new LabInputError(`GaussianProcessDecoder.${fn}`, 'z', `must have ${this.latentDim} columns`, z);
    }
  }

  /** The training inputs X `[N, q]` (a copy; the caller disposes it). */
  inputs(): tf.Tensor2D {
    return tf.clone(this.x);
  }

  /**
   * Posterior mean `[n, D]` and variance `[n]` of the noise-free f at `z` `[n, q]`
   * (add {@link GaussianProcessDecoder.noiseVariance} for the predictive variance of y).
   */
  predict(z: tf.Tensor2D): DecoderPrediction {
    this.checkZ('predict', z);
    return tf.tidy(() => {
      const ks = this.kernel.matrix(z, this.x);
      let mean = tf.matMul(ks, this.alpha);
      if (this.offset) mean = tf.add(mean, this.offset);
      const v = tf.matMul(ks, this.lInvT);
      const variance = tf.relu(tf.sub(this.kernel.variance, tf.sum(tf.square(v), 1))) as tf.Tensor1D;
      return { mean: mean as tf.Tensor2D, variance };
    });
  }

  /**
   * Posterior cross-covariance Cov[f_d(a_i), f_d(b_i)] `[n]` between matched rows of `a` and
   * `b` (the same for every output d): what a discrete curve energy needs for
   * E||f(c_{i+1}) - f(c_i)||^2 = ||dmean||^2 + D (var_i + var_{i+1} - 2 cov_i).
   */
  crossCovariance(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
    this.checkZ('crossCovariance', a);
    this.checkZ('crossCovariance', b);
    if (a.shape[0] !== b.shape[0]) {
      throw new LabInputError(
        'GaussianProcessDecoder.crossCovariance',
        'b',
        `must have ${a.shape[0]} rows like 'a'`,
        b,
      );
    }
    return tf.tidy(() => {
      // Stationary kernel: k(a_i, b_i) = k(a_i - b_i, 0).
      const kab = this.kernel.matrix(tf.sub(a, b), tf.zeros([1, this.latentDim]));
      const va = tf.matMul(this.kernel.matrix(a, this.x), this.lInvT);
      const vb = tf.matMul(this.kernel.matrix(b, this.x), this.lInvT);
      return tf.sub(tf.reshape(kab, [-1]), tf.sum(tf.mul(va, vb), 1)) as tf.Tensor1D;
    });
  }

  /** Jacobian moments at `z` `[n, q]`: E[J] `[n, D, q]` and the shared row covariance Sigma `[n, q, q]`. */
  jacobian(z: tf.Tensor2D): JacobianMoments {
    this.checkZ('jacobian', z);
    return tf.tidy(() => {
      const n = z.shape[0];
      const q = this.latentDim;
      const N = this.numPoints;
      // dk(z_i, X_j)/dz_i as [n, q, N].
      const dk = tf.transpose(this.kernel.gradient(z, this.x), [0, 2, 1]);
      const flat = tf.reshape(dk, [n * q, N]);
      const meanT = tf.reshape(tf.matMul(flat, this.alpha), [n, q, this.outputDim]);
      const mean = tf.transpose(meanT, [0, 2, 1]) as tf.Tensor3D;
      const a = tf.reshape(tf.matMul(flat, this.lInvT), [n, q, N]);
      const prior = tf.mul(tf.eye(q), this.kernel.derivativeVariance());
      const covariance = tf.sub(prior, tf.matMul(a, a, false, true)) as tf.Tensor3D;
      return { mean, covariance };
    });
  }

  /**
   * `samples` draws of J at `z` `[n, q]` from its Gaussian posterior (rows i.i.d. N(E[J]_d, Sigma)),
   * shape `[samples, n, D, q]`. Seeded; not differentiable (for Monte Carlo checks).
   */
  sampleJacobian(z: tf.Tensor2D, samples: number, seed: number): tf.Tensor4D {
    this.checkZ('sampleJacobian', z);
    if (!Number.isInteger(samples) || samples < 1) {
      throw new LabInputError(
        'GaussianProcessDecoder.sampleJacobian',
        'samples',
        'must be a positive integer',
        samples,
      );
    }
    const rng = createRng(seed);
    const { mean, covariance } = this.jacobian(z);
    const mu = mean.dataSync();
    const cov = covariance.dataSync();
    tf.dispose([mean, covariance]);
    const n = z.shape[0];
    const q = this.latentDim;
    const D = this.outputDim;
    const out = new Float32Array(samples * n * D * q);
    const eps = new Float64Array(q);
    for (let i = 0; i < n; i++) {
      const c = Float64Array.from(cov.subarray(i * q * q, (i + 1) * q * q));
      // Symmetrise and factor with a small jitter (Sigma is PSD up to float32 rounding).
      for (let r = 0; r < q; r++)
        for (let t = 0; t < r; t++)
          c[t * q + r] = c[r * q + t] = 0.5 * ((c[r * q + t] as number) + (c[t * q + r] as number));
      const { l } = choleskyWithJitter(
        'GaussianProcessDecoder.sampleJacobian',
        c,
        q,
        0,
        1e-3 * this.kernel.derivativeVariance(),
      );
      for (let s = 0; s < samples; s++) {
        for (let d = 0; d < D; d++) {
          rng.fillNormal(eps);
          const base = ((s * n + i) * D + d) * q;
          for (let r = 0; r < q; r++) {
            let v = mu[(i * D + d) * q + r] as number;
            for (let t = 0; t <= r; t++) v += (l[r * q + t] as number) * (eps[t] as number);
            out[base + r] = v;
          }
        }
      }
    }
    return tf.tensor4d(out, [samples, n, D, q]);
  }

  /** Frees the stored tensors. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    tf.dispose([this.x, this.alpha, this.lInvT]);
    if (this.offset) this.offset.dispose();
    this.disposed = true;
  }
}
