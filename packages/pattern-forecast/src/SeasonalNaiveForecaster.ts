import * as tf from '@tensorflow/tfjs-core';
import { readOptions } from '@lab/core';
import {
  checkDataFor,
  checkPredictInput,
  type EvaluateOptions,
  type EvaluateResult,
  evaluateForecaster,
  type Forecaster,
  type ForecasterFitResult,
  untrainedFitResult,
} from './Forecaster.js';
import type { ForecastData } from './prepareForecastData.js';
import { readSizes, SIZE_KEYS } from './forecasterConfig.js';

/** Options of {@link SeasonalNaiveForecaster}. */
export interface SeasonalNaiveForecasterOptions {
  lookback: number;
  horizon: number;
  numSeries: number;
  /** Season length in steps (default 24: daily for hourly data); must be <= lookback. */
  period?: number;
}

/**
 * Seasonal naive baseline: step `h` of the forecast repeats the value one season earlier,
 * `y[L + h] = x[L - p + (h mod p)]`. No parameters.
 *
 * @see Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed., sec. 5.2.
 */
export class SeasonalNaiveForecaster implements Forecaster {
  readonly name: string = 'SeasonalNaive';
  readonly lookback: number;
  readonly horizon: number;
  readonly numSeries: number;
  readonly period: number;

  constructor(options: SeasonalNaiveForecasterOptions) {
    const o = readOptions('SeasonalNaiveForecaster', options, [...SIZE_KEYS, 'period']);
    const sizes = readSizes(o);
    const period = o.integer('period', 24, { min: 1, max: sizes.lookback });
    this.lookback = sizes.lookback;
    this.horizon = sizes.horizon;
    this.numSeries = sizes.numSeries;
    this.period = period;
  }

  async fit(data: ForecastData): Promise<ForecasterFitResult> {
    checkDataFor(`${this.name}.fit`, this, data);
    return untrainedFitResult();
  }

  predict(x: tf.Tensor): tf.Tensor {
    checkPredictInput(`${this.name}.predict`, this, x);
    const idx = new Int32Array(this.horizon);
    for (let h = 0; h < this.horizon; h++) idx[h] = this.lookback - this.period + (h % this.period);
    return tf.tidy(() => tf.gather(x, tf.tensor1d(idx, 'int32'), 1));
  }

  /** {@link evaluateForecaster} of this forecaster. */
  evaluate(data: ForecastData, options?: EvaluateOptions): EvaluateResult {
    return evaluateForecaster(this, data, options);
  }

  dispose(): void {}
}
