import type { CubicSpline } from './CubicSpline.js';
import type { CurveMeasureOptions } from './curveTerms.js';
import { measure } from './curveLength.js';
import type { StochasticDecoder } from './StochasticDecoder.js';

/** Options of {@link curveEnergy}. */
export type CurveEnergyOptions = CurveMeasureOptions;

/**
 * Energy of a latent curve c: [0, 1] -> R^q, E = int_0^1 ||c'(t)||^2 dt, under the Finsler metric
 * (default) or the expected Riemannian metric. A {@link CubicSpline} uses Gauss-Legendre quadrature
 * (exact for a constant metric with the default order 4); a point list of N + 1 points, taken as
 * uniform in t, uses the discrete energies: Riemannian `N sum_i (||d mu_i||^2 + D dvar_i)`
 * (= E||f(z_{i+1}) - f(z_i)||^2 summed, the GP-LVM form of the paper) and Finsler
 * `N sum_i (E||d f_i||)^2` (see {@link curveLength} for d mu_i, dvar_i). Both converge to the
 * continuous energy as N grows. Energy >= length^2 with equality at constant speed.
 *
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010)
 */
export function curveEnergy(
  decoder: StochasticDecoder,
  curve: CubicSpline | readonly (readonly number[])[],
  options: CurveEnergyOptions = {},
): number {
  return measure('curveEnergy', decoder, curve, options).energy;
}
