import { LabInputError, readOptions } from '@lab/core';
import type { Int8Tensor, SparsityStructure } from './Int8Model.js';
import { INT8_NARROW_MAX } from './fakeQuantWeight.js';
import { numel, roundHalfEven } from './maskSelection.js';

/** Options of {@link quantizeWeight}. */
export interface QuantizeWeightOptions {
  /** One scale per output channel (last axis); default false. */
  perChannel?: boolean;
  /** Recorded on the result (the structure its zeros follow). */
  structure?: SparsityStructure;
  /** Recorded on the result for `structure: 'block'`. */
  block?: readonly [number, number];
}

/**
 * Quantises float weights to int8 symmetric narrow range on typed arrays, with exactly the
 * float32 arithmetic of {@link fakeQuantWeight} (so `q * scale` equals the fake-quantised
 * tensor bit for bit): `scale = fround(max|w| / 127)` (1 for an all-zero tensor/channel),
 * `q = clamp(roundHalfEven(fround(w / scale)), -127, 127)`, zero points 0.
 *
 * @param name - Parameter name recorded on the result.
 * @param values - Row-major values (not modified).
 * @param shape - @lab/core layout, output axis last.
 * @see TFLite 8-bit quantisation spec; Jacob et al., arXiv 1712.05877.
 */
export function quantizeWeight(
  name: string,
  values: ArrayLike<number>,
  shape: readonly number[],
  options: QuantizeWeightOptions = {},
): Int8Tensor {
  const fn = 'quantizeWeight';
  const o = readOptions(fn, options, ['perChannel', 'structure', 'block']);
  const perChannel = o.boolean('perChannel', false);
  if (typeof name !== 'string' || name.length === 0)
    throw new LabInputError(fn, 'name', 'must be a non-empty string', name);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new LabInputError(fn, 'shape', 'must be an array of non-negative integers', shape);
  }
  if (values == null || values.length !== numel(shape)) {
    throw new LabInputError(fn, 'values', `must have ${numel(shape)} elements`, values);
  }
  const n = values.length;
  const cols = perChannel && shape.length >= 1 ? shape[shape.length - 1]! : 1;
  const maxAbs = new Float64Array(cols);
  for (let i = 0; i < n; i++) {
    const c = cols === 1 ? 0 : i % cols;
    const a = Math.abs(Math.fround(values[i]!));
    if (!Number.isFinite(a)) throw new LabInputError(fn, 'values', 'must be finite', values[i]);
    if (a > maxAbs[c]!) maxAbs[c] = a;
  }
  const scales = new Float32Array(cols);
  for (let c = 0; c < cols; c++) scales[c] = maxAbs[c]! > 0 ? Math.fround(maxAbs[c]! / INT8_NARROW_MAX) : 1;
  const q = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const s = scales[cols === 1 ? 0 : i % cols]!;
    const r = roundHalfEven(Math.fround(Math.fround(values[i]!) / s));
    q[i] = Math.max(-INT8_NARROW_MAX, Math.min(INT8_NARROW_MAX, r));
  }
  const out: Int8Tensor = {
    name,
    shape: [...shape],
    values: q,
    scales,
    zeroPoints: new Int32Array(cols),
    ...(options.structure !== undefined ? { structure: options.structure } : {}),
    ...(options.block !== undefined ? { block: [options.block[0], options.block[1]] as const } : {}),
  };
  return out;
}
