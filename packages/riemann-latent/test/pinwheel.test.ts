import { LabInputError } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { embedInDimensions, pinwheel } from '../src/pinwheel.js';

/** Exact float64 geometry (rotations, norms): agreement to ~1e-12 relative. */
const F64 = 1e-9;

describe('pinwheel', () => {
  it('is seeded, shaped and labelled arm by arm', () => {
    const a = pinwheel({ seed: 3, arms: 4, pointsPerArm: 25 });
    const b = pinwheel({ seed: 3, arms: 4, pointsPerArm: 25 });
    const c = pinwheel({ seed: 4, arms: 4, pointsPerArm: 25 });
    expect(a).toEqual(b);
    expect(a.points).not.toEqual(c.points);
    expect(a.points).toHaveLength(100);
    expect(a.labels.slice(0, 25).every((l) => l === 0)).toBe(true);
    expect(a.labels[99]).toBe(3);
  });

  it('with no tangential noise every point lies on its arm spiral angle = base + rate exp(r)', () => {
    const rate = 0.4;
    const { points, labels } = pinwheel({
      seed: 1,
      arms: 3,
      pointsPerArm: 30,
      tangentialStd: 0,
      rate,
      scale: 2,
    });
    points.forEach((p, i) => {
      const r = Math.hypot(p[0]!, p[1]!) / 2;
      const expected = (2 * Math.PI * labels[i]!) / 3 + rate * Math.exp(r);
      const diff = Math.atan2(p[1]!, p[0]!) - expected;
      // Same angle modulo 2 pi.
      expect(Math.abs(Math.atan2(Math.sin(diff), Math.cos(diff)))).toBeLessThan(F64);
    });
  });

  it('radial spread matches radialStd', () => {
    const { points } = pinwheel({
      seed: 2,
      arms: 5,
      pointsPerArm: 2000,
      tangentialStd: 0,
      radialStd: 0.2,
      rate: 0,
    });
    const r = points.map((p) => Math.hypot(p[0]!, p[1]!));
    const mean = r.reduce((s, v) => s + v, 0) / r.length;
    const std = Math.sqrt(r.reduce((s, v) => s + (v - mean) ** 2, 0) / r.length);
    // 10000 samples: standard errors ~0.002 (mean) and ~0.0014 (std); 5 standard errors.
    expect(Math.abs(mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(std - 0.2)).toBeLessThan(0.007);
  });

  it('rejects bad options', () => {
    expect(() => pinwheel({ seed: 1, arms: 0 })).toThrow(LabInputError);
    expect(() => pinwheel({ seed: 1, radialStd: -1 })).toThrow(/radialStd/);
  });
});

describe('embedInDimensions', () => {
  const { points } = pinwheel({ seed: 5, arms: 3, pointsPerArm: 10 });

  it('the linear map preserves pairwise distances and is seeded', () => {
    const y = embedInDimensions(points, { seed: 1, dim: 50 });
    expect(y).toEqual(embedInDimensions(points, { seed: 1, dim: 50 }));
    expect(y[0]).toHaveLength(50);
    for (let i = 0; i < points.length; i += 3) {
      for (let j = 0; j < points.length; j += 4) {
        const dx = Math.hypot(points[i]![0]! - points[j]![0]!, points[i]![1]! - points[j]![1]!);
        const dy = Math.sqrt(y[i]!.reduce((s, v, k) => s + (v - y[j]![k]!) ** 2, 0));
        expect(Math.abs(dx - dy)).toBeLessThan(F64);
      }
    }
  });

  it('the sphere map lands on the unit sphere', () => {
    const y = embedInDimensions(points, { seed: 1, dim: 7, map: 'sphere', radius: 0.8 });
    for (const p of y) expect(Math.abs(Math.hypot(...p) - 1)).toBeLessThan(F64);
  });

  it('adds noise of the requested standard deviation and does not mutate the input', () => {
    const copy = JSON.stringify(points);
    const clean = embedInDimensions(points, { seed: 1, dim: 400 });
    const noisy = embedInDimensions(points, { seed: 1, dim: 400, noiseStd: 0.1 });
    const diffs = noisy.flatMap((r, i) => r.map((v, k) => v - clean[i]![k]!));
    const std = Math.sqrt(diffs.reduce((s, v) => s + v * v, 0) / diffs.length);
    // 12000 draws: standard error of the std ~ 0.1 / sqrt(2 * 12000) ~ 6e-4.
    expect(Math.abs(std - 0.1)).toBeLessThan(0.003);
    expect(JSON.stringify(points)).toBe(copy);
  });

  it('rejects bad input', () => {
    expect(() => embedInDimensions(points, { seed: 1, dim: 1 })).toThrow(LabInputError);
    expect(() => embedInDimensions(points, { seed: 1, dim: 2, map: 'sphere' })).toThrow(/dim/);
    expect(() => embedInDimensions([[1, 2, 3]], { seed: 1, dim: 4 })).toThrow(/points\[0\]/);
  });
});
