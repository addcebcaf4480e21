import * as tf from '@tensorflow/tfjs-core';
import { checkDecoder, checkedJacobian, checkPoints } from './internal.js';
import type { StochasticDecoder } from './StochasticDecoder.js';

/**
 * Expected pullback (Riemannian) metric tensor G(z) = E[J^T J] = E[J]^T E[J] + D Sigma at a batch of
 * latent points `z` (`[n, q]`), from the decoder's Jacobian moments (validated: shapes, symmetric
 * positive semi-definite Sigma). For non-isotropic decoders this is the metric of the moment-matched
 * approximation the decoder returns.
 *
 * @returns float32 `[n, q, q]` tensor (caller disposes).
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010)
 * @see Tosi, Hauberg, Vellido, Lawrence, "Metrics for Probabilistic Geometries", UAI 2014
 */
export function expectedPullbackMetric(decoder: StochasticDecoder, z: tf.Tensor2D): tf.Tensor3D {
  const fn = 'expectedPullbackMetric';
  checkDecoder(fn, decoder);
  checkPoints(fn, 'z', z, decoder.latentDim);
  const mom = checkedJacobian(fn, decoder, z);
  try {
    return tf.tidy(() =>
      tf.add(tf.matMul(mom.mean, mom.mean, true, false), tf.mul(mom.covariance, decoder.outputDim)),
    );
  } finally {
    tf.dispose([mom.mean, mom.covariance]);
  }
}
