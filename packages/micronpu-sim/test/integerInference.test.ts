import { LabInputError, createRng, initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  conv2dInt8,
  elementwiseInt8,
  fullyConnectedInt8,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

// Integer kernels vs a fake-quantised float model: the only differences are the Q31 rounding of
// the multiplier and the double-rounding of the requantisation, together at most 1 LSB.
const LSB_TOL = 1;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Round half away from zero of the rational n / d (BigInt), d > 0: brute-force reference. */
function roundHalfAway(n: bigint, d: bigint): bigint {
  const neg = n < 0n;
  const a = neg ? -n : n;
  const q = (2n * a + d) / (2n * d);
  return neg ? -q : q;
}

/** floor(n / d) for BigInt, d > 0. */
function floorDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return q * d > n ? q - 1n : q;
}

const quantize = (v: number, scale: number, zp: number, lo = -128, hi = 127): number =>
  Math.max(lo, Math.min(hi, Math.round(v / scale) + zp));

function randomInt8(n: number, rng: ReturnType<typeof createRng>, lo = -128, hi = 127): Int8Array {
  const a = new Int8Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + rng.int(hi - lo + 1);
  return a;
}

describe('fixed-point primitives (TFLite / gemmlowp semantics)', () => {
  it('quantizeMultiplier reconstructs the real multiplier to Q31 precision', () => {
    const rng = createRng(1);
    for (let i = 0; i < 500; i++) {
      const real = 2 ** rng.uniform(-30, 10);
      const { multiplier, shift } = quantizeMultiplier(real);
      expect(multiplier).toBeGreaterThanOrEqual(2 ** 30);
      expect(multiplier).toBeLessThan(2 ** 31);
      // Q31 mantissa: relative error at most 2^-31 (half an LSB of a mantissa >= 2^30).
      expect(Math.abs((multiplier / 2 ** 31) * 2 ** shift - real) / real).toBeLessThanOrEqual(2 ** -31);
    }
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(2 ** -40)).toEqual({ multiplier: 0, shift: 0 });
    // Mantissa rounding up to 2^31 renormalises.
    expect(quantizeMultiplier(1 - 2 ** -33)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(() => quantizeMultiplier(-1)).toThrow(/quantizeMultiplier: argument 'real'/);
  });

  it('saturatingRoundingDoublingHighMul rounds to nearest (ties up, as gemmlowp) and saturates MIN*MIN', () => {
    const rng = createRng(2);
    const cases: Array<[number, number]> = [
      [INT32_MAX, INT32_MAX],
      [INT32_MIN, INT32_MAX],
      [-(2 ** 30), 1],
      [2 ** 30, 1],
      [1, 1],
      [-1, 1],
    ];
    for (let i = 0; i < 2000; i++) cases.push([INT32_MIN + rng.int(2 ** 32), INT32_MIN + rng.int(2 ** 32)]);
    for (const [a, b] of cases) {
      expect(saturatingRoundingDoublingHighMul(a, b)).toBe(
        Number(floorDiv(BigInt(a) * BigInt(b) + 2n ** 30n, 2n ** 31n)),
      );
    }
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN)).toBe(INT32_MAX);
    // Ties: -0.5 -> 0 and +0.5 -> 1 (gemmlowp's nudge 1 - 2^30 for negative products).
    expect(saturatingRoundingDoublingHighMul(-(2 ** 30), 1)).toBe(0);
    expect(saturatingRoundingDoublingHighMul(2 ** 30, 1)).toBe(1);
  });

  it('roundingDivideByPOT rounds half away from zero', () => {
    expect(roundingDivideByPOT(3, 1)).toBe(2);
    expect(roundingDivideByPOT(-3, 1)).toBe(-2);
    expect(roundingDivideByPOT(5, 2)).toBe(1);
    expect(roundingDivideByPOT(-6, 2)).toBe(-2);
    const rng = createRng(3);
    for (let i = 0; i < 2000; i++) {
      const x = INT32_MIN + rng.int(2 ** 32);
      const e = rng.int(32);
      expect(roundingDivideByPOT(x, e)).toBe(Number(roundHalfAway(BigInt(x), 2n ** BigInt(e))));
    }
  });

  it('multiplyByQuantizedMultiplier is within 1 of x * real', () => {
    const rng = createRng(4);
    for (let i = 0; i < 2000; i++) {
      const real = 2 ** rng.uniform(-20, 4);
      const x = Math.round(rng.uniform(-1, 1) * Math.min(2 ** 31 - 1, 2 ** 30 / Math.max(1, real)));
      const q = quantizeMultiplier(real);
      expect(
        Math.abs(multiplyByQuantizedMultiplier(x, q.multiplier, q.shift) - x * real),
      ).toBeLessThanOrEqual(1);
    }
    expect(() => multiplyByQuantizedMultiplier(2 ** 31, 1, 0)).toThrow(LabInputError);
  });
});

interface FcCase {
  inn: number;
  out: number;
  sx: number;
  zx: number;
  sw: number;
  so: number;
  zo: number;
  xLo?: number;
  xHi?: number;
}

function checkFc(c: FcCase, seed: number): { saturated: number } {
  const rng = createRng(seed);
  const x = randomInt8(c.inn, rng, c.xLo ?? -128, c.xHi ?? 127);
  const w = randomInt8(c.out * c.inn, rng, -127, 127);
  const bias = new Int32Array(c.out);
  for (let o = 0; o < c.out; o++) bias[o] = Math.round(rng.uniform(-1, 1) * 20 * c.inn);
  const q = quantizeMultiplier((c.sx * c.sw) / c.so);
  const y = fullyConnectedInt8({
    input: x,
    weights: w,
    shape: [c.out, c.inn],
    bias,
    inputZeroPoint: c.zx,
    outputZeroPoint: c.zo,
    multiplier: q,
  });
  let saturated = 0;
  for (let o = 0; o < c.out; o++) {
    // Fake-quantised float model: dequantise, float matmul, quantise the output.
    let real = (bias[o] as number) * c.sx * c.sw;
    for (let k = 0; k < c.inn; k++)
      real += (w[o * c.inn + k] as number) * c.sw * ((x[k] as number) - c.zx) * c.sx;
    const ref = quantize(real, c.so, c.zo);
    if (ref === -128 || ref === 127) saturated++;
    expect(Math.abs((y[o] as number) - ref)).toBeLessThanOrEqual(LSB_TOL);
  }
  return { saturated };
}

describe('fullyConnectedInt8', () => {
  it('matches a fake-quantised float FC within 1 LSB on random ranges', () => {
    const rng = createRng(5);
    for (let t = 0; t < 20; t++) {
      const inn = 1 + rng.int(300);
      checkFc(
        {
          inn,
          out: 1 + rng.int(40),
          sx: 2 ** rng.uniform(-8, 0),
          zx: -128 + rng.int(256),
          sw: 2 ** rng.uniform(-9, -3),
          so: 2 ** rng.uniform(-4, 2) * Math.sqrt(inn) * 0.05,
          zo: -128 + rng.int(256),
        },
        100 + t,
      );
    }
  });

  it('saturates and handles extreme zero points and large accumulators exactly', () => {
    // Extreme zero points, a tiny output scale: most outputs saturate at -128/127.
    const r1 = checkFc({ inn: 64, out: 64, sx: 0.1, zx: -128, sw: 0.05, so: 0.01, zo: 127 }, 7);
    expect(r1.saturated).toBeGreaterThan(32);
    // 8192 inputs all at -128 with zx = 127: |acc| up to 127 * 255 * 8192 ~ 2^28 stays int32.
    checkFc({ inn: 8192, out: 8, sx: 0.02, zx: 127, sw: 0.01, so: 400, zo: 0, xLo: -128, xHi: -128 }, 8);
    // Per-channel multipliers and a ReLU-style activation range.
    const y = fullyConnectedInt8({
      input: new Int8Array([10, -10]),
      weights: new Int8Array([1, 0, 0, 1]),
      shape: [2, 2],
      inputZeroPoint: 0,
      outputZeroPoint: -5,
      multiplier: [quantizeMultiplier(2), quantizeMultiplier(0.5)],
      activationMin: -5,
    });
    expect(Array.from(y)).toEqual([15, -5]);
  });

  it('validates its arguments and leaves them untouched', () => {
    const x = new Int8Array([1, 2, 3]);
    const w = new Int8Array([1, 2, 3, 4, 5, 6]);
    const before = [x.slice(), w.slice()];
    fullyConnectedInt8({
      input: x,
      weights: w,
      shape: [2, 3],
      inputZeroPoint: 3,
      outputZeroPoint: 0,
      multiplier: quantizeMultiplier(0.1),
    });
    expect([x, w]).toEqual(before);
    expect(() =>
      fullyConnectedInt8({
        input: x,
        weights: w,
        shape: [3, 3],
        inputZeroPoint: 0,
        outputZeroPoint: 0,
        multiplier: quantizeMultiplier(1),
      }),
    ).toThrow(/fullyConnectedInt8: argument 'options.weights'/);
    expect(() =>
      fullyConnectedInt8({
        input: x,
        weights: w,
        shape: [2, 3],
        inputZeroPoint: 200,
        outputZeroPoint: 0,
        multiplier: quantizeMultiplier(1),
      }),
    ).toThrow(/options.inputZeroPoint/);
    expect(() =>
      fullyConnectedInt8({
        input: x,
        weights: w,
        shape: [2, 3],
        inputZeroPoint: 0,
        outputZeroPoint: 0,
        multiplier: { multiplier: 1.5, shift: 0 },
      }),
    ).toThrow(/options.multiplier/);
  });
});

describe('conv2dInt8', () => {
  it('matches a fake-quantised float conv (tfjs conv2d) within 1 LSB, same and valid padding', () => {
    const rng = createRng(9);
    const cases = [
      { H: 7, W: 6, C: 3, O: 5, K: 3, s: 1, pad: 'same' as const },
      { H: 9, W: 8, C: 4, O: 6, K: 3, s: 2, pad: 'same' as const },
      { H: 8, W: 8, C: 2, O: 3, K: 4, s: 2, pad: 'valid' as const },
    ];
    for (const c of cases) {
      const sx = 0.03;
      const zx = -20 + rng.int(40);
      const sw = 0.02;
      const so = 0.08;
      const zo = -10 + rng.int(20);
      const x = randomInt8(c.H * c.W * c.C, rng);
      const w = randomInt8(c.O * c.K * c.K * c.C, rng, -127, 127);
      const { output, shape } = conv2dInt8({
        input: x,
        inputShape: [c.H, c.W, c.C],
        weights: w,
        weightShape: [c.O, c.K, c.K, c.C],
        stride: c.s,
        padding: c.pad,
        inputZeroPoint: zx,
        outputZeroPoint: zo,
        multiplier: quantizeMultiplier((sx * sw) / so),
      });
      const ref = tf.tidy(() => {
        const xf = tf.tensor4d(
          Array.from(x, (v) => (v - zx) * sx),
          [1, c.H, c.W, c.C],
        );
        // OHWI -> HWIO for tfjs.
        const wf = tf.transpose(
          tf.tensor4d(
            Array.from(w, (v) => v * sw),
            [c.O, c.K, c.K, c.C],
          ),
          [1, 2, 3, 0],
        ) as tf.Tensor4D;
        return tf.conv2d(xf, wf, c.s, c.pad).dataSync().slice();
      });
      expect(shape[0] * shape[1] * shape[2]).toBe(ref.length);
      for (let i = 0; i < ref.length; i++) {
        expect(Math.abs((output[i] as number) - quantize(ref[i] as number, so, zo))).toBeLessThanOrEqual(
          LSB_TOL,
        );
      }
    }
  });
});

describe('elementwiseInt8', () => {
  it('add and mul match fake-quantised float within 1 LSB, incl. very different scales and saturation', () => {
    const rng = createRng(10);
    const scalePairs: Array<[number, number, number]> = [
      [0.05, 0.05, 0.1],
      [0.5, 0.004, 0.6],
      [0.001, 0.3, 0.01],
      [0.1, 0.1, 0.001],
    ];
    for (const [sa, sb, so] of scalePairs) {
      const n = 500;
      const a = { values: randomInt8(n, rng), scale: sa, zeroPoint: -128 + rng.int(256) };
      const b = { values: randomInt8(n, rng), scale: sb, zeroPoint: -128 + rng.int(256) };
      const zo = -128 + rng.int(256);
      const add = elementwiseInt8({ op: 'add', a, b, outputScale: so, outputZeroPoint: zo });
      const mul = elementwiseInt8({ op: 'mul', a, b, outputScale: so * 8, outputZeroPoint: zo });
      for (let i = 0; i < n; i++) {
        const ra = ((a.values[i] as number) - a.zeroPoint) * sa;
        const rb = ((b.values[i] as number) - b.zeroPoint) * sb;
        expect(Math.abs((add[i] as number) - quantize(ra + rb, so, zo))).toBeLessThanOrEqual(LSB_TOL);
        expect(Math.abs((mul[i] as number) - quantize(ra * rb, so * 8, zo))).toBeLessThanOrEqual(LSB_TOL);
      }
    }
    expect(() =>
      elementwiseInt8({
        op: 'add',
        a: { values: new Int8Array(2), scale: 1, zeroPoint: 0 },
        b: { values: new Int8Array(3), scale: 1, zeroPoint: 0 },
        outputScale: 1,
        outputZeroPoint: 0,
      }),
    ).toThrow(/elementwiseInt8: argument 'options.b.values'/);
  });
});
