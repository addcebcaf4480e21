import { describe, expect, it } from 'vitest';
import { fmtMeanStd, meanStd } from '../src/stats.js';

describe('meanStd', () => {
  it('matches the closed form of the sample standard deviation', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squares 32, sample variance 32 / 7
    const r = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(r.mean).toBe(5);
    expect(r.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(meanStd([3]).std).toBe(0);
    expect(Number.isNaN(meanStd([]).mean)).toBe(true);
  });
  it('formats one value without a spread', () => {
    expect(fmtMeanStd([0.5])).toBe('0.500');
    expect(fmtMeanStd([0.5, 0.7])).toBe('0.600 ± 0.141');
  });
});
