import { LabInputError } from '@lab/core';
import {
  type EncodeWeightsOptions,
  type EncoderAccelerator,
  partRows,
  resolveBrickOrder,
} from '../encodeWeights.js';
import { mlwDecode } from './mlwDecode.js';
import { brickOrderIndex } from './reorderWeights.js';

/**
 * Decodes a weight stream made by {@link encodeWeights} (or by Vela's `mlw_codec` with the same
 * ordering) back into the row-major [outputs x inputs] int8 matrix. The accelerator and options
 * must be the ones used to encode (they fix the brick order and the parts).
 *
 * @param stream the encoded bytes (`EncodeWeightsResult.stream`)
 * @param shape `[outputs, inputs]`
 * @param accelerator the hardware config used to encode
 * @param options the options used to encode
 * @returns the int8 weights
 * @throws LabInputError on a bad shape or a stream that is malformed, truncated, too long or
 *   decodes to values outside int8
 * @see Arm Vela, `ethosu/mlw_codec/mlw_decode.c` (the format; this decoder is our own).
 */
export function decodeWeights(
  stream: Uint8Array,
  shape: [number, number],
  accelerator: EncoderAccelerator,
  options: EncodeWeightsOptions = {},
): Int8Array {
  const fn = 'decodeWeights';
  if (!(stream instanceof Uint8Array)) {
    throw new LabInputError(fn, 'stream', 'must be a Uint8Array', stream);
  }
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new LabInputError(fn, 'shape', 'must be [outputs, inputs] of positive integers', shape);
  }
  const [out, inp] = shape;
  const order = resolveBrickOrder(accelerator, fn);
  const step = options.ofmDepthStep ?? out;
  if (!Number.isInteger(step) || step <= 0) {
    throw new LabInputError(fn, 'options.ofmDepthStep', 'must be a positive integer', options.ofmDepthStep);
  }
  const result = new Int8Array(out * inp);
  let offset = 0;
  for (const part of partRows(out, order.cores, step, order.ofmBlockDepth)) {
    const idx = brickOrderIndex(part.rows, inp, { ...order, ofmBlockDepth: part.blockDepth });
    let decoded: Int16Array;
    try {
      const r = mlwDecode(stream.subarray(offset));
      decoded = r.values;
      offset += r.bytes;
    } catch (e) {
      throw new LabInputError(fn, 'stream', `must be a valid weight stream (${(e as Error).message})`);
    }
    if (decoded.length !== idx.length) {
      throw new LabInputError(
        fn,
        'stream',
        `must decode to ${idx.length} values for part at channel ${part.ofmStart} (core ${part.core})`,
        decoded.length,
      );
    }
    for (let k = 0; k < idx.length; k++) {
      const v = decoded[k] as number;
      const src = idx[k] as number;
      if (v < -128 || v > 127) throw new LabInputError(fn, 'stream', 'must decode to int8 values', v);
      if (src >= 0) result[src] = v;
      else if (v !== 0) throw new LabInputError(fn, 'stream', 'must decode to zeros at padding positions', v);
    }
  }
  if (offset !== stream.length) {
    throw new LabInputError(fn, 'stream', `must end after its last part (${offset} bytes)`, stream.length);
  }
  return result;
}
