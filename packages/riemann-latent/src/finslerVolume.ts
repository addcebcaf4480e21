import { LabInputError, createRng, readOptions } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { expectedNormCore } from './expectedNorm.js';
import { checkDecoder, checkedJacobian, checkPoints } from './internal.js';
import type { StochasticDecoder } from './StochasticDecoder.js';

/** Options of {@link finslerVolume}. */
export interface FinslerVolumeOptions {
  /**
   * Directions used to integrate over the unit sphere (default 256). q = 2: equally spaced angles
   * on [0, pi) (F is even in v), the trapezoid rule, spectrally accurate; q >= 3: seeded uniform
   * random directions (Monte Carlo).
   */
  directions?: number;
  /** Seed of the random directions for q >= 3 (default 0). */
  seed?: number | string;
}

/**
 * Busemann-Hausdorff volume element of the Finsler metric F(z, v) = E||J v|| at latent points `z`
 * (`[n, q]`): sigma(z) = vol(B^q) / vol({v : F(z, v) <= 1}). Since F is 1-homogeneous the unit ball
 * has volume vol(B^q) E_u[F(z, u)^-q] over uniform unit directions u, so sigma = 1 / E_u[F(z, u)^-q]
 * (for q = 2: pi / area, the area being 1/2 int_0^{2 pi} F(z, u_theta)^-2 d theta). For a
 * deterministic decoder (Sigma = 0) it equals the Riemannian sqrt(det G); in general it is <=
 * sqrt(det G) because F <= sqrt(v^T G v). Evaluated in float64 from the decoder's moments.
 *
 * @returns Float64Array of length n.
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010)
 * @see Busemann, "Intrinsic area", Annals of Mathematics 1947
 */
export function finslerVolume(
  decoder: StochasticDecoder,
  z: tf.Tensor2D,
  options: FinslerVolumeOptions = {},
): Float64Array {
  const fn = 'finslerVolume';
  checkDecoder(fn, decoder);
  const n = checkPoints(fn, 'z', z, decoder.latentDim);
  const o = readOptions(fn, options, ['directions', 'seed', 'rng']);
  const M = options.directions ?? 256;
  if (!Number.isInteger(M) || M < 4)
    throw new LabInputError(fn, 'options.directions', 'must be an integer >= 4', M);
  const mom = checkedJacobian(fn, decoder, z);
  const md = mom.mean.dataSync();
  const cd = mom.covariance.dataSync();
  tf.dispose([mom.mean, mom.covariance]);
  return finslerVolumeFromData(md, cd, n, decoder.outputDim, decoder.latentDim, M, o.seedValue());
}

/** Unit directions for the sphere average (see {@link FinslerVolumeOptions.directions}). */
function sphereDirections(q: number, M: number, seed: number | string): Float64Array {
  const U = new Float64Array(M * q);
  if (q === 1) {
    for (let k = 0; k < M; k++) U[k] = k % 2 === 0 ? 1 : -1;
  } else if (q === 2) {
    for (let k = 0; k < M; k++) {
      U[2 * k] = Math.cos((Math.PI * k) / M);
      U[2 * k + 1] = Math.sin((Math.PI * k) / M);
    }
  } else {
    const rng = createRng(seed);
    const g = new Float64Array(q);
    for (let k = 0; k < M; k++) {
      let norm = 0;
      while (!(norm > 0)) {
        rng.fillNormal(g);
        norm = Math.hypot(...g);
      }
      for (let a = 0; a < q; a++) U[k * q + a] = g[a]! / norm;
    }
  }
  return U;
}

/** 1 / E_u[F(u)^-q] per point from raw moment data (float64). */
export function finslerVolumeFromData(
  md: ArrayLike<number>,
  cd: ArrayLike<number>,
  n: number,
  D: number,
  q: number,
  M: number,
  seed: number | string,
): Float64Array {
  const U = sphereDirections(q, M, seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let k = 0; k < M; k++) {
      let m = 0;
      for (let d = 0; d < D; d++) {
        let jv = 0;
        for (let a = 0; a < q; a++) jv += md[(i * D + d) * q + a]! * U[k * q + a]!;
        m += jv * jv;
      }
      let s2 = 0;
      for (let a = 0; a < q; a++)
        for (let b = 0; b < q; b++) s2 += U[k * q + a]! * cd[i * q * q + a * q + b]! * U[k * q + b]!;
      const F = expectedNormCore(D, Math.max(0, s2), m, false).value;
      acc += F > 0 ? F ** -q : Infinity;
    }
    out[i] = Number.isFinite(acc) ? M / acc : 0;
  }
  return out;
}
