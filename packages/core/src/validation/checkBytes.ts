import { LabInputError } from '../errors.js';

/**
 * Checks that `value` holds bytes and returns them as a `Uint8Array` view over the same memory
 * (no copy). Accepts any `Uint8Array` (a Node `Buffer`, a `subarray` at any offset), any other
 * `ArrayBufferView` (its bytes, from its own `byteOffset`), or an `ArrayBuffer`.
 *
 * Byte-taking APIs read through the returned view only: never `value.buffer` (a `Buffer` is a
 * window into a larger pooled `ArrayBuffer`), and never write to it (the caller's data stays
 * untouched).
 *
 * @example
 * ```ts
 * import { checkBytes } from '@lab/core';
 * const pool = new Uint8Array([9, 1, 2, 3]);
 * const view = checkBytes('demo', 'bytes', pool.subarray(1));
 * if (view.length !== 3 || view[0] !== 1) throw new Error('a view of the same bytes');
 * ```
 */
export function checkBytes(fn: string, arg: string, value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new LabInputError(fn, arg, 'must be a Uint8Array (or Buffer, ArrayBufferView, ArrayBuffer)', value);
}
