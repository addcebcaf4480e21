import * as tf from '@tensorflow/tfjs-core';
import {
  emptyFitHistory,
  type FitHistory,
  type FitOptions,
  LabInputError,
  readOptions,
  type SeedOptions,
} from '@lab/core';
import type { ForecastData } from './prepareForecastData.js';

/** Options of {@link Forecaster.fit}. */
export interface ForecasterFitOptions extends SeedOptions {
  /** Maximum passes over the training windows (default 10). */
  epochs?: number;
  /** Windows per step (default 32). */
  batchSize?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Early-stopping patience on validation MSE, in epochs (default 3). */
  patience?: number;
  // seed / rng (SeedOptions): the shuffling (default seed 0); parameters are seeded by the constructor.
  /** Called after every epoch (and every batch with `progressEvery: 'batch'`); `false` stops. */
  onProgress?: FitOptions['onProgress'];
  /** Report progress every epoch (default) or every batch. */
  progressEvery?: 'epoch' | 'batch';
}

/**
 * Result of {@link Forecaster.fit}: the training history of `fit` from `@lab/core` (an empty
 * history, `epochs: 0`, for forecasters without parameters).
 */
export interface ForecasterFitResult extends FitHistory {
  /** Epochs run (= `epochsRun`). */
  epochs: number;
  /** Mean wall time per epoch in milliseconds, validation included (0 without training). */
  msPerEpoch: number;
}

/** The result of `fit` for forecasters without parameters (nothing trained). Internal. */
export function untrainedFitResult(): ForecasterFitResult {
  return { ...emptyFitHistory(), epochs: 0, msPerEpoch: 0 };
}

/** Options of {@link evaluateForecaster} and {@link Forecaster.evaluate}. */
export interface EvaluateOptions {
  /** Segment (default `'test'`). */
  split?: 'train' | 'val' | 'test';
  /** Windows per forward pass (default 256; does not change the result). */
  batchSize?: number;
}

/** Result of {@link Forecaster.evaluate} / {@link evaluateForecaster}. */
export interface EvaluateResult {
  /** Mean squared error over every window, step and series (normalised scale). */
  mse: number;
  /** Mean absolute error, same averaging. */
  mae: number;
  /** Number of windows evaluated. */
  windows: number;
}

/**
 * A multivariate forecaster mapping a look-back `x` `[B, L, N]` to `[B, H, N]` (z-normalised
 * scale). Forecasters holding tensors free them with `dispose()`.
 */
export interface Forecaster {
  /** Short name, e.g. `'DLinear'`. */
  readonly name: string;
  readonly lookback: number;
  readonly horizon: number;
  readonly numSeries: number;
  /** Trains on `data.windows.train` with early stopping on `data.windows.val` (no-op for naive models). */
  fit(data: ForecastData, options?: ForecasterFitOptions): Promise<ForecasterFitResult>;
  /** Forecast `[B, H, N]` for `x` `[B, L, N]` (the caller owns the result). */
  predict(x: tf.Tensor): tf.Tensor;
  /** MSE / MAE over every stride-1 window of a segment. */
  evaluate(data: ForecastData, options?: EvaluateOptions): EvaluateResult;
  /** Frees tensors. */
  dispose(): void;
}

/**
 * Gathers windows from a `[T, N]` series tensor: inputs `[B, L, N]` (rows `s .. s+L-1`) and
 * targets `[B, H, N]` (rows `s+L .. s+L+H-1`) for each start `s` in `starts` (int32 `[B]`).
 */
export function gatherWindows(
  series: tf.Tensor,
  starts: tf.Tensor,
  lookback: number,
  horizon: number,
): { x: tf.Tensor3D; y: tf.Tensor3D } {
  return tf.tidy(() => {
    const span = lookback + horizon;
    const b = starts.shape[0]!;
    const n = series.shape[1]!;
    const idx = tf.add(tf.reshape(starts, [b, 1]), tf.reshape(tf.range(0, span, 1, 'int32'), [1, span]));
    const w = tf.reshape(tf.gather(series, tf.reshape(idx, [-1])), [b, span, n]);
    const x = tf.slice(w, [0, 0, 0], [b, lookback, n]) as tf.Tensor3D;
    const y = tf.slice(w, [0, lookback, 0], [b, horizon, n]) as tf.Tensor3D;
    return { x, y };
  });
}

/** Checks that a forecaster matches the data's shape. Internal. */
export function checkDataFor(fn: string, f: Forecaster, data: ForecastData): void {
  if (
    data === null ||
    typeof data !== 'object' ||
    !(data.values instanceof Float32Array) ||
    data.windows === undefined
  ) {
    throw new LabInputError(fn, 'data', 'must be a ForecastData from prepareForecastData', data);
  }
  if (data.cols !== f.numSeries)
    throw new LabInputError(fn, 'data.cols', `must equal the model's ${f.numSeries} series`, data.cols);
  if (data.lookback !== f.lookback)
    throw new LabInputError(
      fn,
      'data.lookback',
      `must equal the model's look-back ${f.lookback}`,
      data.lookback,
    );
  if (data.horizon !== f.horizon)
    throw new LabInputError(fn, 'data.horizon', `must equal the model's horizon ${f.horizon}`, data.horizon);
}

/**
 * MSE and MAE of a forecaster over every stride-1 window of a segment (the last partial batch
 * included), accumulated in float64, on the z-normalised scale used by the ETT literature.
 *
 * @param forecaster - any {@link Forecaster}.
 * @param data - prepared data.
 * @param options - `split`: segment (default `'test'`); `batchSize`: windows per forward pass
 *   (default 256; does not change the result).
 * @see Zeng et al., "Are Transformers Effective for Time Series Forecasting?" (DLinear), AAAI 2023.
 */
export function evaluateForecaster(
  forecaster: Forecaster,
  data: ForecastData,
  options?: EvaluateOptions,
): EvaluateResult {
  const fn = 'evaluateForecaster';
  checkDataFor(fn, forecaster, data);
  const o = readOptions(fn, options, ['split', 'batchSize']);
  const split = o.oneOf('split', ['train', 'val', 'test'] as const, 'test');
  const batchSize = o.integer('batchSize', 256, { min: 1 });
  const starts = data.windows[split];
  if (!(starts instanceof Int32Array))
    throw new LabInputError(fn, 'data.windows', `must hold Int32Array start rows for '${split}'`, starts);
  const series = tf.tensor2d(data.values, [data.rows, data.cols]);
  let se = 0;
  let ae = 0;
  try {
    for (let s = 0; s < starts.length; s += batchSize) {
      const chunk = starts.subarray(s, Math.min(starts.length, s + batchSize));
      const [pred, truth] = tf.tidy(() => {
        const { x, y } = gatherWindows(series, tf.tensor1d(chunk, 'int32'), data.lookback, data.horizon);
        const p = forecaster.predict(x);
        return [p.dataSync(), y.dataSync()];
      });
      for (let i = 0; i < pred!.length; i++) {
        const d = pred![i]! - truth![i]!;
        se += d * d;
        ae += Math.abs(d);
      }
    }
  } finally {
    series.dispose();
  }
  const count = starts.length * data.horizon * data.cols;
  return { mse: se / count, mae: ae / count, windows: starts.length };
}

/** Validates a predict input `[B, L, N]`. Internal. */
export function checkPredictInput(fn: string, f: Forecaster, x: tf.Tensor): void {
  if (
    !(x instanceof tf.Tensor) ||
    x.isDisposed ||
    x.rank !== 3 ||
    x.shape[1] !== f.lookback ||
    x.shape[2] !== f.numSeries
  ) {
    throw new LabInputError(fn, 'x', `must be a live tf.Tensor [batch, ${f.lookback}, ${f.numSeries}]`, x);
  }
}
