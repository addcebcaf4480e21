import { Adam, LabInputError, readOptions } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { CubicSpline } from './CubicSpline.js';
import {
  type CurveMeasureOptions,
  type MetricKind,
  checkExactIncrements,
  measureTf,
  quadratureRule,
  resolveMeasureOptions,
} from './curveTerms.js';
import { graphGeodesic } from './graphGeodesic.js';
import { checkDecoder, checkPoint, checkedJacobian } from './internal.js';
import type { LatentGridOptions } from './latentGrid.js';
import type { StochasticDecoder } from './StochasticDecoder.js';

/** Progress report passed to {@link ConnectingGeodesicOptions.onProgress}. */
export interface GeodesicProgress {
  /** Optimisation step (1-based). */
  step: number;
  /** Curve energy at this step (before the update). */
  energy: number;
}

/** Options of {@link connectingGeodesic}. */
export interface ConnectingGeodesicOptions {
  /** Metric (default `finsler`). */
  metric?: MetricKind;
  /**
   * `spline` (default): Adam on the spline coefficients from the straight line plus seeded noise.
   * `graph`: Dijkstra on a latent grid ({@link graphGeodesic}, 2-D latents), least-squares spline
   * fit of the path, then the same Adam refinement.
   */
  method?: 'spline' | 'graph';
  /** Spline pieces K (default 8). */
  segments?: number;
  /** Adam steps (default 300; 0 returns the initial curve). */
  steps?: number;
  /** Adam learning rate (default 0.1, as in stochman). */
  lr?: number;
  /** Seed of the initial perturbation (default 0). */
  seed?: number | string;
  /** Std of the initial coefficient noise relative to |z1 - z0| (default 0.05 for `spline`, 0 for `graph`). */
  initNoise?: number;
  /** Energy discretisation (default `quadrature`; `discrete` uses N = `intervals` increments). */
  energy?: 'quadrature' | 'discrete';
  /** Gauss-Legendre nodes per piece (default 4). */
  quadratureOrder?: number;
  /** Intervals of the discrete energy (default 64). */
  intervals?: number;
  /** Increment variance of the discrete energy (see {@link CurveMeasureOptions.incrementVariance}). */
  incrementVariance?: 'midpoint' | 'exact';
  /** Grid options for `method: 'graph'`. */
  grid?: LatentGridOptions;
  /** Called each step; return `false` to stop early. */
  onProgress?: (p: GeodesicProgress) => boolean | undefined;
}

/** Result of {@link connectingGeodesic}. */
export interface ConnectingGeodesicResult {
  /** The geodesic (the lowest-energy iterate seen). */
  curve: CubicSpline;
  /** Its metric length (same discretisation as the energy). */
  length: number;
  /** Its energy. */
  energy: number;
  /** Energy of the initial curve. */
  initialEnergy: number;
  /** Energy per step. */
  history: number[];
  /** Steps run. */
  steps: number;
  /** For `method: 'graph'`: the Dijkstra path and its length. */
  graph?: { path: number[][]; length: number };
}

/**
 * Geodesic between two latent points: minimises the curve energy int ||c'(t)||^2 dt under the
 * Finsler metric F(z, v) = E||J v|| (default) or the expected Riemannian metric, over C2 cubic
 * splines with fixed end points ({@link CubicSpline}), with Adam (lr 0.1, 300 steps by default).
 * The initial curve is the straight line plus seeded noise (`spline`) or a spline fitted to the
 * Dijkstra shortest path on a latent grid (`graph`; the authors' more reliable choice). Minimising
 * energy also gives constant speed, so `length` is the geodesic distance estimate.
 *
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010)
 * @see stochman `geodesic.py` (github.com/MachineLearningLifeScience/stochman)
 */
export function connectingGeodesic(
  decoder: StochasticDecoder,
  z0: ArrayLike<number>,
  z1: ArrayLike<number>,
  options: ConnectingGeodesicOptions = {},
): ConnectingGeodesicResult {
  const fn = 'connectingGeodesic';
  checkDecoder(fn, decoder);
  const o = readOptions(fn, options, [
    'metric',
    'method',
    'segments',
    'steps',
    'lr',
    'seed',
    'rng',
    'initNoise',
    'energy',
    'quadratureOrder',
    'intervals',
    'incrementVariance',
    'grid',
    'onProgress',
  ]);
  const q = decoder.latentDim;
  const a = checkPoint(fn, 'z0', z0, q);
  const b = checkPoint(fn, 'z1', z1, q);
  const dist = Math.hypot(...a.map((x, i) => x - b[i]!));
  if (!(dist > 0)) throw new LabInputError(fn, 'z1', 'must differ from z0 (zero-length geodesic)', z1);
  const method = options.method ?? 'spline';
  if (method !== 'spline' && method !== 'graph')
    throw new LabInputError(fn, 'options.method', "must be 'spline' or 'graph'", method);
  const segments = options.segments ?? 8;
  if (!Number.isInteger(segments) || segments < 1 || segments > 200) {
    throw new LabInputError(fn, 'options.segments', 'must be an integer in [1, 200]', segments);
  }
  const steps = options.steps ?? 300;
  if (!Number.isInteger(steps) || steps < 0)
    throw new LabInputError(fn, 'options.steps', 'must be an integer >= 0', steps);
  const lr = options.lr ?? 0.1;
  if (typeof lr !== 'number' || !(lr > 0) || !Number.isFinite(lr))
    throw new LabInputError(fn, 'options.lr', 'must be a finite number > 0', lr);
  const initNoise = options.initNoise ?? (method === 'spline' ? 0.05 : 0);
  if (typeof initNoise !== 'number' || !(initNoise >= 0) || !Number.isFinite(initNoise)) {
    throw new LabInputError(fn, 'options.initNoise', 'must be a finite number >= 0', initNoise);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new LabInputError(fn, 'options.onProgress', 'must be a function', options.onProgress);
  }
  const measure = resolveMeasureOptions(
    fn,
    {
      metric: options.metric,
      method: options.energy ?? 'quadrature',
      quadratureOrder: options.quadratureOrder,
      intervals: options.intervals,
      incrementVariance: options.incrementVariance,
    },
    true,
  );
  if (measure.method === 'discrete' && measure.incrementVariance === 'exact')
    checkExactIncrements(fn, decoder);

  // Initial curve.
  let init = CubicSpline.line(a, b, segments);
  let graph: ConnectingGeodesicResult['graph'];
  if (method === 'graph') {
    const g = graphGeodesic(decoder, a, b, { metric: measure.metric, ...options.grid });
    graph = { path: g.path, length: g.length };
    init = CubicSpline.fit(a, b, g.path, { segments });
  }
  const coef = Float64Array.from(init.coefficients);
  if (initNoise > 0) {
    const rng = o.rng();
    for (let i = 0; i < coef.length; i++) coef[i]! += rng.normal(0, initNoise * dist);
  }
  init = init.withCoefficients(coef);

  // Validate the decoder's moments once along the initial curve.
  {
    const { t } = quadratureRule(segments, measure.quadratureOrder);
    const { points, velocities } = init.tensors(t);
    const mom = checkedJacobian(fn, decoder, points);
    tf.dispose([points, velocities, mom.mean, mom.covariance]);
  }

  const jac = (z: tf.Tensor2D) => decoder.jacobian(z);
  const initial = tf.tensor2d(Float32Array.from(coef), [segments + 1, q]);
  const variable = tf.variable(initial, true);
  initial.dispose();
  const optimizer = new Adam({ coefficients: variable }, { lr });
  const history: number[] = [];
  let bestEnergy = Infinity;
  let best = Float64Array.from(coef);
  let last = best;
  let ran = 0;
  try {
    for (let step = 1; step <= steps; step++) {
      const before = Float64Array.from(variable.dataSync());
      const energy = optimizer.minimize(() => measureTf(decoder, init, measure, jac, variable).energy);
      if (!Number.isFinite(energy)) {
        throw new LabInputError(fn, 'decoder', `produced a non-finite curve energy at step ${step}`, energy);
      }
      history.push(energy);
      ran = step;
      if (energy < bestEnergy) {
        bestEnergy = energy;
        best = before;
      }
      if (options.onProgress?.({ step, energy }) === false) break;
    }
    last = Float64Array.from(variable.dataSync());
  } finally {
    optimizer.dispose();
    variable.dispose();
  }
  // The last update has not been scored: score it and keep the lower-energy curve.
  const candidates = ran > 0 ? [init.withCoefficients(best), init.withCoefficients(last)] : [init];
  let chosen: { curve: CubicSpline; length: number; energy: number } | undefined;
  for (const c of candidates) {
    const r = measureTf(decoder, c, measure, jac);
    const e = r.energy.dataSync()[0]!;
    const l = r.length.dataSync()[0]!;
    tf.dispose([r.energy, r.length]);
    if (chosen === undefined || e < chosen.energy) chosen = { curve: c, length: l, energy: e };
  }
  const out = chosen!;
  return {
    curve: out.curve,
    length: out.length,
    energy: out.energy,
    initialEnergy: history[0] ?? out.energy,
    history,
    steps: ran,
    ...(graph ? { graph } : {}),
  };
}
