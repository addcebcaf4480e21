import { LabInputError } from '@lab/core';

// int16 fixed-point arithmetic with the semantics of gemmlowp's scalar `FixedPoint<int16_t, m>`
// (Jacob et al.): values are raw int16 numbers; `m` integer bits means raw / 2^(15 - m).
// Our own implementation of the published algorithms, checked bit for bit (tests) against
// gemmlowp compiled outside this repository.

const wrap16 = (v: number): number => ((v & 0xffff) << 16) >> 16;
const sat16 = (v: number): number => Math.min(32767, Math.max(-32768, v));

/** Rounding doubling high multiply of two int16 (ARM VQRDMULH on 16 bits). */
function srdhm16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  const ab = a * b;
  return Math.trunc((ab + (ab >= 0 ? 1 << 14 : 1 - (1 << 14))) / 32768);
}

/** Round-half-away-from-zero arithmetic right shift (gemmlowp's RoundingDivideByPOT). */
function rdbpot(x: number, e: number): number {
  const mask = (1 << e) - 1;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + ((x & mask) > threshold ? 1 : 0);
}

/** Multiply an int16 by 2^e: saturating left shift for e > 0, rounding right shift for e < 0. */
function srmbpot16(x: number, e: number): number {
  if (e === 0) return x;
  if (e < 0) return rdbpot(x, -e);
  const threshold = (1 << (15 - e)) - 1;
  if (x > threshold) return 32767;
  if (x < -threshold) return -32768;
  return x << e;
}

/** A 32-bit fixed-point constant rounded to 16 bits (gemmlowp's constant initialiser). */
const c16 = (int32: number): number => rdbpot(int32, 16);

const ONE_Q0 = 32767;

/** exp(a) for a in [-1/4, 0), Q0.15 in and out (Taylor expansion around -1/8). */
function expQuarterInterval(a: number): number {
  const constantTerm = c16(1895147668); // exp(-1/8)
  const oneThird = c16(715827883);
  const x = wrap16(a + (1 << 12));
  const x2 = srdhm16(x, x);
  const x3 = srdhm16(x2, x);
  const x4 = srdhm16(x2, x2);
  const x4Over4 = srmbpot16(x4, -2);
  const poly = srmbpot16(wrap16(srdhm16(wrap16(x4Over4 + x3), oneThird) + x2), -1);
  return sat16(constantTerm + srdhm16(constantTerm, wrap16(x + poly)));
}

/** exp(a) for a <= 0 with `m` integer bits, result Q0.15. */
function expOnNegativeValues(a: number, m: number): number {
  const frac = 15 - m;
  const quarter = 1 << (frac - 2);
  const modQuarter = wrap16((a & (quarter - 1)) - quarter);
  let result = expQuarterInterval(srmbpot16(modQuarter, m));
  const remainder = wrap16(modQuarter - a);
  // Barrel shifter: multiply by exp(-2^k) for every set bit of the remainder.
  const steps: [number, number][] = [
    [-2, 1672461947],
    [-1, 1302514674],
    [0, 790015084],
    [1, 290630308],
    [2, 39332535],
    [3, 720401],
    [4, 242],
  ];
  for (const [k, mult] of steps) {
    if (m > k && (remainder & (1 << (frac + k))) !== 0) result = srdhm16(result, c16(mult));
  }
  if (m > 5 && a < c16(-(2 ** (36 - m)))) result = 0;
  return a === 0 ? ONE_Q0 : result;
}

/** Newton-Raphson reciprocal iteration shared by logistic and tanh; returns x ~ 1/half_denominator (Q2.13). */
function reciprocalQ2(halfDenominator: number): number {
  const c48over17 = c16(1515870810);
  const cNeg32over17 = c16(-1010580540);
  let x = wrap16(c48over17 + srdhm16(halfDenominator, cNeg32over17));
  for (let i = 0; i < 3; i++) {
    const oneMinus = wrap16((1 << 13) - srdhm16(halfDenominator, x));
    x = wrap16(x + srmbpot16(srdhm16(x, oneMinus), 2));
  }
  return x;
}

const roundingHalfSum = (a: number, b: number): number => {
  const s = a + b;
  return Math.trunc((s + (s >= 0 ? 1 : -1)) / 2);
};

function checkArgs(fn: string, x: number, integerBits: number, maxBits: number): void {
  if (!Number.isInteger(x) || x < -32768 || x > 32767) {
    throw new LabInputError(fn, 'x', 'must be an int16 integer', x);
  }
  if (!Number.isInteger(integerBits) || integerBits < 0 || integerBits > maxBits) {
    throw new LabInputError(fn, 'integerBits', `must be an integer in [0, ${maxBits}]`, integerBits);
  }
}

/**
 * Logistic sigmoid of an int16 fixed-point number with `integerBits` integer bits
 * (`x / 2^(15 - integerBits)`), returned as int16 Q0.15, with gemmlowp's fixed-point algorithm
 * (exp by a Taylor polynomial and a barrel shifter, then 1 / (1 + e) by Newton-Raphson), as
 * TFLite's integer LSTM applies it to its Q3.12 gate pre-activations (`integerBits = 3`).
 *
 * @example
 * ```ts
 * fixedPointSigmoid(0, 3); // 16384 (0.5 in Q0.15)
 * ```
 * @see Jacob et al., "Quantization and Training of Neural Networks for Efficient
 * Integer-Arithmetic-Only Inference", CVPR 2018 (gemmlowp); Stamenovic et al., arXiv 2111.02351.
 */
export function fixedPointSigmoid(x: number, integerBits: number): number {
  checkArgs('fixedPointSigmoid', x, integerBits, 6);
  if (x === 0) return c16(1 << 30);
  const abs = x > 0 ? x : wrap16(-x);
  const e = expOnNegativeValues(wrap16(-abs), integerBits);
  const positive = srmbpot16(reciprocalQ2(roundingHalfSum(e, ONE_Q0)), 1);
  return x > 0 ? positive : wrap16(ONE_Q0 - positive);
}

/**
 * tanh of an int16 fixed-point number with `integerBits` integer bits, returned as int16 Q0.15,
 * with gemmlowp's fixed-point algorithm ((1 - e) / (1 + e), e = exp(-2|x|)), as TFLite's integer
 * LSTM applies it to the cell gate (`integerBits = 3`) and to the cell state
 * (`integerBits = 15 + cell scale exponent`, 4 for Q4.11).
 *
 * @example
 * ```ts
 * fixedPointTanh(4096, 3); // tanh(1) in Q0.15
 * ```
 * @see Jacob et al., CVPR 2018 (gemmlowp); Stamenovic et al., arXiv 2111.02351.
 */
export function fixedPointTanh(x: number, integerBits: number): number {
  checkArgs('fixedPointTanh', x, integerBits, 6);
  if (x === 0) return 0;
  const n = x < 0 ? x : wrap16(-x);
  // exp(2n): the same raw value read with one more integer bit.
  const e = expOnNegativeValues(n, integerBits + 1);
  const t = srmbpot16(wrap16(reciprocalQ2(roundingHalfSum(e, ONE_Q0)) - (1 << 13)), 2);
  return x < 0 ? wrap16(-t) : t;
}
