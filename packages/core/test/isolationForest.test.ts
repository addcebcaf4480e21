import { createRng, LabInputError } from '../src/index.js';
import { describe, expect, it } from 'vitest';
import { averagePathLength, isolationForest } from '../src/learn/isolationForest.js';

describe('isolationForest', () => {
  it('c(n) follows 2 H(n-1) - 2 (n-1)/n', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    // c(256) = 2 (ln 255 + gamma) - 2 * 255 / 256 ~ 10.2448.
    expect(averagePathLength(256)).toBeCloseTo(10.2448, 3);
  });

  it('ranks planted outliers on top of Gaussian inliers', () => {
    const rng = createRng(1);
    const n = 1000;
    const dim = 3;
    const x = new Float64Array(n * dim);
    rng.fillNormal(x);
    const planted = [5, 100, 555, 999];
    for (const i of planted) for (let d = 0; d < dim; d++) x[i * dim + d] = 6 + d;
    const { scores } = isolationForest(x, dim, { seed: 2 });
    const top = Array.from(scores.keys())
      .sort((a, b) => scores[b] - scores[a])
      .slice(0, planted.length);
    expect(top.sort((a, b) => a - b)).toEqual(planted);
    for (const i of planted) expect(scores[i]).toBeGreaterThan(0.6);
    // Typical inliers score near or below 0.5.
    const sorted = Array.from(scores).sort((a, b) => a - b);
    expect(sorted[n / 2]).toBeLessThan(0.5);
  });

  it('is deterministic for a seed and rejects bad input', () => {
    const x = Float64Array.from({ length: 200 }, (_, k) => Math.sin(k));
    expect(isolationForest(x, 2, { seed: 'a' }).scores).toEqual(isolationForest(x, 2, { seed: 'a' }).scores);
    expect(() => isolationForest(x, 3, { seed: 1 })).toThrow(/multiple of dim/);
    expect(() => isolationForest(Float64Array.from([0, Number.NaN]), 1, { seed: 1 })).toThrow(LabInputError);
    expect(() => isolationForest(x, 2, { seed: 1, numTrees: 0 })).toThrow(/numTrees/);
  });
});
