import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeaks } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { LabInputError } from '../src/errors.js';
import { createRng } from '../src/random/createRng.js';
import {
  bernoulliMask,
  randomNormalTensor,
  randomUniformTensor,
  truncatedNormal,
} from '../src/random/randomTensors.js';

const N = 200_000;
/** Sample moments must lie within 5 standard errors of the closed form (false-alarm rate < 1e-6; seeds are fixed anyway). */
const Z = 5;

function moments(x: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  const mean = s / x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i]! - mean) ** 2;
  return { mean, variance: v / (x.length - 1) };
}

function extent(x: ArrayLike<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) {
    lo = Math.min(lo, x[i]!);
    hi = Math.max(hi, x[i]!);
  }
  return [lo, hi];
}

async function onBackend(backend: 'cpu' | 'wasm', f: () => tf.Tensor): Promise<Array<number>> {
  await initBackend({ backend });
  const t = f();
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

beforeAll(async () => {
  await initBackend();
});

describe('seeded tensor samplers', () => {
  const samplers: Array<[string, (seed: number | string) => tf.Tensor]> = [
    ['randomNormalTensor', (seed) => randomNormalTensor([3, 5], { seed, mean: 1, std: 2 })],
    ['randomUniformTensor', (seed) => randomUniformTensor([3, 5], { seed, low: -1, high: 3 })],
    [
      'randomUniformTensor int32',
      (seed) => randomUniformTensor([15], { seed, low: 0, high: 4, dtype: 'int32' }),
    ],
    ['truncatedNormal', (seed) => truncatedNormal([15], { seed })],
    ['bernoulliMask', (seed) => bernoulliMask([15], { seed, p: 0.3 })],
  ];

  it.each(samplers)(
    '%s is deterministic per seed, bit-identical on cpu and wasm, leak-free',
    async (_name, f) => {
      const a = await onBackend('wasm', () => f(7));
      const b = await onBackend('cpu', () => f(7));
      await initBackend();
      expect(b).toEqual(a);
      expect(await onBackend('wasm', () => f('other'))).not.toEqual(a);
      const t = await expectNoLeaks(() => f(7), { keepResult: true });
      expect(Array.from((t as tf.Tensor).dataSync())).toEqual(a);
      (t as tf.Tensor).dispose();
    },
  );

  it('draws from an Rng reproducibly and advances it', () => {
    const r1 = createRng(3);
    const r2 = createRng(3);
    const a = randomNormalTensor([4], { rng: r1 });
    const b = randomNormalTensor([4], { rng: r2 });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    const c = randomNormalTensor([4], { rng: r1 });
    expect(Array.from(c.dataSync())).not.toEqual(Array.from(a.dataSync()));
    // Same stream as the Rng's own normal() (Box-Muller), rounded to float32.
    const r3 = createRng(3);
    expect(Array.from(a.dataSync())).toEqual(Array.from({ length: 4 }, () => Math.fround(r3.normal())));
    tf.dispose([a, b, c]);
  });

  it('normal: mean and variance match the closed form', () => {
    const t = randomNormalTensor([N], { seed: 11, mean: 2, std: 3 });
    const { mean, variance } = moments(t.dataSync());
    expect(Math.abs(mean - 2)).toBeLessThan((Z * 3) / Math.sqrt(N));
    expect(Math.abs(variance - 9)).toBeLessThan(Z * 9 * Math.sqrt(2 / N));
    expect(t.shape).toEqual([N]);
    t.dispose();
  });

  it('uniform: range, mean (a+b)/2 and variance (b-a)^2/12; int32 covers each value equally', () => {
    const t = randomUniformTensor([N], { seed: 12, low: -1, high: 3 });
    const x = t.dataSync();
    const [lo, hi] = extent(x);
    expect(lo).toBeGreaterThanOrEqual(-1);
    expect(hi).toBeLessThan(3);
    const { mean, variance } = moments(x);
    const sd = 4 / Math.sqrt(12);
    expect(Math.abs(mean - 1)).toBeLessThan((Z * sd) / Math.sqrt(N));
    // Var of the sample variance of U(a,b): (mu4 - sigma^4)/n with mu4 = (b-a)^4/80.
    expect(Math.abs(variance - 16 / 12)).toBeLessThan(Z * Math.sqrt((256 / 80 - (16 / 12) ** 2) / N));
    const k = randomUniformTensor([N], { seed: 13, low: -0.5, high: 3, dtype: 'int32' });
    expect(k.dtype).toBe('int32');
    const counts = new Map<number, number>();
    for (const v of k.dataSync()) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([0, 1, 2]);
    for (const c of counts.values())
      expect(Math.abs(c / N - 1 / 3)).toBeLessThan(Z * Math.sqrt(((1 / 3) * (2 / 3)) / N));
    tf.dispose([t, k]);
  });

  it('truncated normal: within 2 std and variance 1 - 4 phi(2)/(2 Phi(2) - 1)', () => {
    const t = truncatedNormal([N], { seed: 14, mean: 1, std: 0.5 });
    const x = t.dataSync();
    const [lo, hi] = extent(x);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(2);
    expect(lo).toBeLessThan(0.01); // the support really reaches mean - 2 std
    const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI); // standard normal density at 2
    const mass = 0.9544997361036416; // P(|Z| <= 2) = erf(sqrt 2)
    const v = 1 - (4 * phi2) / mass; // ~0.77374
    const { mean, variance } = moments(x);
    expect(Math.abs(mean - 1)).toBeLessThan((Z * 0.5 * Math.sqrt(v)) / Math.sqrt(N));
    // Sample-variance standard error bounded by that of a normal with the same variance (lighter tails here).
    expect(Math.abs(variance - 0.25 * v)).toBeLessThan(Z * 0.25 * v * Math.sqrt(2 / N));
    t.dispose();
  });

  it('bernoulli: 0/1 values with mean p, and p = 0 / 1 are constant', () => {
    const t = bernoulliMask([N], { seed: 15, p: 0.3 });
    const x = t.dataSync();
    expect(x.every((v) => v === 0 || v === 1)).toBe(true);
    expect(Math.abs(moments(x).mean - 0.3)).toBeLessThan(Z * Math.sqrt((0.3 * 0.7) / N));
    const zeros = bernoulliMask([100], { seed: 1, p: 0 });
    const ones = bernoulliMask([2, 50], { seed: 1, p: 1, dtype: 'bool' });
    expect(zeros.dataSync().every((v) => v === 0)).toBe(true);
    expect(ones.dtype).toBe('bool');
    expect(ones.dataSync().every((v) => v === 1)).toBe(true);
    tf.dispose([t, zeros, ones]);
  });

  it('validates inputs', () => {
    // No seed and no rng: DEFAULT_SEED (0), the house convention.
    const [d0, d1] = [randomNormalTensor([3]), randomNormalTensor([3], { seed: 0 })];
    expect(Array.from(d0.dataSync())).toEqual(Array.from(d1.dataSync()));
    tf.dispose([d0, d1]);
    expect(() => randomNormalTensor([2], { seed: 1, sd: 2 } as never)).toThrow(
      /options\.sd' is not an option/,
    );
    expect(() => bernoulliMask([2], undefined as never)).toThrow(/options' is required/);
    expect(() => bernoulliMask([2], null as never)).toThrow(/options' must be an options object/);
    expect(() => randomNormalTensor([2, -1], { seed: 1 })).toThrow(/shape\[1\]/);
    expect(() => randomNormalTensor([2], { seed: 1, std: -1 })).toThrow(/options\.std/);
    expect(() => randomNormalTensor([2], { seed: 1, rng: createRng(1) })).toThrow(
      /at most one of seed and rng/,
    );
    expect(() => randomUniformTensor([2], { seed: 1, low: 1, high: 1 })).toThrow(/options\.high/);
    expect(() => randomUniformTensor([2], { seed: 1, low: 0.2, high: 0.8, dtype: 'int32' })).toThrow(
      LabInputError,
    );
    expect(() => truncatedNormal('3' as never, { seed: 1 })).toThrow(/shape/);
    expect(() => bernoulliMask([2], { seed: 1, p: 1.5 })).toThrow(/options\.p/);
    expect(() => bernoulliMask([2], { seed: Number.NaN, p: 0.5 })).toThrow(/options\.seed/);
    expect(() => bernoulliMask([2], { rng: {} as never, p: 0.5 })).toThrow(/options\.rng/);
  });
});
