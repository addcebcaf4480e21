import * as tf from '@tensorflow/tfjs-core';
import { Dense } from '@lab/core';
import { NeuralForecaster, type NeuralForecasterOptions } from './NeuralForecaster.js';

/** Options of {@link LinearForecaster}. */
export interface LinearForecasterOptions extends NeuralForecasterOptions {}

/**
 * A plain linear model: one `L -> H` linear map (weights and bias) shared by every series,
 * applied to each series' look-back. Instance normalisation defaults to `'none'` (with
 * `'last'` it is NLinear).
 *
 * @see Zeng et al., "Are Transformers Effective for Time Series Forecasting?", AAAI 2023 (Linear/NLinear).
 */
export class LinearForecaster extends NeuralForecaster {
  readonly name: string = 'Linear';
  private readonly dense: Dense;

  constructor(options: LinearForecasterOptions) {
    super('LinearForecaster', options, 'none');
    this.dense = new Dense(this.store, 'linear', { inputDim: this.lookback, units: this.horizon });
  }

  protected forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.transpose(this.dense.apply(tf.transpose(x, [0, 2, 1])), [0, 2, 1]));
  }

  config(): Record<string, unknown> {
    return this.baseConfig();
  }
}
