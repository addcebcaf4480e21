import { LabInputError } from '@lab/core';
import { multiplyByQuantizedMultiplier } from './multiplyByQuantizedMultiplier.js';
import type { QuantizedMultiplier } from './quantizeMultiplier.js';

/** Wraps a (exact, < 2^53) integer sum to int32 two's complement, as int32 hardware accumulators do. */
export const wrapInt32 = (x: number): number => Number(BigInt.asIntN(32, BigInt(x)));

export function checkInt8Array(fn: string, arg: string, a: unknown, n?: number): Int8Array {
  if (!(a instanceof Int8Array)) throw new LabInputError(fn, arg, 'must be an Int8Array', a);
  if (n !== undefined && a.length !== n)
    throw new LabInputError(fn, arg, `must have ${n} elements`, a.length);
  return a;
}

export function checkZeroPoint(fn: string, arg: string, z: unknown): number {
  if (typeof z !== 'number' || !Number.isInteger(z) || z < -128 || z > 127) {
    throw new LabInputError(fn, arg, 'must be an integer in [-128, 127]', z);
  }
  return z;
}

export function checkActivationRange(
  fn: string,
  min: number | undefined,
  max: number | undefined,
): [number, number] {
  const lo = min ?? -128;
  const hi = max ?? 127;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < -128 || hi > 127 || lo > hi) {
    throw new LabInputError(
      fn,
      'options.activationMin/Max',
      'must be integers with -128 <= min <= max <= 127',
      [lo, hi],
    );
  }
  return [lo, hi];
}

function checkMultiplier(fn: string, arg: string, m: unknown): QuantizedMultiplier {
  const q = m as QuantizedMultiplier | null;
  if (
    q === null ||
    typeof q !== 'object' ||
    !Number.isInteger(q.multiplier) ||
    q.multiplier < 0 ||
    q.multiplier >= 2 ** 31 ||
    !Number.isInteger(q.shift) ||
    q.shift < -31 ||
    q.shift > 30
  ) {
    throw new LabInputError(
      fn,
      arg,
      'must be { multiplier: Q31 int, shift: int in [-31, 30] } (see quantizeMultiplier)',
      m,
    );
  }
  return q;
}

/** Per-tensor or per-channel multipliers, checked and expanded to one per output channel. */
export function perChannel(
  fn: string,
  arg: string,
  m: QuantizedMultiplier | readonly QuantizedMultiplier[],
  channels: number,
): QuantizedMultiplier[] {
  if (Array.isArray(m)) {
    if (m.length !== channels) throw new LabInputError(fn, arg, `must have ${channels} entries`, m.length);
    return m.map((q, i) => checkMultiplier(fn, `${arg}[${i}]`, q));
  }
  const q = checkMultiplier(fn, arg, m);
  return new Array(channels).fill(q);
}

/** Requantises an int32 accumulator to int8: multiply, add the output zero point, clamp. */
export function requantize(
  acc: number,
  q: QuantizedMultiplier,
  zeroPoint: number,
  lo: number,
  hi: number,
): number {
  const v = multiplyByQuantizedMultiplier(wrapInt32(acc), q.multiplier, q.shift) + zeroPoint;
  return Math.min(hi, Math.max(lo, v));
}
