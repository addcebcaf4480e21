// The TinyLSTM / DTLN-stage-1 style mask estimator.
import { Dense, ParameterStore } from '@lab/core';
import { QuantLSTM } from '@lab/sparse-quant';
import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link MaskEstimator}. */
export interface MaskEstimatorOptions {
  /** STFT bins (input features and mask size). */
  readonly bins: number;
  /** LSTM hidden units per layer. */
  readonly hidden: number;
  /** Seed of the initial weights. */
  readonly seed: number | string;
  /**
   * Fake-quantise the LSTM activations as TFLite's integer LSTM (sparse-quant's `QuantLSTM`:
   * int8 input and hidden state, int16 gates and cell). Default false: float activations.
   */
  readonly quantizeActivations?: boolean;
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
  readonly lstm1: QuantLSTM;
  readonly lstm2: QuantLSTM;
  readonly mask: Dense;

  constructor(options: MaskEstimatorOptions) {
    this.bins = options.bins;
    this.hidden = options.hidden;
    this.store = new ParameterStore({ seed: options.seed });
    // QuantLSTM keeps core LSTM's parameters; with quant disabled it is core's float LSTM.
    const quant = { enabled: options.quantizeActivations ?? false };
    this.lstm1 = new QuantLSTM(this.store, 'lstm1', { inputDim: options.bins, units: options.hidden, quant });
    this.lstm2 = new QuantLSTM(this.store, 'lstm2', { inputDim: options.hidden, units: options.hidden, quant });
    this.mask = new Dense(this.store, 'mask', { inputDim: options.hidden, units: options.bins, activation: 'sigmoid' });
  }

  /**
   * Mask `[batch, time, bins]` in (0, 1) for features `[batch, time, bins]`; `training` updates
   * the activation range observers of quantised LSTMs.
   */
  apply(features: tf.Tensor, training = false): tf.Tensor {
    return tf.tidy(() => {
      const h1 = this.lstm1.apply(features, { training }).output;
      const h2 = this.lstm2.apply(h1, { training }).output;
      return this.mask.apply(h2);
    });
  }

  /** Frees the parameters. */
  dispose(): void {
    this.store.dispose();
  }
}
