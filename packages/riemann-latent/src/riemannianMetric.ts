import * as tf from '@tensorflow/tfjs-core';
import { directionalMoments, withDirectionalMoments } from './internal.js';
import type { StochasticDecoder } from './StochasticDecoder.js';

/**
 * Riemannian norm of directions under the expected pullback metric, sqrt(v^T G v) with
 * G = E[J^T J] = E[J]^T E[J] + D Sigma, at a batch of latent points `z` and directions `v` (both
 * `[n, q]`). Computed as sqrt(||E[J] v||^2 + D v^T Sigma v) without forming G (differentiable).
 * Jensen: {@link finslerMetric} <= this.
 *
 * @returns float32 `[n]` tensor (caller disposes).
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010)
 * @see Arvanitidis, Hansen, Hauberg, "Latent Space Oddity: on the Curvature of Deep Generative Models", ICLR 2018
 */
export function riemannianMetric(decoder: StochasticDecoder, z: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor1D {
  return withDirectionalMoments('riemannianMetric', decoder, z, v, (mom) =>
    tf.tidy(() => tf.sqrt(riemannianSquaredFromMoments(decoder.outputDim, mom, v))),
  );
}

/** Unchecked core: v^T G v from Jacobian moments (differentiable). */
function riemannianSquaredFromMoments(
  dim: number,
  mom: { mean: tf.Tensor3D; covariance: tf.Tensor3D },
  v: tf.Tensor2D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const { meanSquaredNorm, variance } = directionalMoments(mom, v);
    return tf.add(meanSquaredNorm, tf.mul(variance, dim)) as tf.Tensor1D;
  });
}
