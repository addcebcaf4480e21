import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '@lab/core';
import {
  checkDataFor,
  checkPredictInput,
  type EvaluateResult,
  evaluateForecaster,
  type Forecaster,
  type ForecasterFitResult,
  untrainedFitResult,
} from './Forecaster.js';
import type { ForecastData } from './prepareForecastData.js';
import { checkSizes } from './RepeatForecaster.js';

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
    checkSizes('SeasonalNaiveForecaster', options);
    const period = options.period ?? 24;
    if (!Number.isInteger(period) || period < 1 || period > options.lookback) {
      throw new LabInputError(
        'SeasonalNaiveForecaster',
        'options.period',
        `must be an integer in [1, lookback = ${options.lookback}]`,
        period,
      );
    }
    this.lookback = options.lookback;
    this.horizon = options.horizon;
    this.numSeries = options.numSeries;
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

  evaluate(data: ForecastData, split: 'train' | 'val' | 'test' = 'test'): EvaluateResult {
    return evaluateForecaster(this, data, split);
  }

  dispose(): void {}
}
