import { checkTensor, readOptions } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link fakeQuantWeight}. */
export interface FakeQuantWeightOptions {
  /** One scale per output channel (last axis) instead of one per tensor (default false). */
  perChannel?: boolean;
}

/** Largest integer of the narrow int8 range [-127, 127]. */
export const INT8_NARROW_MAX = 127;

/**
 * Fake-quantises a weight to int8 symmetric narrow range (TFLite's weight scheme):
 *
 * ```
 * scale = max|w| / 127              (per tensor, or per output channel = last axis; 1 if all zero)
 * q     = clamp(round(w / scale), -127, 127)   (round half to even, float32 arithmetic)
 * y     = q * scale
 * ```
 *
 * Gradient: straight-through (identity). The range comes from the weight itself, so nothing is
 * clipped and the identity is exact STE. Zeros stay exactly zero, so a mask applied before this
 * survives quantisation. {@link quantizeWeight} computes the same integers on typed arrays.
 *
 * @returns A new tensor (the caller owns it).
 * @see Jacob et al., CVPR 2018 (arXiv 1712.05877); TFLite int8 quantisation spec (weights:
 *   symmetric, zero point 0, [-127, 127], per-axis for conv/FC output channels).
 */
export function fakeQuantWeight(w: tf.Tensor, options: FakeQuantWeightOptions = {}): tf.Tensor {
  checkTensor('fakeQuantWeight', 'w', w);
  const perChannel = readOptions('fakeQuantWeight', options, ['perChannel']).boolean('perChannel', false);
  return fakeQuantWeightUnchecked(w, perChannel);
}

/** @internal The scale tensor of {@link fakeQuantWeight} (shape `[]` or `[channels]`). */
function weightScales(w: tf.Tensor, perChannel: boolean): tf.Tensor {
  return tf.tidy(() => {
    const a = tf.abs(w);
    const m = perChannel && w.rank >= 1 ? tf.max(tf.reshape(a, [-1, w.shape[w.rank - 1]!]), 0) : tf.max(a);
    return tf.where(tf.greater(m, 0), tf.div(m, INT8_NARROW_MAX), tf.onesLike(m));
  });
}

/** @internal Without checks. */
export function fakeQuantWeightUnchecked(w: tf.Tensor, perChannel: boolean): tf.Tensor {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const value = tf.tidy(() => {
      const scale = weightScales(input, perChannel);
      const q = tf.clipByValue(tf.round(tf.div(input, scale)), -INT8_NARROW_MAX, INT8_NARROW_MAX);
      return tf.mul(q, scale);
    });
    return { value, gradFunc: (dy: tf.Tensor | tf.Tensor[]) => dy as tf.Tensor };
  });
  return tf.tidy(() => f(w) as tf.Tensor);
}
