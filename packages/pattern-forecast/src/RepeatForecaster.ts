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

/** Options of {@link RepeatForecaster}. */
export interface RepeatForecasterOptions {
  lookback: number;
  horizon: number;
  numSeries: number;
}

/** Validates the three sizes every forecaster takes. Internal. */
export function checkSizes(fn: string, o: { lookback: number; horizon: number; numSeries: number }): void {
  if (o === null || typeof o !== 'object') throw new LabInputError(fn, 'options', 'must be an object', o);
  for (const k of ['lookback', 'horizon', 'numSeries'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1)
      throw new LabInputError(fn, `options.${k}`, 'must be a positive integer', o[k]);
  }
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
    checkSizes('RepeatForecaster', options);
    this.lookback = options.lookback;
    this.horizon = options.horizon;
    this.numSeries = options.numSeries;
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

  evaluate(data: ForecastData, split: 'train' | 'val' | 'test' = 'test'): EvaluateResult {
    return evaluateForecaster(this, data, split);
  }

  dispose(): void {}
}
