import { describe, expect, it } from 'vitest';
import { createRng } from '../src/random/createRng.js';

describe('createRng', () => {
  it('same seed, same stream; different seed, different stream', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(sa);
    expect(sa.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('string and numeric seeds and forks are deterministic and independent', () => {
    expect(createRng('x').next()).toBe(createRng('x').next());
    const f1 = createRng(1).fork('layer');
    const f2 = createRng(1).fork('layer');
    const g = createRng(1).fork('other');
    const v = f1.next();
    expect(f2.next()).toBe(v);
    expect(g.next()).not.toBe(v);
  });

  it('normal samples have mean 0 and variance 1 within 5 standard errors', () => {
    const rng = createRng(7);
    const n = 20000;
    const xs = rng.fillNormal(new Float64Array(n));
    const mean = xs.reduce((s, x) => s + x, 0) / n;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
    // Standard error of the mean is 1/sqrt(n); of the variance about sqrt(2/n).
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it('int is uniform over [0, n): chi-square over 10 bins below the 0.999 quantile', () => {
    const rng = createRng(3);
    const counts = new Array(10).fill(0);
    const n = 10000;
    for (let i = 0; i < n; i++) counts[rng.int(10)]++;
    const chi2 = counts.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.88); // chi-square, 9 degrees of freedom, p = 0.999
  });

  it('permutation, shuffle and sample are permutations/subsets and leave input untouched', () => {
    const rng = createRng(5);
    const p = Array.from(rng.permutation(50)).sort((x, y) => x - y);
    expect(p).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const items = ['a', 'b', 'c', 'd'];
    const copy = items.slice();
    const s = rng.shuffle(items);
    expect(items).toEqual(copy);
    expect(s.slice().sort()).toEqual(copy);
    const k = rng.sample(100, 10);
    expect(new Set(k).size).toBe(10);
    expect(Array.from(k).every((v) => v >= 0 && v < 100)).toBe(true);
  });

  it('rejects bad seeds and arguments with named errors', () => {
    expect(() => createRng(Number.NaN)).toThrow(
      /createRng: argument 'seed' must be a finite number or a string/,
    );
    expect(() => createRng({} as never)).toThrow(/createRng: argument 'seed'/);
    expect(() => createRng(1).int(0)).toThrow(/Rng.int: argument 'n'/);
    expect(() => createRng(1).sample(3, 4)).toThrow(/Rng.sample: argument 'k'/);
  });
});
