import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import { createRng, type Rng } from '../random/createRng.js';
import type { Activation } from './activations.js';
import { Dense } from './Dense.js';
import { Dropout } from './Dropout.js';
import { type ApplyOptions, checkLastDim, checkLayerArgs, checkPositiveInt, type Layer } from './Layer.js';
import { LayerNorm } from './LayerNorm.js';
import { MultiHeadAttention } from './MultiHeadAttention.js';
import type { ParameterStore } from './ParameterStore.js';

/** Options of {@link TransformerEncoderLayer}. */
export interface TransformerEncoderLayerOptions {
  /** Model width. */
  dModel: number;
  /** Attention heads (must divide dModel). */
  numHeads: number;
  /** Hidden width of the feed-forward block (default 4 * dModel). */
  dff?: number;
  /** Dropout after attention and feed-forward blocks, and on attention weights (default 0.1). */
  dropout?: number;
  /** Feed-forward activation (default gelu). */
  activation?: Activation;
  /**
   * `pre` (default): `x + Attn(LN(x))`, `x + FF(LN(x))` (stable without warmup, Xiong et al. 2020);
   * `post`: `LN(x + Attn(x))`, `LN(x + FF(x))` (the original Transformer).
   */
  norm?: 'pre' | 'post';
  /** LayerNorm epsilon (default 1e-5). */
  layerNormEps?: number;
  /** Dropout generator (default `store.rng.fork('<name>/dropout')`). */
  seed?: number | string | Rng;
}

/** Per-call options of {@link TransformerEncoderLayer.apply}. */
export interface TransformerEncoderApplyOptions extends ApplyOptions {
  /** Attention mask (see {@link MultiHeadAttention.apply}). */
  mask?: tf.Tensor;
  /** Causal self-attention. */
  causal?: boolean;
}

/**
 * One Transformer encoder block: multi-head self-attention and a two-layer feed-forward
 * network, each with a residual connection, dropout and LayerNorm (pre- or post-norm).
 * Parameters under `<name>.attn`, `<name>.ff1`, `<name>.ff2`, `<name>.norm1`, `<name>.norm2`.
 * @see Vaswani et al., "Attention Is All You Need", NeurIPS 2017.
 * @see Xiong et al., "On Layer Normalization in the Transformer Architecture", ICML 2020.
 */
export class TransformerEncoderLayer implements Layer<tf.Tensor, tf.Tensor, TransformerEncoderApplyOptions> {
  readonly name: string;
  readonly paramNames: readonly string[];
  readonly dModel: number;
  readonly norm: 'pre' | 'post';
  private readonly attn: MultiHeadAttention;
  private readonly ff1: Dense;
  private readonly ff2: Dense;
  private readonly norm1: LayerNorm;
  private readonly norm2: LayerNorm;
  private readonly drop: Dropout;

  constructor(store: ParameterStore, name: string, options: TransformerEncoderLayerOptions) {
    checkLayerArgs('TransformerEncoderLayer', store, name);
    checkPositiveInt('TransformerEncoderLayer', 'options.dModel', options?.dModel);
    const dff = options.dff ?? 4 * options.dModel;
    checkPositiveInt('TransformerEncoderLayer', 'options.dff', dff);
    const norm = options.norm ?? 'pre';
    if (norm !== 'pre' && norm !== 'post') {
      throw new LabInputError('TransformerEncoderLayer', 'options.norm', 'must be pre or post', norm);
    }
    const rate = options.dropout ?? 0.1;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new LabInputError('TransformerEncoderLayer', 'options.dropout', 'must be in [0, 1)', rate);
    }
    const rng = options.seed ?? store.rng.fork(`${name}/dropout`);
    const seedRng: Rng = typeof rng === 'object' ? rng : createRng(rng);
    this.name = name;
    this.dModel = options.dModel;
    this.norm = norm;
    this.attn = new MultiHeadAttention(store, `${name}.attn`, {
      dModel: options.dModel,
      numHeads: options.numHeads,
      dropout: rate,
      seed: seedRng.fork('attn'),
    });
    this.ff1 = new Dense(store, `${name}.ff1`, {
      inputDim: options.dModel,
      units: dff,
      activation: options.activation ?? 'gelu',
    });
    this.ff2 = new Dense(store, `${name}.ff2`, { inputDim: dff, units: options.dModel });
    const eps = options.layerNormEps ?? 1e-5;
    this.norm1 = new LayerNorm(store, `${name}.norm1`, { dim: options.dModel, epsilon: eps });
    this.norm2 = new LayerNorm(store, `${name}.norm2`, { dim: options.dModel, epsilon: eps });
    this.drop = new Dropout({ rate, seed: seedRng.fork('residual') });
    this.paramNames = [this.attn, this.ff1, this.ff2, this.norm1, this.norm2].flatMap((l) => l.paramNames);
  }

  /** `x`: `[batch, time, dModel]` -> same shape. */
  apply(x: tf.Tensor, options: TransformerEncoderApplyOptions = {}): tf.Tensor {
    checkLastDim('TransformerEncoderLayer.apply', 'x', x, this.dModel, 3);
    const training = options.training ?? false;
    const sa = (h: tf.Tensor) =>
      this.drop.apply(this.attn.apply(h, { mask: options.mask, causal: options.causal, training }), {
        training,
      });
    const ff = (h: tf.Tensor) => this.drop.apply(this.ff2.apply(this.ff1.apply(h)), { training });
    return tf.tidy(() => {
      if (this.norm === 'pre') {
        const h = tf.add(x, sa(this.norm1.apply(x)));
        return tf.add(h, ff(this.norm2.apply(h)));
      }
      const h = this.norm1.apply(tf.add(x, sa(x)));
      return this.norm2.apply(tf.add(h, ff(h)));
    });
  }
}
