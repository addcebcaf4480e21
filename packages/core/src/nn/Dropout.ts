import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import { createRng, type Rng } from '../random/createRng.js';
import type { ApplyOptions } from './Layer.js';

/** Options of {@link Dropout}. */
export interface DropoutOptions {
  /** Drop probability p in [0, 1). */
  rate: number;
  /** Seed or generator the masks are drawn from (required: dropout is stochastic). */
  seed: number | string | Rng;
}

/**
 * Inverted dropout: in training each element is kept with probability `1 - p` and scaled by
 * `1 / (1 - p)`, so expectations match inference, where it is the identity. Masks come from
 * the layer's seeded {@link Rng}: the same seed and call sequence give the same masks.
 * @see Srivastava et al., "Dropout: A Simple Way to Prevent Neural Networks from Overfitting", JMLR 2014.
 */
export class Dropout {
  readonly rate: number;
  private readonly rng: Rng;

  constructor(options: DropoutOptions) {
    const rate = options?.rate;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new LabInputError('Dropout', 'options.rate', 'must be a number in [0, 1)', rate);
    }
    const seed = options.seed;
    if (seed !== null && typeof seed === 'object' && typeof (seed as Rng).next === 'function')
      this.rng = seed as Rng;
    else this.rng = createRng(seed as number | string);
    this.rate = rate;
  }

  /**
   * The multiplicative mask `[shape]` this layer would apply next (values 0 or `1/(1-p)`);
   * advances the generator. Exposed for tests and for sharing one mask across steps.
   */
  mask(shape: readonly number[]): tf.Tensor {
    let n = 1;
    for (const d of shape) n *= d;
    const u = this.rng.fillUniform(new Float32Array(n));
    const scale = 1 / (1 - this.rate);
    for (let i = 0; i < n; i++) u[i] = u[i]! >= this.rate ? scale : 0;
    return tf.tensor(u, [...shape], 'float32');
  }

  /**
   * `x` unchanged (a copy) unless `training` is true and `rate > 0`; then `x * mask`.
   * `noiseShape` (broadcastable to `x`, e.g. `[batch, 1, features]`) shares the mask along
   * size-1 axes.
   */
  apply(x: tf.Tensor, options: ApplyOptions & { noiseShape?: number[] } = {}): tf.Tensor {
    if (!(x instanceof tf.Tensor) || x.isDisposed)
      throw new LabInputError('Dropout.apply', 'x', 'must be a live tf.Tensor', x);
    if (!options.training || this.rate === 0) return tf.clone(x);
    const shape = options.noiseShape ?? x.shape;
    if (shape.length !== x.rank || shape.some((d, i) => d !== 1 && d !== x.shape[i])) {
      throw new LabInputError(
        'Dropout.apply',
        'options.noiseShape',
        `must be broadcastable to [${x.shape.join(', ')}]`,
        shape,
      );
    }
    return tf.tidy(() => tf.mul(x, this.mask(shape)));
  }
}
