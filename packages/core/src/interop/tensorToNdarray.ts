import type * as tf from '@tensorflow/tfjs-core';
import ndarray, { type NdArray } from 'ndarray';
import { readTensor } from './tensorToTypedArray.js';

/**
 * A row-major `ndarray` holding a copy of a tensor's values (`Float32Array` for float32,
 * `Int32Array` for int32, `Uint8Array` for bool). The copy out of the backend is unavoidable
 * (tfjs owns backend memory); the result never aliases the tensor. Synchronous (`dataSync`);
 * the tensor is not disposed.
 *
 * @param tensor - a float32, int32 or bool tensor.
 * @returns an ndarray with the tensor's shape and C-order strides.
 * @see https://github.com/scijs/ndarray
 */
export function tensorToNdarray(tensor: tf.Tensor): NdArray<Float32Array | Int32Array | Uint8Array> {
  const { data, shape } = readTensor('tensorToNdarray', 'tensor', tensor);
  return ndarray(data, shape);
}
