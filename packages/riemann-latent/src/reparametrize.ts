import { LabInputError, readOptions } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { CubicSpline } from './CubicSpline.js';
import { type MetricKind, checkedJac, increments, pointsTensor, speedFromMoments } from './curveTerms.js';
import { checkDecoder, checkedJacobian } from './internal.js';
import type { StochasticDecoder } from './StochasticDecoder.js';

/** Options of {@link reparametrize}. */
export interface ReparametrizeOptions {
  /** Number of output points, ends included (default 32). */
  count?: number;
  /** Metric measuring arc length (default `finsler`). */
  metric?: MetricKind;
  /** Splines: intervals of the midpoint rule for the cumulative length (default 256). */
  resolution?: number;
}

/** Result of {@link reparametrize}. */
export interface ReparametrizeResult {
  /** Curve parameters t_j in [0, 1] of the equally spaced points (splines), or fractional indices / N (point lists). */
  t: number[];
  /** The `count` latent points, equally spaced in metric arc length. */
  points: number[][];
  /** Total metric length used for the spacing. */
  length: number;
}

/**
 * Reparametrises a latent curve to constant metric speed: `count` points equally spaced in arc
 * length under the Finsler (default) or Riemannian metric, e.g. to interpolate along a geodesic.
 * Splines: cumulative length by the midpoint rule on `resolution` intervals, inverted by linear
 * interpolation in t. Point lists: the discrete increment lengths (see {@link curveLength}), with
 * linear interpolation between the points.
 *
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010)
 */
export function reparametrize(
  decoder: StochasticDecoder,
  curve: CubicSpline | readonly (readonly number[])[],
  options: ReparametrizeOptions = {},
): ReparametrizeResult {
  const fn = 'reparametrize';
  checkDecoder(fn, decoder);
  readOptions(fn, options, ['count', 'metric', 'resolution']);
  const count = options.count ?? 32;
  if (!Number.isInteger(count) || count < 2)
    throw new LabInputError(fn, 'options.count', 'must be an integer >= 2', count);
  const metric = options.metric ?? 'finsler';
  if (metric !== 'finsler' && metric !== 'riemannian')
    throw new LabInputError(fn, 'options.metric', "must be 'finsler' or 'riemannian'", metric);
  const resolution = options.resolution ?? 256;
  if (!Number.isInteger(resolution) || resolution < 2)
    throw new LabInputError(fn, 'options.resolution', 'must be an integer >= 2', resolution);

  let seg: Float64Array; // local lengths of the pieces
  let nodes: number[]; // parameter of each piece boundary
  if (curve instanceof CubicSpline) {
    if (curve.dim !== decoder.latentDim) {
      throw new LabInputError(
        fn,
        'curve',
        `must live in the decoder's latent dimension ${decoder.latentDim} (dimension mismatch)`,
        curve.dim,
      );
    }
    const mids = Array.from({ length: resolution }, (_, i) => (i + 0.5) / resolution);
    const { points, velocities } = curve.tensors(mids);
    const mom = checkedJacobian(fn, decoder, points);
    const s = tf.tidy(() => speedFromMoments(decoder.outputDim, metric, mom, velocities));
    seg = Float64Array.from(s.dataSync(), (x) => x / resolution);
    tf.dispose([points, velocities, mom.mean, mom.covariance, s]);
    nodes = Array.from({ length: resolution + 1 }, (_, i) => i / resolution);
  } else {
    const z = pointsTensor(fn, 'curve', curve, decoder.latentDim);
    const l = increments(decoder, checkedJac(fn, decoder), metric, z);
    seg = Float64Array.from(l.dataSync());
    tf.dispose([z, l]);
    const N = curve.length - 1;
    nodes = Array.from({ length: N + 1 }, (_, i) => i / N);
  }
  const cum = [0];
  for (let i = 0; i < seg.length; i++) cum.push(cum[i]! + seg[i]!);
  const total = cum[cum.length - 1]!;
  const t: number[] = [];
  let j = 0;
  for (let k = 0; k < count; k++) {
    const target = (k / (count - 1)) * total;
    while (j < seg.length - 1 && cum[j + 1]! < target) j++;
    const frac = seg[j]! > 0 ? Math.min(1, Math.max(0, (target - cum[j]!) / seg[j]!)) : 0;
    t.push(k === count - 1 ? 1 : nodes[j]! + frac * (nodes[j + 1]! - nodes[j]!));
  }
  let points: number[][];
  if (curve instanceof CubicSpline) {
    points = curve.evaluate(t);
  } else {
    const N = curve.length - 1;
    points = t.map((tk) => {
      const x = tk * N;
      const i = Math.min(N - 1, Math.floor(x));
      const f = x - i;
      return curve[i]!.map((a, d) => a + f * (curve[i + 1]![d]! - a));
    });
  }
  return { t, points, length: total };
}
