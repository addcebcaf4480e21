import * as tf from '@tensorflow/tfjs-core';
import { checkFinite, LabInputError } from '../errors.js';
import { type ApplyOptions, checkLastDim, checkLayerArgs, checkPositiveInt, type Layer } from './Layer.js';
import type { ParameterStore } from './ParameterStore.js';

/** Options of {@link LayerNorm}. */
export interface LayerNormOptions {
  /** Size of the normalised last axis. */
  dim: number;
  /** Added to the variance (default 1e-5, as PyTorch). */
  epsilon?: number;
  /** Learn a gain and a bias (default true). */
  affine?: boolean;
}

/**
 * Layer normalisation over the last axis:
 * `y = (x - mean) / sqrt(var + eps) * gamma + beta` with the biased variance.
 * Parameters: `<name>.gamma` (ones), `<name>.beta` (zeros), each `[dim]`.
 * @see Ba, Kiros & Hinton, "Layer Normalization", 2016.
 */
export class LayerNorm implements Layer {
  readonly name: string;
  readonly paramNames: readonly string[];
  readonly dim: number;
  readonly epsilon: number;
  private readonly affine: boolean;
  private readonly store: ParameterStore;

  constructor(store: ParameterStore, name: string, options: LayerNormOptions) {
    checkLayerArgs('LayerNorm', store, name);
    checkPositiveInt('LayerNorm', 'options.dim', options?.dim);
    const eps = options.epsilon ?? 1e-5;
    checkFinite('LayerNorm', 'options.epsilon', eps);
    if (eps <= 0) throw new LabInputError('LayerNorm', 'options.epsilon', 'must be > 0', eps);
    this.store = store;
    this.name = name;
    this.dim = options.dim;
    this.epsilon = eps;
    this.affine = options.affine ?? true;
    if (this.affine) {
      store.create(`${name}.gamma`, [this.dim], 'ones');
      store.create(`${name}.beta`, [this.dim], 'zeros');
    }
    this.paramNames = this.affine ? [`${name}.gamma`, `${name}.beta`] : [];
  }

  /** `x`: `[..., dim]` -> same shape. */
  apply(x: tf.Tensor, _options: ApplyOptions = {}): tf.Tensor {
    checkLastDim('LayerNorm.apply', 'x', x, this.dim, 1);
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
      if (this.affine)
        y = tf.add(tf.mul(y, this.store.get(`${this.name}.gamma`)), this.store.get(`${this.name}.beta`));
      return y;
    });
  }
}
