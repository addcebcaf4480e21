import {
  LSTM,
  readOptions,
  type LSTMApplyOptions,
  type LSTMOptions,
  type LSTMResult,
  type ParameterStore,
} from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { fakeQuantizeUnchecked } from './fakeQuantize.js';
import {
  GATE_OUTPUT_GRID,
  GATE_PREACTIVATION_GRID,
  RecurrentQuant,
  type RecurrentQuantOptions,
  checkSequenceInput,
  checkStateInput,
} from './recurrentQuant.js';
import { QuantRecurrentLayer } from './quantRecurrentLayer.js';

/** Options of {@link QuantLSTM}: core's {@link LSTMOptions} plus activation quantisation. */
export interface QuantLSTMOptions extends LSTMOptions {
  quant?: RecurrentQuantOptions;
}

/**
 * An LSTM with quantisation-aware activations, parameter-compatible with @lab/core's `LSTM`
 * (it creates the same parameters through core's constructor: `<name>.kernel` `[F, 4H]`,
 * `.recurrentKernel` `[H, 4H]`, `.bias` `[4H]`, gates i, f, g, o), so a store trained with
 * either layer loads into the other. Weights are quantised by the store's transform (see
 * {@link applyCompression}); this layer fake-quantises the activations at the points of
 * TFLite's integer (8x8->16) LSTM:
 *
 * 1. input x: int8 asymmetric, moving-average range (`<name>.input`);
 * 2. input and recurrent projections `x W + b` and `h U`: each int16 Q3.12 (scale 2^-12),
 *    added with saturation (int16 Q3.12 again);
 * 3. gate outputs sigmoid(z_i, z_f, z_o), tanh(z_g): int16 Q0.15;
 * 4. cell state c = f c + i g: int16 at scale 2^cellShift (Q4.11 by default), or float;
 * 5. tanh(c): int16 Q0.15;
 * 6. hidden state h = o tanh(c): int8 asymmetric (or int16 symmetric), moving-average range
 *    (`<name>.hidden`), also the layer's output and the next step's recurrent input.
 *
 * Gradients: clipped straight-through at every point. With `training: true` the observers update
 * once per call (input: its min/max; h: its min/max over all time steps; while training, h is
 * quantised with the union of the moving-average range and the range seen so far in the call,
 * so training never clips it). Observers hold no tensors.
 *
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351; Fedorov et al., "TinyLSTMs",
 *   arXiv 2005.11138 (LSTM QAT); TFLite's integer LSTM kernel (`lstm_eval.cc`, 8x8_16).
 */
export class QuantLSTM extends QuantRecurrentLayer<LSTM> {
  constructor(store: ParameterStore, name: string, options: QuantLSTMOptions) {
    super(
      store,
      name,
      new LSTM(store, name, options),
      new RecurrentQuant('QuantLSTM', name, options.quant, true),
    );
  }

  /** Runs the recurrence over `x` `[batch, time, inputDim]`; `training: true` updates the observers. */
  apply(x: tf.Tensor, options: LSTMApplyOptions = {}): LSTMResult {
    // Same keys as core's layer; misspelt ones fail in both modes.
    const o = readOptions('QuantLSTM.apply', options, ['training', 'initialState']);
    if (!this.q.enabled) return this.float.apply(x, options);
    const training = o.boolean('training', false);
    // Validation (shapes, initial state) is core's; run it without the work by checking here.
    checkSequenceInput('QuantLSTM.apply', x, this.inputDim);
    const [B, T] = x.shape as [number, number, number];
    const H = this.units;
    const init = options.initialState;
    if (init !== undefined) {
      for (const k of ['h', 'c'] as const)
        checkStateInput('QuantLSTM.apply', `options.initialState.${k}`, init[k], B, H);
    }
    const fq = fakeQuantizeUnchecked;
    return tf.tidy(() => {
      const xin = this.q.input ? this.q.input.apply(x, { training }) : x;
      const W = this.store.get(`${this.name}.kernel`);
      const U = this.store.get(`${this.name}.recurrentKernel`);
      const b = this.store.get(`${this.name}.bias`);
      const xw = fq(
        tf.add(tf.matMul(tf.reshape(xin, [B * T, this.inputDim]), W), b),
        GATE_PREACTIVATION_GRID,
      );
      const steps = tf.unstack(tf.reshape(xw, [B, T, 4 * H]), 1);
      let h: tf.Tensor = init ? init.h : tf.zeros([B, H]);
      let c: tf.Tensor = init ? init.c : tf.zeros([B, H]);
      const outs: tf.Tensor[] = new Array(T);
      const hq = this.q.hiddenQuantizer(training);
      for (let k = 0; k < T; k++) {
        const t = this.reverse ? T - 1 - k : k;
        const z = fq(
          tf.add(steps[t]!, fq(tf.matMul(h, U), GATE_PREACTIVATION_GRID)),
          GATE_PREACTIVATION_GRID,
        );
        const [zi, zf, zg, zo] = tf.split(z, 4, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const i = fq(tf.sigmoid(zi), GATE_OUTPUT_GRID);
        const f = fq(tf.sigmoid(zf), GATE_OUTPUT_GRID);
        const g = fq(tf.tanh(zg), GATE_OUTPUT_GRID);
        const o = fq(tf.sigmoid(zo), GATE_OUTPUT_GRID);
        c = tf.add(tf.mul(f, c), tf.mul(i, g));
        if (this.q.cellGrid) c = fq(c, this.q.cellGrid);
        h = hq.step(tf.mul(o, fq(tf.tanh(c), GATE_OUTPUT_GRID)));
        outs[t] = h;
      }
      hq.finish();
      const output = this.returnSequences ? tf.stack(outs, 1) : tf.clone(h);
      return { output, h: tf.clone(h), c: tf.clone(c) };
    });
  }
}
