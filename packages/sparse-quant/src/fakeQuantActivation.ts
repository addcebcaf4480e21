import { LabInputError, readOptions } from '@lab/core';
import type * as tf from '@tensorflow/tfjs-core';
import { ActivationObserver } from './ActivationObserver.js';

/** Options of {@link fakeQuantActivation}. */
export interface FakeQuantActivationOptions {
  /** Update the observer's moving-average range from `x` first (default false). */
  training?: boolean;
}

/**
 * Fake-quantises an activation (e.g. a Dense or Conv output) with an {@link ActivationObserver}'s
 * moving-average range: int8 asymmetric by default, clipped straight-through gradient. Use it
 * between layers of a model trained with {@link applyCompression} (which quantises the weights
 * through the store's transform hook); pass the observers to `Compression.toInt8Model` to
 * record their ranges.
 *
 * @example
 * ```ts
 * const fc1 = new Dense(new ParameterStore({ seed: 1 }), 'fc1', { inputDim: 4, units: 3 });
 * const x = tf.randomNormal([8, 4], 0, 1, 'float32', 1);
 * const obs = new ActivationObserver('fc1.out');
 * const h = fakeQuantActivation(fc1.apply(x), obs, { training: true });
 * ```
 * @see Jacob et al., arXiv 1712.05877.
 */
export function fakeQuantActivation(
  x: tf.Tensor,
  observer: ActivationObserver,
  options: FakeQuantActivationOptions = {},
): tf.Tensor {
  if (!(observer instanceof ActivationObserver)) {
    throw new LabInputError('fakeQuantActivation', 'observer', 'must be an ActivationObserver', observer);
  }
  const training = readOptions('fakeQuantActivation', options, ['training']).boolean('training', false);
  return observer.apply(x, { training });
}
