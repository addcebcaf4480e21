import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import { readOptions } from '../validation/readOptions.js';
import {
  type InteropDtype,
  type NumericTypedArray,
  allocate,
  checkDtype,
  convertValue,
  defaultDtype,
  isNativeFor,
  shapeSize,
} from './typedArrayDtype.js';

/** Options for {@link tensorFromTypedArray}. */
export interface TensorFromTypedArrayOptions {
  /** Tensor dtype (default: `int32` for integer arrays, `float32` otherwise). */
  dtype?: InteropDtype;
  /** Always copy, even when the array could be handed to tfjs as is (default `false`). */
  copy?: boolean;
}

/**
 * A tensor from a flat row-major typed array (or number array) and a shape.
 *
 * Zero-copy on the JS side when `data` already is the array type tfjs stores for the dtype
 * (`Float32Array` for float32, `Int32Array` for int32, `Uint8Array` for bool): the array is handed
 * to tfjs without copying. The backend may still copy it into its own memory (the wasm heap, a
 * WebGL texture); the cpu backend keeps a reference, so do not mutate `data` afterwards (or pass
 * `copy: true`). Other arrays (`Float64Array`, `Int16Array`, ...) are converted, which needs a copy;
 * float64 -> float32 rounds, and int32/bool targets require integer / 0-1 values.
 *
 * @param data - row-major values; never modified.
 * @param shape - tensor shape; its product must equal `data.length`.
 * @param options - `dtype`, `copy`.
 * @returns a new tensor owned by the caller.
 */
export function tensorFromTypedArray(
  data: NumericTypedArray | readonly number[],
  shape: number[],
  options?: TensorFromTypedArrayOptions,
): tf.Tensor {
  const fn = 'tensorFromTypedArray';
  const isTyped =
    ArrayBuffer.isView(data) &&
    !(data instanceof DataView) &&
    !(data instanceof BigInt64Array) &&
    !(data instanceof BigUint64Array);
  if (!isTyped && !Array.isArray(data))
    throw new LabInputError(fn, 'data', 'must be a numeric typed array or number[]', data);
  const size = shapeSize(fn, 'shape', shape);
  if ((data as ArrayLike<number>).length !== size) {
    throw new LabInputError(
      fn,
      'data',
      `must have ${size} elements for shape [${shape.join(', ')}]`,
      (data as ArrayLike<number>).length,
    );
  }
  const o = readOptions(fn, options, ['dtype', 'copy']);
  const copy = o.boolean('copy', false);
  const dtype = o.has('dtype') ? checkDtype(fn, 'options.dtype', o.raw('dtype')) : defaultDtype(data);
  return fromFlat(fn, 'data', data as ArrayLike<number>, shape.slice(), dtype, copy);
}

/** Shared by the interop constructors: validated flat row-major data -> tensor. Internal. */
export function fromFlat(
  fn: string,
  arg: string,
  data: ArrayLike<number>,
  shape: number[],
  dtype: InteropDtype,
  copy: boolean,
): tf.Tensor {
  if (isNativeFor(dtype, data)) {
    if (dtype === 'bool')
      for (let i = 0; i < data.length; i++) convertValue(fn, arg, dtype, data[i] as number, i);
    const values = copy
      ? (data as Float32Array | Int32Array | Uint8Array).slice()
      : (data as Float32Array | Int32Array | Uint8Array);
    return tf.tensor(values, shape, dtype);
  }
  const out = allocate(dtype, data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number') throw new LabInputError(fn, `${arg}[${i}]`, 'must be a number', v);
    out[i] = dtype === 'float32' ? v : convertValue(fn, arg, dtype, v, i);
  }
  return tf.tensor(out, shape, dtype);
}
