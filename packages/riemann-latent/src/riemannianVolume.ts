import * as tf from '@tensorflow/tfjs-core';
import { checkDecoder, checkedJacobian, checkPoints, determinant } from './internal.js';
import type { StochasticDecoder } from './StochasticDecoder.js';

/**
 * Riemannian volume element (magnification factor) sqrt(det G(z)) of the expected pullback metric
 * G = E[J]^T E[J] + D Sigma at latent points `z` (`[n, q]`). G is assembled and its determinant
 * taken in float64 from the decoder's (float32) moments.
 *
 * @returns Float64Array of length n.
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010)
 * @see Bishop, Svensen, Williams, "Magnification factors for the GTM algorithm", 1997
 */
export function riemannianVolume(decoder: StochasticDecoder, z: tf.Tensor2D): Float64Array {
  const fn = 'riemannianVolume';
  checkDecoder(fn, decoder);
  const n = checkPoints(fn, 'z', z, decoder.latentDim);
  const mom = checkedJacobian(fn, decoder, z);
  const md = mom.mean.dataSync();
  const cd = mom.covariance.dataSync();
  tf.dispose([mom.mean, mom.covariance]);
  return riemannianVolumeFromData(md, cd, n, decoder.outputDim, decoder.latentDim);
}

/** sqrt(det(E[J]^T E[J] + D Sigma)) per point from raw moment data (float64). */
export function riemannianVolumeFromData(
  md: ArrayLike<number>,
  cd: ArrayLike<number>,
  n: number,
  D: number,
  q: number,
): Float64Array {
  const out = new Float64Array(n);
  const G = new Float64Array(q * q);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < q; a++) {
      for (let b = 0; b < q; b++) {
        let s = D * cd[i * q * q + a * q + b]!;
        for (let d = 0; d < D; d++) s += md[(i * D + d) * q + a]! * md[(i * D + d) * q + b]!;
        G[a * q + b] = s;
      }
    }
    out[i] = Math.sqrt(Math.max(0, determinant(G, q)));
  }
  return out;
}
