import { LabInputError } from '../errors.js';

/** Numeric dtypes the interop functions produce. */
export type InteropDtype = 'float32' | 'int32' | 'bool';

/** Typed arrays accepted as tensor data. */
export type NumericTypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint8ClampedArray
  | Uint16Array
  | Uint32Array;

/** Default tfjs dtype for a data container: integer typed arrays -> int32, everything else -> float32. Internal. */
export function defaultDtype(data: unknown): InteropDtype {
  if (
    data instanceof Int32Array ||
    data instanceof Int16Array ||
    data instanceof Int8Array ||
    data instanceof Uint8Array ||
    data instanceof Uint8ClampedArray ||
    data instanceof Uint16Array ||
    data instanceof Uint32Array
  ) {
    return 'int32';
  }
  return 'float32';
}

/** Validates an explicit dtype option. Internal. */
export function checkDtype(fn: string, arg: string, dtype: unknown): InteropDtype {
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
    throw new LabInputError(fn, arg, "must be 'float32', 'int32' or 'bool'", dtype);
  }
  return dtype;
}

/** Allocates the backing array tfjs uses for a dtype. Internal. */
export function allocate(dtype: InteropDtype, size: number): Float32Array | Int32Array | Uint8Array {
  return dtype === 'float32'
    ? new Float32Array(size)
    : dtype === 'int32'
      ? new Int32Array(size)
      : new Uint8Array(size);
}

/** Whether `data` already is the array type tfjs stores for `dtype` (so it can be used without a copy). Internal. */
export function isNativeFor(dtype: InteropDtype, data: unknown): boolean {
  return (
    (dtype === 'float32' && data instanceof Float32Array) ||
    (dtype === 'int32' && data instanceof Int32Array) ||
    (dtype === 'bool' && data instanceof Uint8Array)
  );
}

/** Returns a validated value for `dtype`: int32 must be an integer in range, bool must be 0/1. Internal. */
export function convertValue(fn: string, arg: string, dtype: InteropDtype, v: number, at: number): number {
  if (dtype === 'int32') {
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
      throw new LabInputError(fn, `${arg}[${at}]`, 'must be an int32 integer for dtype int32', v);
    }
  } else if (dtype === 'bool') {
    if (v !== 0 && v !== 1) throw new LabInputError(fn, `${arg}[${at}]`, 'must be 0 or 1 for dtype bool', v);
  }
  return v;
}

/** Largest element count the interop constructors build (tfjs sizes are int32). Internal. */
const MAX_TENSOR_SIZE = 2 ** 31 - 1;

/** Validates a shape (element count at most {@link MAX_TENSOR_SIZE}) and returns its element count. Internal. */
export function shapeSize(fn: string, arg: string, shape: unknown): number {
  if (!Array.isArray(shape))
    throw new LabInputError(fn, arg, 'must be an array of non-negative integers', shape);
  let size = 1;
  shape.forEach((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new LabInputError(fn, `${arg}[${i}]`, 'must be a non-negative integer', d);
    }
    size *= d;
  });
  if (size > MAX_TENSOR_SIZE) {
    throw new LabInputError(
      fn,
      arg,
      `must have at most ${MAX_TENSOR_SIZE} elements (product of the dimensions)`,
      shape,
    );
  }
  return size;
}
