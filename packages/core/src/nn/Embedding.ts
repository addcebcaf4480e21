import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import type { InitializerSpec } from './initializers.js';
import { normal } from './initializers.js';
import { type ApplyOptions, checkLayerArgs, checkPositiveInt, type Layer } from './Layer.js';
import type { ParameterStore } from './ParameterStore.js';

/** Options of {@link Embedding}. */
export interface EmbeddingOptions {
  /** Number of rows (token / node / joint ids in `[0, vocabSize)`). */
  vocabSize: number;
  /** Embedding width. */
  dim: number;
  /** Initialiser (default N(0, 1), as PyTorch's nn.Embedding). */
  init?: InitializerSpec;
}

/**
 * Lookup table `<name>.table` `[vocabSize, dim]`: `apply(ids)` gathers rows, so `ids` of shape
 * `[...]` (int32) give `[..., dim]`. Gradients are sparse row updates (UnsortedSegmentSum).
 * Ids are range-checked (tfjs' gather would silently return zeros on some backends).
 */
export class Embedding implements Layer {
  readonly name: string;
  readonly paramNames: readonly string[];
  readonly vocabSize: number;
  readonly dim: number;
  private readonly store: ParameterStore;

  constructor(store: ParameterStore, name: string, options: EmbeddingOptions) {
    checkLayerArgs('Embedding', store, name);
    checkPositiveInt('Embedding', 'options.vocabSize', options?.vocabSize);
    checkPositiveInt('Embedding', 'options.dim', options.dim);
    this.store = store;
    this.name = name;
    this.vocabSize = options.vocabSize;
    this.dim = options.dim;
    store.create(`${name}.table`, [this.vocabSize, this.dim], options.init ?? normal(1));
    this.paramNames = [`${name}.table`];
  }

  /** `ids`: int32 tensor of any shape with values in `[0, vocabSize)` -> `[...ids.shape, dim]`. */
  apply(ids: tf.Tensor, _options: ApplyOptions = {}): tf.Tensor {
    if (!(ids instanceof tf.Tensor) || ids.isDisposed) {
      throw new LabInputError('Embedding.apply', 'ids', 'must be a live tf.Tensor', ids);
    }
    if (ids.dtype !== 'int32')
      throw new LabInputError('Embedding.apply', 'ids', 'must have dtype int32', ids);
    const v = ids.dataSync();
    for (let i = 0; i < v.length; i++) {
      const id = v[i]!;
      if (id < 0 || id >= this.vocabSize) {
        throw new LabInputError('Embedding.apply', 'ids', `must be in [0, ${this.vocabSize})`, id);
      }
    }
    return tf.tidy(() => {
      const flat = tf.gather(this.store.get(`${this.name}.table`), tf.reshape(ids, [-1]));
      return tf.reshape(flat, [...ids.shape, this.dim]);
    });
  }
}
