import { LabInputError, readOptions } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { finslerVolumeFromData } from './finslerVolume.js';
import { checkDecoder, checkedJacobian } from './internal.js';
import { riemannianVolumeFromData } from './riemannianVolume.js';
import type { StochasticDecoder } from './StochasticDecoder.js';

/** Options of {@link volumeGrid}. */
export interface VolumeGridOptions {
  /** Latent box `[[xMin, xMax], [yMin, yMax]]`. */
  bounds: [[number, number], [number, number]];
  /** Grid points per axis (default 50). */
  resolution?: number;
  /** `riemannian` (sqrt det G, default) or `finsler` (Busemann-Hausdorff). */
  kind?: 'riemannian' | 'finsler';
  /** Directions for the Finsler volume (default 128). */
  directions?: number;
  /** Points per decoder.jacobian call (default 2500). */
  batchSize?: number;
}

/** Result of {@link volumeGrid}. */
export interface VolumeGridResult {
  /** x coordinates (length resolution). */
  xs: number[];
  /** y coordinates (length resolution). */
  ys: number[];
  /** Volume element at (xs[i], ys[j]) stored at `values[j * resolution + i]` (rows = y). */
  values: Float64Array;
  /** Which volume element. */
  kind: 'riemannian' | 'finsler';
}

/**
 * Evaluates the Riemannian (sqrt det G) or Finsler (Busemann-Hausdorff) volume element on a grid
 * over a 2-D latent box: the magnification-factor picture usually drawn behind latent codes (log
 * scale recommended).
 *
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010)
 */
export function volumeGrid(decoder: StochasticDecoder, options: VolumeGridOptions): VolumeGridResult {
  const fn = 'volumeGrid';
  checkDecoder(fn, decoder);
  if (decoder.latentDim !== 2)
    throw new LabInputError(fn, 'decoder.latentDim', 'must be 2 for a latent grid', decoder.latentDim);
  readOptions(fn, options, ['bounds', 'resolution', 'kind', 'directions', 'batchSize']);
  const { bounds } = options;
  const okBounds =
    Array.isArray(bounds) &&
    bounds.length === 2 &&
    bounds.every(
      (b) =>
        Array.isArray(b) && b.length === 2 && Number.isFinite(b[0]) && Number.isFinite(b[1]) && b[1] > b[0],
    );
  if (!okBounds)
    throw new LabInputError(
      fn,
      'options.bounds',
      'must be [[xMin, xMax], [yMin, yMax]] with min < max',
      bounds,
    );
  const R = options.resolution ?? 50;
  if (!Number.isInteger(R) || R < 2 || R > 2000)
    throw new LabInputError(fn, 'options.resolution', 'must be an integer in [2, 2000]', R);
  const kind = options.kind ?? 'riemannian';
  if (kind !== 'riemannian' && kind !== 'finsler')
    throw new LabInputError(fn, 'options.kind', "must be 'riemannian' or 'finsler'", kind);
  const M = options.directions ?? 128;
  if (!Number.isInteger(M) || M < 4)
    throw new LabInputError(fn, 'options.directions', 'must be an integer >= 4', M);
  const batch = options.batchSize ?? 2500;
  if (!Number.isInteger(batch) || batch < 1)
    throw new LabInputError(fn, 'options.batchSize', 'must be an integer >= 1', batch);
  const xs = Array.from(
    { length: R },
    (_, i) => bounds[0][0] + ((bounds[0][1] - bounds[0][0]) * i) / (R - 1),
  );
  const ys = Array.from(
    { length: R },
    (_, j) => bounds[1][0] + ((bounds[1][1] - bounds[1][0]) * j) / (R - 1),
  );
  const values = new Float64Array(R * R);
  const D = decoder.outputDim;
  for (let s = 0; s < R * R; s += batch) {
    const n = Math.min(batch, R * R - s);
    const pts = new Float32Array(2 * n);
    for (let k = 0; k < n; k++) {
      pts[2 * k] = xs[(s + k) % R]!;
      pts[2 * k + 1] = ys[Math.floor((s + k) / R)]!;
    }
    const z = tf.tensor2d(pts, [n, 2]);
    const mom = checkedJacobian(fn, decoder, z);
    const md = mom.mean.dataSync();
    const cd = mom.covariance.dataSync();
    tf.dispose([z, mom.mean, mom.covariance]);
    values.set(
      kind === 'riemannian'
        ? riemannianVolumeFromData(md, cd, n, D, 2)
        : finslerVolumeFromData(md, cd, n, D, 2, M, 0),
      s,
    );
  }
  return { xs, ys, values, kind };
}
