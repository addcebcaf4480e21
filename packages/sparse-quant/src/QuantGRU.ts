import {
  GRU,
  readOptions,
  type GRUApplyOptions,
  type GRUOptions,
  type GRUResult,
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

/** Options of {@link QuantGRU}: core's {@link GRUOptions} plus activation quantisation (`cellShift` does not apply). */
export interface QuantGRUOptions extends GRUOptions {
  quant?: RecurrentQuantOptions;
}

/**
 * A GRU with quantisation-aware activations, parameter-compatible with @lab/core's `GRU`
 * (created through core's constructor: `<name>.kernel` `[F, 3H]`, `.recurrentKernel` `[H, 3H]`,
 * `.bias`, `.recurrentBias` `[3H]`, gates r, z, n, reset after the recurrent matmul). Points:
 *
 * 1. input x: int8 asymmetric, moving average (`<name>.input`);
 * 2. `a = x W + b` and `u = h U + b_h`: int16 Q3.12 each;
 * 3. r, z pre-activations `a + u`: int16 Q3.12 (saturating add); sigmoid outputs int16 Q0.15;
 * 4. n pre-activation `a_n + r u_n`: int16 Q3.12; tanh output int16 Q0.15;
 * 5. h = (1 - z) n + z h: int8 asymmetric (or int16 symmetric), moving average (`<name>.hidden`).
 *
 * TFLite has no builtin integer GRU; these points mirror its integer LSTM (same grids).
 * Gradients: clipped straight-through.
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351.
 */
export class QuantGRU extends QuantRecurrentLayer<GRU> {
  constructor(store: ParameterStore, name: string, options: QuantGRUOptions) {
    super(
      store,
      name,
      new GRU(store, name, options),
      new RecurrentQuant('QuantGRU', name, options.quant, false),
    );
  }

  /** Runs the recurrence over `x` `[batch, time, inputDim]`; `training: true` updates the observers. */
  apply(x: tf.Tensor, options: GRUApplyOptions = {}): GRUResult {
    // Same keys as core's layer; misspelt ones fail in both modes.
    const o = readOptions('QuantGRU.apply', options, ['training', 'initialState']);
    if (!this.q.enabled) return this.float.apply(x, options);
    const training = o.boolean('training', false);
    checkSequenceInput('QuantGRU.apply', x, this.inputDim);
    const [B, T] = x.shape as [number, number, number];
    const H = this.units;
    const init = options.initialState;
    if (init !== undefined) checkStateInput('QuantGRU.apply', 'options.initialState', init, B, H);
    const fq = fakeQuantizeUnchecked;
    const P = GATE_PREACTIVATION_GRID;
    const O = GATE_OUTPUT_GRID;
    return tf.tidy(() => {
      const xin = this.q.input ? this.q.input.apply(x, { training }) : x;
      const W = this.store.get(`${this.name}.kernel`);
      const U = this.store.get(`${this.name}.recurrentKernel`);
      const b = this.store.get(`${this.name}.bias`);
      const bh = this.store.get(`${this.name}.recurrentBias`);
      const xw = fq(tf.add(tf.matMul(tf.reshape(xin, [B * T, this.inputDim]), W), b), P);
      const steps = tf.unstack(tf.reshape(xw, [B, T, 3 * H]), 1);
      let h: tf.Tensor = init ?? tf.zeros([B, H]);
      const outs: tf.Tensor[] = new Array(T);
      const hq = this.q.hiddenQuantizer(training);
      for (let k = 0; k < T; k++) {
        const t = this.reverse ? T - 1 - k : k;
        const [ar, az, an] = tf.split(steps[t]!, 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
        const [ur, uz, un] = tf.split(fq(tf.add(tf.matMul(h, U), bh), P), 3, 1) as [
          tf.Tensor,
          tf.Tensor,
          tf.Tensor,
        ];
        const r = fq(tf.sigmoid(fq(tf.add(ar, ur), P)), O);
        const z = fq(tf.sigmoid(fq(tf.add(az, uz), P)), O);
        const n = fq(tf.tanh(fq(tf.add(an, tf.mul(r, un)), P)), O);
        h = hq.step(tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h)));
        outs[t] = h;
      }
      hq.finish();
      const output = this.returnSequences ? tf.stack(outs, 1) : tf.clone(h);
      return { output, h: tf.clone(h) };
    });
  }
}
