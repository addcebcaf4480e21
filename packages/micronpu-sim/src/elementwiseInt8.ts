import { LabInputError, type OptionReader, readOptions } from '@lab/core';
import { checkActivationRange, checkInt8Array, checkZeroPoint } from './intKernelsCommon.js';
import { multiplyByQuantizedMultiplier } from './multiplyByQuantizedMultiplier.js';
import { quantizeMultiplier } from './quantizeMultiplier.js';

/** A quantised int8 operand: values, scale and zero point. */
export interface QuantizedInt8 {
  readonly values: Int8Array;
  readonly scale: number;
  readonly zeroPoint: number;
}

/** Options of {@link elementwiseInt8}. */
export interface ElementwiseInt8Options {
  readonly op: 'add' | 'mul';
  readonly a: QuantizedInt8;
  readonly b: QuantizedInt8;
  readonly outputScale: number;
  readonly outputZeroPoint: number;
  readonly activationMin?: number;
  readonly activationMax?: number;
}

/** TFLite's int8 Add left shift (inputs are scaled to 2^20 before rescaling). */
const ADD_LEFT_SHIFT = 20;

/** `> 0` and finite. */
const POSITIVE = { min: 0, open: { min: true } } as const;

/** Checks operand `key` (`{ values, scale, zeroPoint }`, no other keys) of the options. */
function checkOperand(o: OptionReader, key: 'a' | 'b'): void {
  if (!o.has(key))
    throw new LabInputError(o.fn, o.argName(key), 'is required and must be { values, scale, zeroPoint }');
  const q = o.nested(key, ['values', 'scale', 'zeroPoint']);
  checkInt8Array(o.fn, q.argName('values'), q.raw('values'));
  q.number('scale', undefined, POSITIVE);
  checkZeroPoint(o.fn, q.argName('zeroPoint'), q.raw('zeroPoint'));
}

/**
 * TFLite-style int8 elementwise Add / Mul (same shapes, no broadcasting). Add rescales both
 * inputs to a common scale 2 max(sa, sb) with a 2^20 left shift and per-input quantised
 * multipliers, then requantises the sum; Mul requantises (a - za)(b - zb) by sa sb / so. Both
 * add the output zero point and saturate.
 *
 * @see Jacob et al., CVPR 2018; Stamenovic et al., arXiv 2111.02351 (LSTM elementwise parts).
 */
export function elementwiseInt8(options: ElementwiseInt8Options): Int8Array {
  const fn = 'elementwiseInt8';
  const o = readOptions(fn, options, [
    'op',
    'a',
    'b',
    'outputScale',
    'outputZeroPoint',
    'activationMin',
    'activationMax',
  ]);
  const op = o.oneOf('op', ['add', 'mul']);
  checkOperand(o, 'a');
  checkOperand(o, 'b');
  const { a, b } = options;
  if (a.values.length !== b.values.length) {
    throw new LabInputError(
      fn,
      'options.b.values',
      `must have ${a.values.length} elements like a`,
      b.values.length,
    );
  }
  o.number('outputScale', undefined, POSITIVE);
  const zo = checkZeroPoint(fn, 'options.outputZeroPoint', options.outputZeroPoint);
  const [lo, hi] = checkActivationRange(fn, options.activationMin, options.activationMax);
  const n = a.values.length;
  const y = new Int8Array(n);
  const clamp = (v: number) => Math.min(hi, Math.max(lo, v));
  if (op === 'mul') {
    const q = quantizeMultiplier((a.scale * b.scale) / options.outputScale);
    for (let i = 0; i < n; i++) {
      const p = ((a.values[i] as number) - a.zeroPoint) * ((b.values[i] as number) - b.zeroPoint);
      y[i] = clamp(multiplyByQuantizedMultiplier(p, q.multiplier, q.shift) + zo);
    }
    return y;
  }
  const twiceMax = 2 * Math.max(a.scale, b.scale);
  const qa = quantizeMultiplier(a.scale / twiceMax);
  const qb = quantizeMultiplier(b.scale / twiceMax);
  const qo = quantizeMultiplier(twiceMax / (2 ** ADD_LEFT_SHIFT * options.outputScale));
  for (let i = 0; i < n; i++) {
    const sa = multiplyByQuantizedMultiplier(
      ((a.values[i] as number) - a.zeroPoint) * 2 ** ADD_LEFT_SHIFT,
      qa.multiplier,
      qa.shift,
    );
    const sb = multiplyByQuantizedMultiplier(
      ((b.values[i] as number) - b.zeroPoint) * 2 ** ADD_LEFT_SHIFT,
      qb.multiplier,
      qb.shift,
    );
    y[i] = clamp(multiplyByQuantizedMultiplier(sa + sb, qo.multiplier, qo.shift) + zo);
  }
  return y;
}
