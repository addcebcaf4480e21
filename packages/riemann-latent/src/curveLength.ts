import { LabInputError } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { CubicSpline } from './CubicSpline.js';
import {
  type CurveMeasureOptions,
  checkExactIncrements,
  checkedJac,
  measureTf,
  pointsTensor,
  resolveMeasureOptions,
} from './curveTerms.js';
import { checkDecoder } from './internal.js';
import type { StochasticDecoder } from './StochasticDecoder.js';

export type { CurveMeasureOptions, MetricKind } from './curveTerms.js';

/** Options of {@link curveLength}. */
export type CurveLengthOptions = CurveMeasureOptions;

/**
 * Length of a latent curve under the Finsler metric F(z, v) = E||J v|| (default) or the expected
 * Riemannian metric sqrt(v^T G v). A {@link CubicSpline} is measured by Gauss-Legendre quadrature of
 * the metric speed (continuous); a point list `[[z_0], ..., [z_N]]` (or a spline with
 * `method: 'discrete'`) by the sum of increment lengths: Finsler sum_i E||f(z_{i+1}) - f(z_i)|| with
 * the increment ~ N(d mu_i, dvar_i I), Riemannian sum_i sqrt(||d mu_i||^2 + D dvar_i), where
 * d mu_i comes from decoder.predict and dvar_i = dz_i^T Sigma(midpoint) dz_i.
 *
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010)
 */
export function curveLength(
  decoder: StochasticDecoder,
  curve: CubicSpline | readonly (readonly number[])[],
  options: CurveLengthOptions = {},
): number {
  return measure('curveLength', decoder, curve, options).length;
}

/** Shared public implementation of curveLength / curveEnergy. */
export function measure(
  fn: string,
  decoder: StochasticDecoder,
  curve: CubicSpline | readonly (readonly number[])[],
  options: CurveMeasureOptions,
): { length: number; energy: number } {
  checkDecoder(fn, decoder);
  const isSpline = curve instanceof CubicSpline;
  if (isSpline && curve.dim !== decoder.latentDim) {
    throw new LabInputError(
      fn,
      'curve',
      `must live in the decoder's latent dimension ${decoder.latentDim} (dimension mismatch)`,
      curve.dim,
    );
  }
  const opts = resolveMeasureOptions(fn, options, isSpline);
  if (opts.method === 'discrete' && opts.incrementVariance === 'exact') checkExactIncrements(fn, decoder);
  const z = isSpline ? undefined : pointsTensor(fn, 'curve', curve, decoder.latentDim);
  try {
    const r = measureTf(decoder, isSpline ? curve : (z as tf.Tensor2D), opts, checkedJac(fn, decoder));
    const out = { length: r.length.dataSync()[0]!, energy: r.energy.dataSync()[0]! };
    tf.dispose([r.length, r.energy]);
    return out;
  } finally {
    z?.dispose();
  }
}
