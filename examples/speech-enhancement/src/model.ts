// The TinyLSTM / DTLN-stage-1 style mask estimator.
import { Dense, LSTM, ParameterStore } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link MaskEstimator}. */
export interface MaskEstimatorOptions {
  /** STFT bins (input features and mask size). */
  readonly bins: number;
  /** LSTM hidden units per layer. */
  readonly hidden: number;
  /** Seed of the initial weights. */
  readonly seed: number | string;
}

/**
 * Normalised log-power features -> LSTM(H) -> LSTM(H) -> Dense + sigmoid -> mask over the bins.
 * Parameters (core layout): `lstm1.{kernel,recurrentKernel,bias}`, `lstm2.*`, `mask.{kernel,bias}`.
 *
 * @see Fedorov et al., "TinyLSTMs: Efficient Neural Speech Enhancement for Hearing Aids", arXiv 2005.11138.
 * @see Westhausen & Meyer, "Dual-Signal Transformation LSTM Network", Interspeech 2020 (stage 1).
 */
export class MaskEstimator {
  readonly store: ParameterStore;
  readonly bins: number;
  readonly hidden: number;
  readonly lstm1: LSTM;
  readonly lstm2: LSTM;
  readonly mask: Dense;

  constructor(options: MaskEstimatorOptions) {
    this.bins = options.bins;
    this.hidden = options.hidden;
    this.store = new ParameterStore({ seed: options.seed });
    this.lstm1 = new LSTM(this.store, 'lstm1', { inputDim: options.bins, units: options.hidden });
    this.lstm2 = new LSTM(this.store, 'lstm2', { inputDim: options.hidden, units: options.hidden });
    this.mask = new Dense(this.store, 'mask', { inputDim: options.hidden, units: options.bins, activation: 'sigmoid' });
  }

  /** Mask `[batch, time, bins]` in (0, 1) for features `[batch, time, bins]`. */
  apply(features: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const h1 = this.lstm1.apply(features).output;
      const h2 = this.lstm2.apply(h1).output;
      return this.mask.apply(h2);
    });
  }

  /** Frees the parameters. */
  dispose(): void {
    this.store.dispose();
  }
}
