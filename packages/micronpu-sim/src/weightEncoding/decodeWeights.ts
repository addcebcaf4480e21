import { LabFormatError, LabInputError, checkBytes, readOptions } from '@lab/core';
import {
  type EncoderAccelerator,
  type EncodeWeightsOptions,
  partRows,
  resolveBrickOrder,
} from '../encodeWeights.js';
import { mlwDecode } from './mlwDecode.js';
import { brickOrderIndex } from './reorderWeights.js';

/**
 * Most values one byte of a weight stream can code. Every weight costs at least one bit (a unary
 * bit when compressed; at least one index bit when uncompressed, since a palette holds 0 or >= 2
 * entries), and a zero run of length `r` with divisor `2^z` (z <= 4) costs at least
 * `floor(r / 2^z) + 1 + z` bits, so under 16 zeros per bit. Hence fewer than 17 values per bit;
 * 256 per byte leaves a margin. A claimed shape needing more is rejected before any allocation.
 */
export const MAX_VALUES_PER_STREAM_BYTE = 256;

/** Options of {@link decodeWeights}. */
export interface DecodeWeightsOptions extends EncodeWeightsOptions {
  /**
   * Largest `outputs * inputs` accepted (default 2^27, at most 2^31 - 1): a guard against a
   * hostile shape, checked before anything is allocated.
   */
  maxElements?: number;
}

const FN = 'decodeWeights';

/**
 * Decodes a weight stream made by {@link encodeWeights} (or by Vela's `mlw_codec` with the same
 * ordering) back into the row-major [outputs x inputs] int8 matrix. The accelerator and options
 * must be the ones used to encode (they fix the brick order and the parts).
 *
 * The stream may be any `Uint8Array` view (a Node `Buffer`, a `subarray`). The claimed shape is
 * checked against `maxElements` and against the bytes present
 * ({@link MAX_VALUES_PER_STREAM_BYTE} values per byte at most) before the output is allocated, and
 * decoding stops as soon as a part yields more values than its share: a malformed stream fails in
 * milliseconds.
 *
 * @param stream the encoded bytes (`EncodeWeightsResult.stream`; not modified)
 * @param shape `[outputs, inputs]`
 * @param accelerator the hardware config used to encode
 * @param options the options used to encode, plus `maxElements`
 * @returns the int8 weights
 * @throws LabInputError on a bad argument or option; LabFormatError (a LabInputError) on a stream
 *   that is malformed, truncated, too long, too short for the shape or decodes to values outside int8
 * @see Arm Vela, `ethosu/mlw_codec/mlw_decode.c` (the format; this decoder is our own).
 */
export function decodeWeights(
  stream: Uint8Array,
  shape: [number, number],
  accelerator: EncoderAccelerator,
  options?: DecodeWeightsOptions,
): Int8Array {
  const bytes = checkBytes(FN, 'stream', stream);
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw new LabInputError(FN, 'shape', 'must be [outputs, inputs] of positive integers', shape);
  }
  const o = readOptions(FN, options, ['ofmDepthStep', 'maxElements']);
  const [out, inp] = shape;
  const order = resolveBrickOrder(accelerator, FN);
  const step = o.integer('ofmDepthStep', out, { min: 1 });
  const maxElements = o.integer('maxElements', 2 ** 27, { min: 1, max: 2 ** 31 - 1 });
  const where = { source: '<stream>' };
  const fail = (expected: string, actual?: unknown): never => {
    throw new LabFormatError(FN, 'stream', where, expected, actual);
  };
  if (out * inp > bytes.length * MAX_VALUES_PER_STREAM_BYTE) {
    fail(
      `must hold at least ${Math.ceil((out * inp) / MAX_VALUES_PER_STREAM_BYTE)} bytes for shape [${out}, ${inp}] (${MAX_VALUES_PER_STREAM_BYTE} values per byte at most)`,
      bytes.length,
    );
  }
  if (out * inp > maxElements) {
    throw new LabInputError(FN, 'shape', `must have at most maxElements = ${maxElements} elements`, shape);
  }
  const result = new Int8Array(out * inp);
  let offset = 0;
  for (const part of partRows(out, order.cores, step, order.ofmBlockDepth)) {
    const idx = brickOrderIndex(part.rows, inp, { ...order, ofmBlockDepth: part.blockDepth });
    let decoded: Int16Array;
    try {
      const r = mlwDecode(bytes.subarray(offset), idx.length);
      decoded = r.values;
      offset += r.bytes;
    } catch (e) {
      return fail(`must be a valid weight stream (${(e as Error).message})`);
    }
    if (decoded.length !== idx.length) {
      fail(
        `must decode to ${idx.length} values for part at channel ${part.ofmStart} (core ${part.core})`,
        decoded.length,
      );
    }
    for (let k = 0; k < idx.length; k++) {
      const v = decoded[k] as number;
      const src = idx[k] as number;
      if (v < -128 || v > 127) fail('must decode to int8 values', v);
      if (src >= 0) result[src] = v;
      else if (v !== 0) fail('must decode to zeros at padding positions', v);
    }
  }
  if (offset !== bytes.length) {
    fail(`must end after its last part (${offset} bytes)`, bytes.length);
  }
  return result;
}
