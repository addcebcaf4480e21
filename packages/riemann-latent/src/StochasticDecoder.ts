import type * as tf from '@tensorflow/tfjs-core';

/**
 * Posterior moments of a stochastic decoder's output at a batch of latent points.
 * `variance` is per point (`[n]`, the same for every output dimension, as in a GP with a shared
 * kernel) or per point and dimension (`[n, D]`).
 */
export interface DecoderPrediction {
  /** E[f(z)], shape `[n, D]`. */
  mean: tf.Tensor2D;
  /** Var[f(z)], shape `[n]` (isotropic) or `[n, D]`. */
  variance: tf.Tensor1D | tf.Tensor2D;
}

/**
 * Moments of the Jacobian J = df/dz at a batch of latent points. The D rows of J are independent
 * Gaussians with means `mean[i, d, :]` and, for isotropic decoders (GP, GP-LVM), one shared
 * `q x q` covariance `covariance[i]` (the paper's Sigma).
 */
export interface JacobianMoments {
  /** E[J], shape `[n, D, q]`. */
  mean: tf.Tensor3D;
  /** Covariance Sigma of each row of J, shape `[n, q, q]`, shared across the D rows. */
  covariance: tf.Tensor3D;
}

/**
 * A stochastic immersion f: R^q -> R^D (a generative model's decoder), as in Pouplin et al.
 * Every method is written with tfjs ops so curve energies built on it are differentiable in z.
 * Callers own (and dispose) the returned tensors.
 *
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010)
 */
export interface StochasticDecoder {
  /** Latent dimension q. */
  readonly latentDim: number;
  /** Output dimension D. */
  readonly outputDim: number;
  /** Posterior mean and variance of f at latent points `z` (`[n, q]`). */
  predict(z: tf.Tensor2D): DecoderPrediction;
  /**
   * Jacobian moments at `z` (`[n, q]`). Decoders whose J rows are not isotropic Gaussians (neural
   * decoders with a learned sigma(z)) return the moment-matched isotropic approximation and set
   * {@link StochasticDecoder.isotropic} to false.
   */
  jacobian(z: tf.Tensor2D): JacobianMoments;
  /** True when the J rows really are i.i.d. Gaussian with one shared covariance (closed forms exact). */
  readonly isotropic: boolean;
  /**
   * Optional: `samples` draws of J at `z` (`[n, q]`), shape `[samples, n, D, q]`, for Monte Carlo
   * estimators of the metrics (needed for non-isotropic decoders).
   */
  sampleJacobian?(z: tf.Tensor2D, samples: number, seed: number): tf.Tensor4D;
}
