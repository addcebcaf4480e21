import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import type { InitializerSpec } from './initializers.js';
import { type ApplyOptions, checkLastDim, checkLayerArgs, checkPositiveInt, type Layer } from './Layer.js';
import type { ParameterStore } from './ParameterStore.js';

/** Options of {@link LSTM}. */
export interface LSTMOptions {
  /** Input features (last axis of `[batch, time, features]`). */
  inputDim: number;
  /** Hidden size H. */
  units: number;
  /** Return the hidden state at every step `[batch, time, H]` (default) or only the last `[batch, H]`. */
  returnSequences?: boolean;
  /** Process time backwards (outputs stay aligned with input time); for bidirectional stacks. */
  reverse?: boolean;
  /** Initialise the forget-gate bias to 1 (default true; Jozefowicz et al. 2015). */
  unitForgetBias?: boolean;
  /** Input kernel initialiser (default glorotUniform). */
  kernelInit?: InitializerSpec;
  /** Recurrent kernel initialiser (default orthogonal). */
  recurrentInit?: InitializerSpec;
}

/** Per-call options of {@link LSTM.apply}. */
export interface LSTMApplyOptions extends ApplyOptions {
  /** Initial state (default zeros), each `[batch, H]`. */
  initialState?: { h: tf.Tensor; c: tf.Tensor };
}

/** Result of {@link LSTM.apply}. */
export interface LSTMResult {
  /** `[batch, time, H]` when `returnSequences`, else `[batch, H]` (= `h`). */
  output: tf.Tensor;
  /** Final hidden state `[batch, H]` (after the last processed step). */
  h: tf.Tensor;
  /** Final cell state `[batch, H]`. */
  c: tf.Tensor;
}

/**
 * Long short-term memory layer over `[batch, time, features]`.
 *
 * Gate order in the packed weights is **i, f, g, o** (input, forget, cell candidate, output),
 * as in PyTorch and Keras:
 * ```
 * z_t = x_t W + h_{t-1} U + b          W: [F, 4H], U: [H, 4H], b: [4H]
 * i = sigmoid(z_i)  f = sigmoid(z_f)  g = tanh(z_g)  o = sigmoid(z_o)
 * c_t = f * c_{t-1} + i * g            h_t = o * tanh(c_t)
 * ```
 * The input projection `x W + b` is computed for all time steps in one matmul before the
 * recurrence. Parameters: `<name>.kernel`, `<name>.recurrentKernel`, `<name>.bias`.
 * @see Hochreiter & Schmidhuber, "Long Short-Term Memory", Neural Computation 1997.
 */
export class LSTM implements Layer<tf.Tensor, LSTMResult, LSTMApplyOptions> {
  readonly name: string;
  readonly paramNames: readonly string[];
  readonly inputDim: number;
  readonly units: number;
  readonly returnSequences: boolean;
  readonly reverse: boolean;
  private readonly store: ParameterStore;

  constructor(store: ParameterStore, name: string, options: LSTMOptions) {
    checkLayerArgs('LSTM', store, name);
    checkPositiveInt('LSTM', 'options.inputDim', options?.inputDim);
    checkPositiveInt('LSTM', 'options.units', options.units);
    this.store = store;
    this.name = name;
    this.inputDim = options.inputDim;
    this.units = options.units;
    this.returnSequences = options.returnSequences ?? true;
    this.reverse = options.reverse ?? false;
    const H = this.units;
    const forgetBias = options.unitForgetBias ?? true;
    store.create(`${name}.kernel`, [this.inputDim, 4 * H], options.kernelInit ?? 'glorotUniform');
    store.create(`${name}.recurrentKernel`, [H, 4 * H], options.recurrentInit ?? 'orthogonal');
    store.create(`${name}.bias`, [4 * H], (shape) => {
      const b = new Float32Array(shape[0]!);
      if (forgetBias) b.fill(1, H, 2 * H);
      return b;
    });
    this.paramNames = [`${name}.kernel`, `${name}.recurrentKernel`, `${name}.bias`];
  }

  /** Runs the recurrence over `x` `[batch, time, inputDim]`. */
  apply(x: tf.Tensor, options: LSTMApplyOptions = {}): LSTMResult {
    checkLastDim('LSTM.apply', 'x', x, this.inputDim, 3);
    if (x.rank !== 3)
      throw new LabInputError('LSTM.apply', 'x', 'must have rank 3 [batch, time, features]', x);
    const [B, T] = x.shape as [number, number, number];
    if (T < 1) throw new LabInputError('LSTM.apply', 'x', 'must have at least one time step', x);
    const H = this.units;
    const init = options.initialState;
    if (init !== undefined) {
      for (const k of ['h', 'c'] as const) {
        const s = init[k];
        if (!(s instanceof tf.Tensor) || s.isDisposed || !tf.util.arraysEqual(s.shape, [B, H])) {
          throw new LabInputError(
            'LSTM.apply',
            `options.initialState.${k}`,
            `must be a tensor of shape [${B}, ${H}]`,
            s,
          );
        }
      }
    }
    return tf.tidy(() => {
      const W = this.store.get(`${this.name}.kernel`);
      const U = this.store.get(`${this.name}.recurrentKernel`);
      const b = this.store.get(`${this.name}.bias`);
      const xw = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [B * T, this.inputDim]), W), b), [B, T, 4 * H]);
      const steps = tf.unstack(xw, 1);
      let h: tf.Tensor = init ? init.h : tf.zeros([B, H]);
      let c: tf.Tensor = init ? init.c : tf.zeros([B, H]);
      const outs: tf.Tensor[] = new Array(T);
      for (let k = 0; k < T; k++) {
        const t = this.reverse ? T - 1 - k : k;
        const z = tf.add(steps[t]!, tf.matMul(h, U));
        const [zi, zf, zg, zo] = tf.split(z, 4, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        c = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zg)));
        h = tf.mul(tf.sigmoid(zo), tf.tanh(c));
        outs[t] = h;
      }
      const output = this.returnSequences ? tf.stack(outs, 1) : tf.clone(h);
      // Fresh copies: h/c never alias the caller's initial state.
      return { output, h: tf.clone(h), c: tf.clone(c) };
    });
  }
}
