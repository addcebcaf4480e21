import type * as tf from '@tensorflow/tfjs-core';
import { checkTensor, LabInputError } from '../errors.js';

/** A tensor's values as a flat row-major typed array plus its shape and dtype. */
export interface TypedArrayWithShape {
  /** Float32Array (float32), Int32Array (int32) or Uint8Array (bool); a fresh copy. */
  data: Float32Array | Int32Array | Uint8Array;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
}

/**
 * Copies a tensor's values out of the backend into a fresh row-major typed array (a copy is
 * unavoidable: tfjs owns backend memory, and the returned array never aliases the tensor, so it
 * may be mutated freely). Synchronous (`dataSync`); the tensor is not disposed.
 *
 * @param tensor - a float32, int32 or bool tensor.
 * @returns `{ data, shape, dtype }`.
 */
export function tensorToTypedArray(tensor: tf.Tensor): TypedArrayWithShape {
  return readTensor('tensorToTypedArray', 'tensor', tensor);
}

/** Shared reader: validated tensor -> fresh typed array. Internal. */
export function readTensor(fn: string, arg: string, tensor: tf.Tensor): TypedArrayWithShape {
  checkTensor(fn, arg, tensor);
  const dtype = tensor.dtype;
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
    throw new LabInputError(fn, arg, 'must have dtype float32, int32 or bool', tensor);
  }
  // dataSync() may return the backend's own array (cpu backend), so copy before handing it out.
  const src = tensor.dataSync() as Float32Array | Int32Array | Uint8Array;
  const data =
    dtype === 'float32'
      ? Float32Array.from(src)
      : dtype === 'int32'
        ? Int32Array.from(src)
        : Uint8Array.from(src);
  return { data, shape: tensor.shape.slice(), dtype };
}
