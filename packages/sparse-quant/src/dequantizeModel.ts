import { LabInputError } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Int8Model } from './Int8Model.js';
import { dequantizeValues } from './int8ModelSource.js';

/**
 * The real-valued parameters of an {@link Int8Model} as a name -> tensor record, ready for
 * `ParameterStore.loadRecord` (e.g. to evaluate an int8 or pruned model with float kernels):
 * int8 weights become `scale[c] * (q - zeroPoint[c])` (channel = last axis), float tensors are
 * copied. Activation parameters are ignored. The caller disposes the tensors.
 *
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351.
 */
export function dequantizeModel(model: Int8Model): Record<string, tf.Tensor> {
  if (
    model === null ||
    typeof model !== 'object' ||
    !Array.isArray(model.weights) ||
    !Array.isArray(model.floats)
  ) {
    throw new LabInputError(
      'dequantizeModel',
      'model',
      'must be an Int8Model { weights, floats, activations }',
      model,
    );
  }
  // Keyed by names that may come from a file: defined as own properties, so a name such as
  // `__proto__` is an ordinary key and never replaces the record's prototype.
  const out: Record<string, tf.Tensor> = {};
  const put = (name: string, t: tf.Tensor) =>
    Object.defineProperty(out, name, { value: t, enumerable: true, writable: true, configurable: true });
  for (const w of model.weights) put(w.name, tf.tensor(dequantizeValues(w), [...w.shape], 'float32'));
  for (const f of model.floats) put(f.name, tf.tensor(Float32Array.from(f.values), [...f.shape], 'float32'));
  return out;
}
