import * as tf from '@tensorflow/tfjs-core';
import { expectedNormOp } from './expectedNormTf.js';
import { directionalMoments, withDirectionalMoments } from './internal.js';
import type { StochasticDecoder } from './StochasticDecoder.js';

/**
 * Finsler metric of a stochastic decoder, F(z, v) = E||J v||, at a batch of latent points `z`
 * (`[n, q]`) and directions `v` (`[n, q]`). With J's rows i.i.d. N(E[J]_d, Sigma), J v ~
 * N(E[J] v, (v^T Sigma v) I_D), so F is {@link expectedNorm} with variance v^T Sigma v and
 * meanSquaredNorm ||E[J] v||^2 (evaluated in float64, differentiable in z and v through a
 * customGrad). For decoders with `isotropic === false` this is the metric of the moment-matched
 * isotropic approximation the decoder returns; use {@link monteCarloMetric} for the exact value.
 *
 * Validates shapes, finiteness, symmetry and positive semi-definiteness of Sigma, and rejects zero
 * directions (F is not differentiable at v = 0).
 *
 * @returns float32 `[n]` tensor of F(z_i, v_i) (caller disposes).
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010)
 */
export function finslerMetric(decoder: StochasticDecoder, z: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor1D {
  return withDirectionalMoments('finslerMetric', decoder, z, v, (mom) =>
    finslerFromMoments(decoder.outputDim, mom, v),
  );
}

/** Unchecked core: F from Jacobian moments (differentiable). */
function finslerFromMoments(
  dim: number,
  mom: { mean: tf.Tensor3D; covariance: tf.Tensor3D },
  v: tf.Tensor2D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const { meanSquaredNorm, variance } = directionalMoments(mom, v);
    return expectedNormOp(dim)(variance, meanSquaredNorm) as tf.Tensor1D;
  });
}
