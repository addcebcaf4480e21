import { createRng } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { sampleDirichlet, sampleGamma } from '../src/sampleDirichlet.js';

// Monte Carlo tolerance: with N draws the standard error of a mean is sd/sqrt(N); 5 standard errors.
const N = 20000;

describe('sampleGamma', () => {
  for (const shape of [0.1, 0.5, 1, 2.5, 10]) {
    it(`Gamma(${shape}, 1) has mean ${shape} and variance ${shape}`, () => {
      const rng = createRng(`gamma-${shape}`);
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < N; i++) {
        const g = sampleGamma(rng, shape);
        expect(g).toBeGreaterThanOrEqual(0);
        s += g;
        s2 += g * g;
      }
      const mean = s / N;
      const variance = s2 / N - mean * mean;
      expect(Math.abs(mean - shape)).toBeLessThan((5 * Math.sqrt(shape)) / Math.sqrt(N));
      // Var of the sample variance ~ (m4 - var^2)/N with m4 = 3k^2 + 6k for Gamma(k).
      const sdVar = Math.sqrt((3 * shape * shape + 6 * shape - shape * shape) / N);
      expect(Math.abs(variance - shape)).toBeLessThan(5 * sdVar);
    });
  }
  it('rejects a bad shape', () => {
    expect(() => sampleGamma(createRng(0), 0)).toThrow(/shape/);
    expect(() => sampleGamma(createRng(0), Number.NaN)).toThrow(/shape/);
  });
});

describe('sampleDirichlet', () => {
  it('Dir(alpha) over k: shares sum to 1, mean 1/k, variance (k-1)/(k^2 (k alpha + 1))', () => {
    const k = 4;
    for (const alpha of [0.3, 2]) {
      const rng = createRng(`dir-${alpha}`);
      const s = new Float64Array(k);
      const s2 = new Float64Array(k);
      for (let i = 0; i < N; i++) {
        const p = sampleDirichlet(rng, k, alpha);
        let t = 0;
        for (let j = 0; j < k; j++) {
          const v = p[j] as number;
          t += v;
          s[j] = (s[j] as number) + v;
          s2[j] = (s2[j] as number) + v * v;
        }
        expect(Math.abs(t - 1)).toBeLessThan(1e-12);
      }
      const want = (k - 1) / (k * k * (k * alpha + 1));
      for (let j = 0; j < k; j++) {
        const mean = (s[j] as number) / N;
        const variance = (s2[j] as number) / N - mean * mean;
        expect(Math.abs(mean - 1 / k)).toBeLessThan((5 * Math.sqrt(want)) / Math.sqrt(N));
        expect(Math.abs(variance - want) / want).toBeLessThan(0.1);
      }
    }
  });
  it('is deterministic for a seed', () => {
    expect(sampleDirichlet(createRng(3), 5, 0.5)).toEqual(sampleDirichlet(createRng(3), 5, 0.5));
  });
  it('tiny alpha puts (almost) all mass on one category', () => {
    const p = sampleDirichlet(createRng(1), 5, 1e-4);
    expect(Math.max(...p)).toBeGreaterThan(0.99);
  });
});
