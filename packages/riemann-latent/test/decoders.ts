// Small stochastic decoders with known metrics, for the tests (not part of the package).
import { createRng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import type { DecoderPrediction, JacobianMoments, StochasticDecoder } from '../src/StochasticDecoder.js';

/**
 * f(z) = A z + b + e with a Jacobian whose rows are N(A_d, Sigma), independent of z: E[J] = A and
 * Sigma are constant, so G = A^T A + D Sigma, F(v) = expectedNorm(D, v^T Sigma v, ||A v||^2), and
 * geodesics are straight lines with closed-form lengths.
 */
export class LinearGaussianDecoder implements StochasticDecoder {
  readonly latentDim: number;
  readonly outputDim: number;
  readonly isotropic = true;
  constructor(
    readonly A: number[][],
    readonly Sigma: number[][],
    readonly outputVariance = 0.1,
  ) {
    this.outputDim = A.length;
    this.latentDim = A[0]!.length;
  }
  predict(z: tf.Tensor2D): DecoderPrediction {
    return tf.tidy(() => ({
      mean: tf.matMul(z, tf.tensor2d(this.A), false, true) as tf.Tensor2D,
      variance: tf.fill([z.shape[0]], this.outputVariance) as tf.Tensor1D,
    }));
  }
  jacobian(z: tf.Tensor2D): JacobianMoments {
    const n = z.shape[0]!;
    return tf.tidy(() => ({
      mean: tf.tile(tf.expandDims(tf.tensor2d(this.A), 0), [n, 1, 1]) as tf.Tensor3D,
      covariance: tf.tile(tf.expandDims(tf.tensor2d(this.Sigma), 0), [n, 1, 1]) as tf.Tensor3D,
    }));
  }
  sampleJacobian(z: tf.Tensor2D, samples: number, seed: number): tf.Tensor4D {
    const n = z.shape[0]!;
    const D = this.outputDim;
    const q = this.latentDim;
    const rng = createRng(seed);
    // Cholesky of Sigma (small, SPD in the tests that sample).
    const L = this.Sigma.map((r) => r.map(() => 0));
    for (let j = 0; j < q; j++) {
      let d = this.Sigma[j]![j]!;
      for (let k = 0; k < j; k++) d -= L[j]![k]! ** 2;
      L[j]![j] = Math.sqrt(Math.max(d, 0));
      for (let i = j + 1; i < q; i++) {
        let s = this.Sigma[i]![j]!;
        for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
        L[i]![j] = L[j]![j]! > 0 ? s / L[j]![j]! : 0;
      }
    }
    const out = new Float32Array(samples * n * D * q);
    const eps = new Float64Array(q);
    for (let s = 0; s < samples; s++) {
      for (let i = 0; i < n; i++) {
        for (let d = 0; d < D; d++) {
          rng.fillNormal(eps);
          for (let a = 0; a < q; a++) {
            let x = this.A[d]![a]!;
            for (let b = 0; b <= a; b++) x += L[a]![b]! * eps[b]!;
            out[((s * n + i) * D + d) * q + a] = x;
          }
        }
      }
    }
    return tf.tensor4d(out, [samples, n, D, q]);
  }
}

/**
 * f(z) = (x, y, a tanh(x/eps) exp(-y^2/(2 l^2))) + noise: a steep ridge along x = 0 for |y| < ~2l.
 * Crossing it costs ~2a in the third coordinate, so geodesics between (-2, 0) and (2, 0) go around.
 * Sigma(z) = s2 (1 + 0.1 |z|^2) I varies with z so variance gradients are exercised. Every moment is
 * a tfjs expression in z (differentiable).
 */
export class RidgeDecoder implements StochasticDecoder {
  readonly latentDim = 2;
  readonly outputDim = 3;
  readonly isotropic = true;
  constructor(
    readonly a = 5,
    readonly eps = 0.3,
    readonly l = 0.7,
    readonly s2 = 0.01,
  ) {}
  private parts(z: tf.Tensor2D) {
    const x = tf.squeeze(tf.slice(z, [0, 0], [-1, 1]), [1]);
    const y = tf.squeeze(tf.slice(z, [0, 1], [-1, 1]), [1]);
    const th = tf.tanh(tf.div(x, this.eps));
    const g = tf.exp(tf.div(tf.square(y), -2 * this.l * this.l));
    return { x, y, th, g };
  }
  predict(z: tf.Tensor2D): DecoderPrediction {
    return tf.tidy(() => {
      const { x, y, th, g } = this.parts(z);
      const mean = tf.stack([x, y, tf.mul(this.a, tf.mul(th, g))], 1) as tf.Tensor2D;
      const variance = tf.mul(this.s2, tf.add(1, tf.mul(0.1, tf.sum(tf.square(z), 1)))) as tf.Tensor1D;
      return { mean, variance };
    });
  }
  jacobian(z: tf.Tensor2D): JacobianMoments {
    const n = z.shape[0]!;
    return tf.tidy(() => {
      const { y, th, g } = this.parts(z);
      const dx = tf.mul(this.a / this.eps, tf.mul(tf.sub(1, tf.square(th)), g));
      const dy = tf.mul(this.a, tf.mul(th, tf.mul(g, tf.div(y, -this.l * this.l))));
      const ones = tf.ones([n]);
      const zeros = tf.zeros([n]);
      const row0 = tf.stack([ones, zeros], 1);
      const row1 = tf.stack([zeros, ones], 1);
      const row2 = tf.stack([dx, dy], 1);
      const mean = tf.stack([row0, row1, row2], 1) as tf.Tensor3D;
      const scale = tf.mul(this.s2, tf.add(1, tf.mul(0.1, tf.sum(tf.square(z), 1))));
      const covariance = tf.mul(tf.reshape(scale, [n, 1, 1]), tf.expandDims(tf.eye(2), 0)) as tf.Tensor3D;
      return { mean, covariance };
    });
  }
}

/** A decoder returning whatever moments it is given (for the degenerate-input tests). */
export class FixedMomentsDecoder implements StochasticDecoder {
  readonly isotropic = true;
  constructor(
    readonly latentDim: number,
    readonly outputDim: number,
    readonly meanJ: number[][],
    readonly cov: number[][],
  ) {}
  predict(z: tf.Tensor2D): DecoderPrediction {
    return tf.tidy(() => ({
      mean: tf.zeros([z.shape[0]!, this.outputDim]) as tf.Tensor2D,
      variance: tf.zeros([z.shape[0]!]) as tf.Tensor1D,
    }));
  }
  jacobian(z: tf.Tensor2D): JacobianMoments {
    const n = z.shape[0]!;
    return tf.tidy(() => ({
      mean: tf.tile(tf.expandDims(tf.tensor2d(this.meanJ), 0), [n, 1, 1]) as tf.Tensor3D,
      covariance: tf.tile(tf.expandDims(tf.tensor2d(this.cov), 0), [n, 1, 1]) as tf.Tensor3D,
    }));
  }
}

/** E[J] (D = 3, q = 2) of the linear Gaussian decoder shared by the curve and geodesic tests. */
export const LINEAR_A = [
  [1, 0.5],
  [-0.3, 2],
  [0.7, 0.1],
];
/** Its row covariance Sigma (symmetric positive definite). */
export const LINEAR_SIGMA = [
  [0.3, 0.05],
  [0.05, 0.1],
];
