import { LabInputError } from '@lab/core';

/** A real multiplier as a Q31 fixed-point mantissa and a power-of-two exponent. */
export interface QuantizedMultiplier {
  /** Q31 mantissa in [2^30, 2^31) (or 0). */
  readonly multiplier: number;
  /** Exponent: real = multiplier / 2^31 * 2^shift (positive = left shift). */
  readonly shift: number;
}

/**
 * Splits a non-negative real multiplier into a Q31 mantissa and an exponent, as TFLite's
 * `QuantizeMultiplier` (frexp, round the mantissa to 31 bits, renormalise on overflow, flush
 * exponents below -31 to zero).
 *
 * @example
 * ```ts
 * quantizeMultiplier(0.5); // { multiplier: 2 ** 30, shift: 0 }
 * ```
 * @see Jacob et al., "Quantization and Training of Neural Networks for Efficient
 * Integer-Arithmetic-Only Inference", CVPR 2018; Stamenovic et al., arXiv 2111.02351.
 */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (typeof real !== 'number' || !Number.isFinite(real) || real < 0) {
    throw new LabInputError('quantizeMultiplier', 'real', 'must be a non-negative finite number', real);
  }
  if (real === 0) return { multiplier: 0, shift: 0 };
  let shift = Math.floor(Math.log2(real)) + 1;
  let q = real / 2 ** shift;
  // Guard log2 rounding at exact powers of two: keep q in [0.5, 1).
  if (q >= 1) {
    q /= 2;
    shift += 1;
  } else if (q < 0.5) {
    q *= 2;
    shift -= 1;
  }
  let m = Math.round(q * 2 ** 31);
  if (m === 2 ** 31) {
    m /= 2;
    shift += 1;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  if (shift > 30) {
    throw new LabInputError('quantizeMultiplier', 'real', 'must be below 2^30', real);
  }
  return { multiplier: m, shift };
}
