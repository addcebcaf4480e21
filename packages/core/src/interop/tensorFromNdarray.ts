import type * as tf from '@tensorflow/tfjs-core';
import type { NdArray } from 'ndarray';
import { LabInputError } from '../errors.js';
import { readOptions } from '../validation/readOptions.js';
import { fromFlat } from './tensorFromTypedArray.js';
import {
  type InteropDtype,
  allocate,
  checkDtype,
  convertValue,
  defaultDtype,
  shapeSize,
} from './typedArrayDtype.js';

/** Options for {@link tensorFromNdarray}. */
export interface TensorFromNdarrayOptions {
  /** Tensor dtype (default: `int32` for integer data, `float32` otherwise). */
  dtype?: InteropDtype;
  /** Always copy, even for a contiguous array of the native type (default `false`). */
  copy?: boolean;
}

/**
 * A tensor from an `ndarray` (scijs) view with any strides and offset; the result is row-major.
 *
 * Zero-copy on the JS side when the view is C-contiguous (row-major strides, any offset) and
 * its data already is the array tfjs stores for the dtype (`Float32Array` -> float32,
 * `Int32Array` -> int32): a `subarray` of the data goes straight to `tf.tensor`. The backend may
 * still copy into its own memory (wasm heap, GPU); the cpu backend keeps a reference, so do not
 * mutate the source afterwards (or pass `copy: true`). Transposed/sliced/stepped views, other
 * element types and plain/generic arrays are gathered into a new row-major array (one copy).
 *
 * @param array - an `ndarray` (or any `{ data, shape, stride, offset }` with the same meaning); not modified.
 * @param options - `dtype`, `copy`.
 * @returns a new tensor owned by the caller.
 * @see https://github.com/scijs/ndarray
 */
export function tensorFromNdarray(array: NdArray, options?: TensorFromNdarrayOptions): tf.Tensor {
  const fn = 'tensorFromNdarray';
  const a = array as Partial<NdArray> | null;
  if (
    a === null ||
    typeof a !== 'object' ||
    a.data == null ||
    !Array.isArray(a.shape) ||
    !Array.isArray(a.stride)
  ) {
    throw new LabInputError(fn, 'array', 'must be an ndarray ({ data, shape, stride, offset })', array);
  }
  const shape = a.shape.slice();
  const stride = a.stride.slice();
  const offset = a.offset ?? 0;
  const size = shapeSize(fn, 'array.shape', shape);
  if (stride.length !== shape.length || stride.some((s) => !Number.isInteger(s))) {
    throw new LabInputError(fn, 'array.stride', `must be ${shape.length} integers`, stride);
  }
  if (!Number.isInteger(offset) || offset < 0)
    throw new LabInputError(fn, 'array.offset', 'must be a non-negative integer', offset);
  const o = readOptions(fn, options, ['dtype', 'copy']);
  const copy = o.boolean('copy', false);
  const data = a.data as unknown;
  const generic = !ArrayBuffer.isView(data) && !Array.isArray(data);
  if (generic && typeof (data as { get?: unknown }).get !== 'function') {
    throw new LabInputError(fn, 'array.data', 'must be a typed array, an array or have get(i)', data);
  }
  const length = (data as { length: number }).length;
  const dtype = o.has('dtype') ? checkDtype(fn, 'options.dtype', o.raw('dtype')) : defaultDtype(data);
  if (size === 0) return fromFlat(fn, 'array.data', allocate(dtype, 0), shape, dtype, false);
  // Bounds: the lowest and highest flat positions any index can reach.
  let lo = offset;
  let hi = offset;
  shape.forEach((d, k) => {
    const s = stride[k] as number;
    if (s > 0) hi += s * (d - 1);
    else lo += s * (d - 1);
  });
  if (lo < 0 || hi >= length) {
    throw new LabInputError(
      fn,
      'array',
      `must address data within [0, ${length}) (shape, stride and offset reach [${lo}, ${hi}])`,
    );
  }
  // C-contiguous: strides equal the row-major strides of the shape (dimensions of size 1 are free).
  let contiguous = !generic;
  let expected = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    if ((shape[k] as number) > 1 && stride[k] !== expected) contiguous = false;
    expected *= shape[k] as number;
  }
  if (contiguous) {
    const flat = ArrayBuffer.isView(data)
      ? (data as unknown as Float32Array).subarray(offset, offset + size)
      : (data as number[]).slice(offset, offset + size);
    return fromFlat(fn, 'array.data', flat, shape, dtype, copy);
  }
  // Gather with an odometer over the multi-index.
  const out = allocate(dtype, size);
  const get = generic
    ? (i: number) => (data as { get(i: number): number }).get(i)
    : (i: number) => (data as ArrayLike<number>)[i] as number;
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let pos = offset;
  for (let i = 0; i < size; i++) {
    const v = get(pos);
    if (typeof v !== 'number') throw new LabInputError(fn, `array.data[${pos}]`, 'must be a number', v);
    out[i] = dtype === 'float32' ? v : convertValue(fn, 'array.data', dtype, v, pos);
    for (let k = rank - 1; k >= 0; k--) {
      idx[k] = (idx[k] as number) + 1;
      pos += stride[k] as number;
      if ((idx[k] as number) < (shape[k] as number)) break;
      pos -= (stride[k] as number) * (shape[k] as number);
      idx[k] = 0;
    }
  }
  return fromFlat(fn, 'array.data', out, shape, dtype, false);
}
