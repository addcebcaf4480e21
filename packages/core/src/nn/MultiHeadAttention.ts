import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import type { Rng } from '../random/createRng.js';
import { Dense } from './Dense.js';
import { Dropout } from './Dropout.js';
import { type ApplyOptions, checkLastDim, checkLayerArgs, checkPositiveInt, type Layer } from './Layer.js';
import type { ParameterStore } from './ParameterStore.js';

/** Large negative logit used for masked positions (finite, so fully masked rows stay NaN-free). */
const MASK_LOGIT = -1e9;

/** Options of {@link scaledDotProductAttention}. */
export interface AttentionOptions {
  /**
   * Which keys each query may attend to: 1/true = attend, 0/false = blocked; broadcastable to
   * the logits `[..., Tq, Tk]`.
   */
  mask?: tf.Tensor;
  /** Causal (autoregressive) mask: query i sees keys j <= i (combined with `mask`). */
  causal?: boolean;
  /** Dropout applied to the attention weights (only when `training`). */
  dropout?: Dropout;
  /** Training mode (enables `dropout`). */
  training?: boolean;
}

/**
 * `softmax(Q K^T / sqrt(d) + maskBias) V` for `q` `[..., Tq, d]`, `k` `[..., Tk, d]`,
 * `v` `[..., Tk, dv]`. Returns the output `[..., Tq, dv]` and the weights `[..., Tq, Tk]`.
 * Masked logits get -1e9, so a fully masked row attends uniformly instead of producing NaN.
 * @see Vaswani et al., "Attention Is All You Need", NeurIPS 2017.
 */
export function scaledDotProductAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  options: AttentionOptions = {},
): { output: tf.Tensor; weights: tf.Tensor } {
  for (const [arg, t] of [
    ['q', q],
    ['k', k],
    ['v', v],
  ] as const) {
    if (!(t instanceof tf.Tensor) || t.isDisposed || t.rank < 2) {
      throw new LabInputError('scaledDotProductAttention', arg, 'must be a live tf.Tensor of rank >= 2', t);
    }
  }
  const d = q.shape[q.rank - 1]!;
  const Tq = q.shape[q.rank - 2]!;
  const Tk = k.shape[k.rank - 2]!;
  if (k.shape[k.rank - 1] !== d) {
    throw new LabInputError('scaledDotProductAttention', 'k', `must have last dimension ${d} (as q)`, k);
  }
  if (v.shape[v.rank - 2] !== Tk) {
    throw new LabInputError('scaledDotProductAttention', 'v', `must have ${Tk} rows (as k)`, v);
  }
  const mask = options.mask;
  if (mask !== undefined) {
    if (!(mask instanceof tf.Tensor) || mask.isDisposed || mask.rank < 2) {
      throw new LabInputError(
        'scaledDotProductAttention',
        'options.mask',
        'must be a live tf.Tensor of rank >= 2',
        mask,
      );
    }
    const mq = mask.shape[mask.rank - 2]!;
    const mk = mask.shape[mask.rank - 1]!;
    if ((mq !== 1 && mq !== Tq) || (mk !== 1 && mk !== Tk)) {
      throw new LabInputError(
        'scaledDotProductAttention',
        'options.mask',
        `must be broadcastable to [..., ${Tq}, ${Tk}]`,
        mask,
      );
    }
  }
  return tf.tidy(() => {
    let logits = tf.div(tf.matMul(q, k, false, true), Math.sqrt(d));
    let allow: tf.Tensor | null = mask ? tf.cast(mask, 'float32') : null;
    if (options.causal) {
      const causal = tf.linalg.bandPart(tf.ones([Tq, Tk]), -1, 0);
      allow = allow ? tf.mul(allow, causal) : causal;
    }
    if (allow) logits = tf.add(logits, tf.mul(tf.sub(1, allow), MASK_LOGIT));
    let weights = tf.softmax(logits);
    const used = options.dropout ? options.dropout.apply(weights, { training: options.training }) : weights;
    const output = tf.matMul(used, v);
    if (used !== weights) weights = tf.clone(weights);
    return { output, weights };
  });
}

/** Options of {@link MultiHeadAttention}. */
export interface MultiHeadAttentionOptions {
  /** Model width (query input and output size). */
  dModel: number;
  /** Number of heads; must divide `dModel`. */
  numHeads: number;
  /** Width of the key/value inputs for cross-attention (default `dModel`). */
  kvDim?: number;
  /** Dropout on the attention weights (default 0). */
  dropout?: number;
  /** Dropout generator (default `store.rng.fork('<name>/dropout')`). */
  seed?: number | string | Rng;
  /** Biases on the projections (default true). */
  useBias?: boolean;
}

/** Per-call options of {@link MultiHeadAttention.apply}. */
export interface MultiHeadAttentionApplyOptions extends ApplyOptions {
  /** Keys `[batch, Tk, kvDim]` (default: the query, i.e. self-attention). */
  key?: tf.Tensor;
  /** Values `[batch, Tk, kvDim]` (default: `key`). */
  value?: tf.Tensor;
  /**
   * 1 = attend, 0 = blocked. `[batch, Tk]` (key padding), `[batch, Tq, Tk]` or
   * `[batch | 1, heads | 1, Tq, Tk]`.
   */
  mask?: tf.Tensor;
  /** Causal self-attention mask. */
  causal?: boolean;
}

/**
 * Multi-head attention: project query/key/value with `<name>.q`, `<name>.k`, `<name>.v`
 * (Dense `[dModel, dModel]`), split into `numHeads` heads of width `dModel / numHeads`, apply
 * {@link scaledDotProductAttention} per head, concatenate and project with `<name>.out`.
 * @see Vaswani et al., "Attention Is All You Need", NeurIPS 2017.
 */
export class MultiHeadAttention implements Layer<tf.Tensor, tf.Tensor, MultiHeadAttentionApplyOptions> {
  readonly name: string;
  readonly paramNames: readonly string[];
  readonly dModel: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly kvDim: number;
  private readonly q: Dense;
  private readonly k: Dense;
  private readonly v: Dense;
  private readonly out: Dense;
  private readonly dropout: Dropout | undefined;

  constructor(store: ParameterStore, name: string, options: MultiHeadAttentionOptions) {
    checkLayerArgs('MultiHeadAttention', store, name);
    checkPositiveInt('MultiHeadAttention', 'options.dModel', options?.dModel);
    checkPositiveInt('MultiHeadAttention', 'options.numHeads', options.numHeads);
    if (options.dModel % options.numHeads !== 0) {
      throw new LabInputError(
        'MultiHeadAttention',
        'options.numHeads',
        `must divide dModel = ${options.dModel}`,
        options.numHeads,
      );
    }
    const rate = options.dropout ?? 0;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new LabInputError('MultiHeadAttention', 'options.dropout', 'must be in [0, 1)', rate);
    }
    this.kvDim = options.kvDim ?? options.dModel;
    checkPositiveInt('MultiHeadAttention', 'options.kvDim', this.kvDim);
    this.name = name;
    this.dModel = options.dModel;
    this.numHeads = options.numHeads;
    this.headDim = options.dModel / options.numHeads;
    const useBias = options.useBias ?? true;
    this.q = new Dense(store, `${name}.q`, { inputDim: this.dModel, units: this.dModel, useBias });
    this.k = new Dense(store, `${name}.k`, { inputDim: this.kvDim, units: this.dModel, useBias });
    this.v = new Dense(store, `${name}.v`, { inputDim: this.kvDim, units: this.dModel, useBias });
    this.out = new Dense(store, `${name}.out`, { inputDim: this.dModel, units: this.dModel, useBias });
    this.dropout =
      rate > 0 ? new Dropout({ rate, seed: options.seed ?? store.rng.fork(`${name}/dropout`) }) : undefined;
    this.paramNames = [this.q, this.k, this.v, this.out].flatMap((l) => l.paramNames);
  }

  /** Output `[batch, Tq, dModel]`. */
  apply(query: tf.Tensor, options: MultiHeadAttentionApplyOptions = {}): tf.Tensor {
    const { output, weights } = this.attend(query, options);
    weights.dispose();
    return output;
  }

  /** Like {@link MultiHeadAttention.apply}, also returning the weights `[batch, heads, Tq, Tk]`. */
  attend(
    query: tf.Tensor,
    options: MultiHeadAttentionApplyOptions = {},
  ): { output: tf.Tensor; weights: tf.Tensor } {
    checkLastDim('MultiHeadAttention.apply', 'query', query, this.dModel, 3);
    const key = options.key ?? query;
    const value = options.value ?? key;
    checkLastDim('MultiHeadAttention.apply', 'options.key', key, options.key ? this.kvDim : this.dModel, 3);
    checkLastDim(
      'MultiHeadAttention.apply',
      'options.value',
      value,
      options.value ? this.kvDim : key === query ? this.dModel : this.kvDim,
      3,
    );
    if (query.rank !== 3 || key.rank !== 3 || value.rank !== 3) {
      throw new LabInputError(
        'MultiHeadAttention.apply',
        'query',
        'must (with key and value) have rank 3 [batch, time, dim]',
        query,
      );
    }
    const [B, Tq] = query.shape as [number, number, number];
    const Tk = key.shape[1]!;
    if (key.shape[0] !== B || value.shape[0] !== B || value.shape[1] !== Tk) {
      throw new LabInputError(
        'MultiHeadAttention.apply',
        'options.value',
        `must match batch ${B} and key length ${Tk}`,
        value,
      );
    }
    let mask = options.mask;
    if (mask !== undefined) {
      if (!(mask instanceof tf.Tensor) || mask.isDisposed || mask.rank < 2 || mask.rank > 4) {
        throw new LabInputError(
          'MultiHeadAttention.apply',
          'options.mask',
          'must be a tf.Tensor of rank 2, 3 or 4',
          mask,
        );
      }
      const ok =
        mask.rank === 2
          ? tf.util.arraysEqual(mask.shape, [B, Tk])
          : mask.rank === 3
            ? tf.util.arraysEqual(mask.shape, [B, Tq, Tk])
            : (mask.shape[0] === B || mask.shape[0] === 1) &&
              (mask.shape[1] === this.numHeads || mask.shape[1] === 1) &&
              mask.shape[2] === Tq &&
              mask.shape[3] === Tk;
      if (!ok) {
        throw new LabInputError(
          'MultiHeadAttention.apply',
          'options.mask',
          `must have shape [${B}, ${Tk}], [${B}, ${Tq}, ${Tk}] or [${B}|1, ${this.numHeads}|1, ${Tq}, ${Tk}]`,
          mask,
        );
      }
    }
    return tf.tidy(() => {
      if (mask !== undefined && mask.rank === 2) mask = tf.reshape(mask, [B, 1, 1, Tk]);
      else if (mask !== undefined && mask.rank === 3) mask = tf.expandDims(mask, 1);
      const split = (t: tf.Tensor, T: number) =>
        tf.transpose(tf.reshape(t, [B, T, this.numHeads, this.headDim]), [0, 2, 1, 3]);
      const q = split(this.q.apply(query), Tq);
      const k = split(this.k.apply(key), Tk);
      const v = split(this.v.apply(value), Tk);
      const { output, weights } = scaledDotProductAttention(q, k, v, {
        mask,
        causal: options.causal,
        dropout: this.dropout,
        training: options.training,
      });
      const merged = tf.reshape(tf.transpose(output, [0, 2, 1, 3]), [B, Tq, this.dModel]);
      return { output: this.out.apply(merged), weights };
    });
  }
}
