import { LabInputError } from '@lab/core';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const TWO31 = 2n ** 31n;

/** TFLite/gemmlowp `SaturatingRoundingDoublingHighMul`: round(a * b / 2^31), saturating MIN*MIN. */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  // BigInt division truncates toward zero, like C++ int64 division.
  return Number((ab + nudge) / TWO31);
}

/** gemmlowp `RoundingDivideByPOT`: x / 2^exponent rounded half away from zero. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = 2 ** exponent - 1;
  // x & mask on the two's complement value: non-negative remainder in [0, 2^exponent).
  const floor = Math.floor(x / 2 ** exponent);
  const remainder = x - floor * 2 ** exponent;
  const threshold = Math.floor(mask / 2) + (x < 0 ? 1 : 0);
  return floor + (remainder > threshold ? 1 : 0);
}

/**
 * TFLite's `MultiplyByQuantizedMultiplier(x, multiplier, shift)` on int32 `x`: left shift for
 * positive exponents, Q31 rounding doubling high multiply, then rounding right shift. This is
 * the requantisation step of every int8 kernel.
 *
 * @example
 * ```ts
 * multiplyByQuantizedMultiplier(1000, 2 ** 30, -1); // 1000 * 0.5 * 0.5 = 250
 * ```
 * @see Jacob et al., CVPR 2018 (integer-only inference); Stamenovic et al., arXiv 2111.02351.
 */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const fn = 'multiplyByQuantizedMultiplier';
  if (!Number.isInteger(x) || x < INT32_MIN || x > INT32_MAX) {
    throw new LabInputError(fn, 'x', 'must be an int32', x);
  }
  if (!Number.isInteger(multiplier) || multiplier < 0 || multiplier > INT32_MAX) {
    throw new LabInputError(fn, 'multiplier', 'must be a Q31 value in [0, 2^31)', multiplier);
  }
  if (!Number.isInteger(shift) || shift < -31 || shift > 30) {
    throw new LabInputError(fn, 'shift', 'must be an integer in [-31, 30]', shift);
  }
  const left = Math.max(shift, 0);
  const right = shift > 0 ? 0 : -shift;
  // The left shift is done in int32 in TFLite; wrap like two's complement.
  const shifted = left > 0 ? Number(BigInt.asIntN(32, BigInt(x) << BigInt(left))) : x;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(shifted, multiplier), right);
}
