import * as tf from '@tensorflow/tfjs-core';
import { readOptions } from '@lab/core';
import { readSizes, SIZE_KEYS } from './forecasterConfig.js';
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

/** Options of {@link RepeatForecaster}. */
export interface RepeatForecasterOptions {
  lookback: number;
  horizon: number;
  numSeries: number;
}

/**
 * The "Repeat" baseline: the last observed value of each series, repeated over the horizon.
 * No parameters; `fit` does nothing.
 *
 * @see Zeng et al., "Are Transformers Effective for Time Series Forecasting?" (DLinear), AAAI 2023, Table 2.
 */
export class RepeatForecaster implements Forecaster {
  readonly name: string = 'Repeat';
  readonly lookback: number;
  readonly horizon: number;
  readonly numSeries: number;

  constructor(options: RepeatForecasterOptions) {
    const sizes = readSizes(readOptions('RepeatForecaster', options, SIZE_KEYS));
    this.lookback = sizes.lookback;
    this.horizon = sizes.horizon;
    this.numSeries = sizes.numSeries;
  }

  async fit(data: ForecastData): Promise<ForecasterFitResult> {
    checkDataFor(`${this.name}.fit`, this, data);
    return untrainedFitResult();
  }

  predict(x: tf.Tensor): tf.Tensor {
    checkPredictInput(`${this.name}.predict`, this, x);
    return tf.tidy(() => {
      const last = tf.slice(x, [0, this.lookback - 1, 0], [-1, 1, -1]);
      return tf.tile(last, [1, this.horizon, 1]);
    });
  }

  /** {@link evaluateForecaster} of this forecaster. */
  evaluate(data: ForecastData, options?: EvaluateOptions): EvaluateResult {
    return evaluateForecaster(this, data, options);
  }

  dispose(): void {}
}
