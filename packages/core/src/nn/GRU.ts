import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import type { InitializerSpec } from './initializers.js';
import { type ApplyOptions, checkLastDim, checkLayerArgs, checkPositiveInt, type Layer } from './Layer.js';
import type { ParameterStore } from './ParameterStore.js';

/** Options of {@link GRU}. */
export interface GRUOptions {
  /** Input features (last axis of `[batch, time, features]`). */
  inputDim: number;
  /** Hidden size H. */
  units: number;
  /** Return the hidden state at every step `[batch, time, H]` (default) or only the last `[batch, H]`. */
  returnSequences?: boolean;
  /** Process time backwards (outputs stay aligned with input time). */
  reverse?: boolean;
  /** Input kernel initialiser (default glorotUniform). */
  kernelInit?: InitializerSpec;
  /** Recurrent kernel initialiser (default orthogonal). */
  recurrentInit?: InitializerSpec;
}

/** Per-call options of {@link GRU.apply}. */
export interface GRUApplyOptions extends ApplyOptions {
  /** Initial hidden state `[batch, H]` (default zeros). */
  initialState?: tf.Tensor;
}

/** Result of {@link GRU.apply}. */
export interface GRUResult {
  /** `[batch, time, H]` when `returnSequences`, else `[batch, H]` (= `h`). */
  output: tf.Tensor;
  /** Final hidden state `[batch, H]`. */
  h: tf.Tensor;
}

/**
 * Gated recurrent unit over `[batch, time, features]`, PyTorch's formulation (reset gate
 * applied after the recurrent matmul, Keras' `reset_after=True`). Gate order in the packed
 * weights is **r, z, n** (reset, update, new):
 * ```
 * a = x_t W + b             W: [F, 3H], b: [3H]        (all time steps in one matmul)
 * u = h_{t-1} U + b_h       U: [H, 3H], b_h: [3H]
 * r = sigmoid(a_r + u_r)    z = sigmoid(a_z + u_z)
 * n = tanh(a_n + r * u_n)   h_t = (1 - z) * n + z * h_{t-1}
 * ```
 * Parameters: `<name>.kernel`, `<name>.recurrentKernel`, `<name>.bias`, `<name>.recurrentBias`.
 * @see Cho et al., "Learning Phrase Representations using RNN Encoder-Decoder", EMNLP 2014.
 * @see https://pytorch.org/docs/stable/generated/torch.nn.GRU.html
 */
export class GRU implements Layer<tf.Tensor, GRUResult, GRUApplyOptions> {
  readonly name: string;
  readonly paramNames: readonly string[];
  readonly inputDim: number;
  readonly units: number;
  readonly returnSequences: boolean;
  readonly reverse: boolean;
  private readonly store: ParameterStore;

  constructor(store: ParameterStore, name: string, options: GRUOptions) {
    checkLayerArgs('GRU', store, name);
    checkPositiveInt('GRU', 'options.inputDim', options?.inputDim);
    checkPositiveInt('GRU', 'options.units', options.units);
    this.store = store;
    this.name = name;
    this.inputDim = options.inputDim;
    this.units = options.units;
    this.returnSequences = options.returnSequences ?? true;
    this.reverse = options.reverse ?? false;
    const H = this.units;
    store.create(`${name}.kernel`, [this.inputDim, 3 * H], options.kernelInit ?? 'glorotUniform');
    store.create(`${name}.recurrentKernel`, [H, 3 * H], options.recurrentInit ?? 'orthogonal');
    store.create(`${name}.bias`, [3 * H], 'zeros');
    store.create(`${name}.recurrentBias`, [3 * H], 'zeros');
    this.paramNames = [`${name}.kernel`, `${name}.recurrentKernel`, `${name}.bias`, `${name}.recurrentBias`];
  }

  /** Runs the recurrence over `x` `[batch, time, inputDim]`. */
  apply(x: tf.Tensor, options: GRUApplyOptions = {}): GRUResult {
    checkLastDim('GRU.apply', 'x', x, this.inputDim, 3);
    if (x.rank !== 3)
      throw new LabInputError('GRU.apply', 'x', 'must have rank 3 [batch, time, features]', x);
    const [B, T] = x.shape as [number, number, number];
    if (T < 1) throw new LabInputError('GRU.apply', 'x', 'must have at least one time step', x);
    const H = this.units;
    const init = options.initialState;
    if (
      init !== undefined &&
      (!(init instanceof tf.Tensor) || init.isDisposed || !tf.util.arraysEqual(init.shape, [B, H]))
    ) {
      throw new LabInputError(
        'GRU.apply',
        'options.initialState',
        `must be a tensor of shape [${B}, ${H}]`,
        init,
      );
    }
    return tf.tidy(() => {
      const W = this.store.get(`${this.name}.kernel`);
      const U = this.store.get(`${this.name}.recurrentKernel`);
      const b = this.store.get(`${this.name}.bias`);
      const bh = this.store.get(`${this.name}.recurrentBias`);
      const xw = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [B * T, this.inputDim]), W), b), [B, T, 3 * H]);
      const steps = tf.unstack(xw, 1);
      let h: tf.Tensor = init ?? tf.zeros([B, H]);
      const outs: tf.Tensor[] = new Array(T);
      for (let k = 0; k < T; k++) {
        const t = this.reverse ? T - 1 - k : k;
        const [ar, az, an] = tf.split(steps[t]!, 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
        const [ur, uz, un] = tf.split(tf.add(tf.matMul(h, U), bh), 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
        const r = tf.sigmoid(tf.add(ar, ur));
        const z = tf.sigmoid(tf.add(az, uz));
        const n = tf.tanh(tf.add(an, tf.mul(r, un)));
        h = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h));
        outs[t] = h;
      }
      const output = this.returnSequences ? tf.stack(outs, 1) : tf.clone(h);
      return { output, h: tf.clone(h) };
    });
  }
}
