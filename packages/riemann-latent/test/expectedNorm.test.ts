import { LabInputError, createRng } from '@lab/core';
import { TOL } from '@lab/test-utils';
import { describe, expect, it } from 'vitest';
import { expectedNorm, expectedNormDerivatives, expectedNormGap } from '../src/expectedNorm.js';

/** papers.md vectors are given to 6 decimals: agree to half a unit in the 6th decimal. */
const VECTOR_ATOL = 5e-7;
/**
 * Reference values from mpmath (40 digits, 1F1 closed form and numerical differentiation):
 * the float64 mixture should agree to ~1e-12 relative (lgamma/series accuracy ~1e-15, sums of a
 * few hundred positive terms).
 */
const MPMATH_RTOL = 1e-11;
/** Rounding of the gap 1 - F^2/G when F carries ~1e-13 relative error. */
const GAP_ATOL = 1e-11;

describe('expectedNorm', () => {
  it('reproduces the papers.md test vectors (D, s^2, ||mu||^2 -> F, sqrt(G))', () => {
    const vectors: [number, number, number, number, number][] = [
      [2, 0.3, 0, 0.686468, 0.774597],
      [3, 1, 4, 2.494231, 2.645751],
      [10, 0.5, 50, 7.383834, 7.416198],
      [100, 0.01, 3, 1.99781, 2.0],
      [784, 0.02, 10, 5.066173, 5.067544],
    ];
    for (const [dim, variance, meanSquaredNorm, f, g] of vectors) {
      expect(Math.abs(expectedNorm({ dim, variance, meanSquaredNorm }) - f)).toBeLessThan(VECTOR_ATOL);
      expect(Math.abs(Math.sqrt(meanSquaredNorm + dim * variance) - g)).toBeLessThan(VECTOR_ATOL);
    }
  });

  it('matches mpmath values and derivatives over D = 1 .. 1e5 and h = 0 .. 5e7', () => {
    // [D, s^2, m, F, dF/dm, dF/ds^2]
    const ref: [number, number, number, number, number | null, number][] = [
      [2, 0.3, 0, 0.6864684246478266, null, 1.14411404108],
      [3, 1, 4, 2.49423127328548, 0.192466442148, 0.477249868052],
      [10, 0.5, 50, 7.383834017338667, 0.0676889720533, 0.614936812006],
      [100, 0.01, 3, 1.997810176239277, 0.250195680615, 24.8318046275],
      [784, 0.02, 10, 5.06617284736699, 0.0986703421218, 77.3191501233],
      [1, 1, 1, 1.166630941175373, 0.341344746069, 0.241970724519],
      [1, 1e-3, 5, 2.23606797749979, 0.22360679775, 2.13821176807e-50],
      [100000, 1, 1e6, 1048.808393108202, 0.00047673148177, 47.6727147844],
      [5, 1, 1e4, 100.019999, 0.00499900015, 0.019998],
      [5, 1, 3e5, 547.726208982797, 0.0009128648434, 0.00365147154509],
      [5, 1, 1e8, 10000.0002, 4.9999999e-5, 0.000199999998],
      [7, 1e-10, 1, 1.0000000003, 0.49999999985, 2.9999999994],
      [100000, 1e-3, 1, 10.04985049892615, 0.0497517400202, 4975.17350944],
      // either side of the switch to the strided sum (h = 256)
      [50, 1, 510, 23.6441107658426, 0.0211452463651, 1.0379797367],
      [50, 1, 514, 23.72854105363184, 0.0210700314973, 1.03427433722],
    ];
    for (const [dim, variance, meanSquaredNorm, f, dm, dv] of ref) {
      const r = expectedNormDerivatives({ dim, variance, meanSquaredNorm });
      expect(Math.abs(r.value - f) / f, `F at ${dim},${variance},${meanSquaredNorm}`).toBeLessThan(
        MPMATH_RTOL,
      );
      // mpmath's printed derivatives carry 12 significant digits.
      if (dm !== null) expect(Math.abs(r.dMeanSquaredNorm - dm) / dm).toBeLessThan(1e-10);
      // (absolute floor: exp(-2500) underflows to 0 in float64 for the D = 1 far-from-origin case)
      expect(Math.abs(r.dVariance - dv)).toBeLessThan(1e-10 * dv + 1e-40);
    }
  });

  it('derivatives agree with central finite differences', () => {
    const h = 1e-5;
    for (const dim of [1, 2, 3, 17, 400, 20000]) {
      for (const [variance, m] of [
        [0.7, 0.01],
        [0.2, 3],
        [1, 700],
        [3e-3, 2],
      ] as const) {
        const r = expectedNormDerivatives({ dim, variance, meanSquaredNorm: m });
        const fdM =
          (expectedNorm({ dim, variance, meanSquaredNorm: m * (1 + h) }) -
            expectedNorm({ dim, variance, meanSquaredNorm: m * (1 - h) })) /
          (2 * h * m);
        const fdV =
          (expectedNorm({ dim, variance: variance * (1 + h), meanSquaredNorm: m }) -
            expectedNorm({ dim, variance: variance * (1 - h), meanSquaredNorm: m })) /
          (2 * h * variance);
        // relative step 1e-5: truncation ~1e-10, rounding ~1e-16 F / 1e-5 relative.
        expect(Math.abs(fdM - r.dMeanSquaredNorm)).toBeLessThan(
          TOL.FD_F64 * (Math.abs(r.dMeanSquaredNorm) + r.value / m),
        );
        expect(Math.abs(fdV - r.dVariance)).toBeLessThan(
          TOL.FD_F64 * (Math.abs(r.dVariance) + r.value / variance),
        );
      }
    }
  });

  it('is 1-homogeneous: 2 m dF/dm + 2 s^2 dF/ds^2 = F (Euler identity)', () => {
    for (const dim of [1, 4, 1000]) {
      for (const [variance, m] of [
        [1, 1],
        [0.05, 40],
        [2, 1e5],
      ] as const) {
        const r = expectedNormDerivatives({ dim, variance, meanSquaredNorm: m });
        expect(
          Math.abs(2 * m * r.dMeanSquaredNorm + 2 * variance * r.dVariance - r.value) / r.value,
        ).toBeLessThan(1e-10);
      }
    }
  });

  it('is finite, monotone and within the Jensen bounds for extreme inputs', () => {
    for (const dim of [1, 2, 10, 1000, 100000]) {
      let prev = 0;
      for (const m of [0, 1e-12, 1e-3, 1, 1e3, 1e6, 1e9, 1e12, 1e16]) {
        for (const variance of [1e-14, 1e-3, 1, 1e4]) {
          const f = expectedNorm({ dim, variance, meanSquaredNorm: m });
          expect(Number.isFinite(f)).toBe(true);
          // ||mu|| <= E||x|| <= sqrt(||mu||^2 + D s^2) (Jensen both ways), up to float64 rounding.
          expect(f).toBeGreaterThanOrEqual(Math.sqrt(m) * (1 - 1e-12));
          expect(f).toBeLessThanOrEqual(Math.sqrt(m + dim * variance) * (1 + 1e-12));
        }
        const f1 = expectedNorm({ dim, variance: 1, meanSquaredNorm: m });
        expect(f1).toBeGreaterThanOrEqual(prev);
        prev = f1;
      }
    }
    expect(expectedNorm({ dim: 3, variance: 0, meanSquaredNorm: 4 })).toBe(2);
    expect(expectedNorm({ dim: 3, variance: 0, meanSquaredNorm: 0 })).toBe(0);
  });

  it('relative gap (G - F^2)/G <= 1/(D + w) over a grid of D and w', () => {
    let checked = 0;
    for (const dim of [1, 2, 3, 5, 10, 30, 100, 1000, 10000, 100000]) {
      for (const w of [0, 1e-3, 0.1, 0.5, 1, 2, 5, 10, 50, 100, 1e3, 1e4, 1e6]) {
        const { gap, bound } = expectedNormGap({ dim, variance: 1, meanSquaredNorm: w });
        // For D = 1 and large w the bound is attained up to exp(-w/2) terms (Var|x| -> s^2), and the
        // gap is 1 - F^2/G with F accurate to ~1e-13 relative: allow GAP_ATOL.
        expect(gap, `D=${dim} w=${w}`).toBeLessThanOrEqual(bound + GAP_ATOL);
        expect(gap).toBeGreaterThanOrEqual(-1e-13);
        checked++;
      }
    }
    expect(checked).toBe(130);
  });

  it('rejects bad input with LabInputError naming the argument', () => {
    expect(() => expectedNorm({ dim: 0, variance: 1, meanSquaredNorm: 1 })).toThrow(/options.dim/);
    expect(() => expectedNorm({ dim: 2.5, variance: 1, meanSquaredNorm: 1 })).toThrow(LabInputError);
    expect(() => expectedNorm({ dim: 2, variance: -1, meanSquaredNorm: 1 })).toThrow(/options.variance/);
    expect(() => expectedNorm({ dim: 2, variance: 1, meanSquaredNorm: Number.NaN })).toThrow(
      /meanSquaredNorm/,
    );
    expect(() => expectedNormGap({ dim: 2, variance: 0, meanSquaredNorm: 0 })).toThrow(LabInputError);
  });
});

function bruteForceCheck(
  cases: readonly (readonly [number, number, number])[],
  S: number,
  seed: number,
): void {
  const rng = createRng(seed);
  for (const [dim, variance, m] of cases) {
    const mu = Math.sqrt(m);
    const x = new Float64Array(dim);
    let s1 = 0;
    let s2 = 0;
    for (let s = 0; s < S; s++) {
      rng.fillNormal(x, 0, Math.sqrt(variance));
      x[0]! += mu;
      let sq = 0;
      for (let d = 0; d < dim; d++) sq += x[d]! ** 2;
      const r = Math.sqrt(sq);
      s1 += r;
      s2 += r * r;
    }
    const mean = s1 / S;
    const se = Math.sqrt((s2 / S - mean * mean) / S);
    expect(Math.abs(mean - expectedNorm({ dim, variance, meanSquaredNorm: m }))).toBeLessThan(4 * se);
  }
}

describe('expectedNorm vs brute force', () => {
  it('agrees with sampled ||x|| within 4 standard errors', () => {
    bruteForceCheck(
      [
        [1, 1, 0.5],
        [3, 0.2, 4],
        [50, 1, 30],
        [2000, 0.01, 5],
      ],
      20000,
      11,
    );
  });

  it('the gap bound holds on a dense grid of D and w', () => {
    for (let dim = 1; dim <= 300; dim += 7) {
      for (let e = -4; e <= 6; e += 0.25) {
        const { gap, bound } = expectedNormGap({ dim, variance: 1, meanSquaredNorm: 10 ** e });
        expect(gap).toBeLessThanOrEqual(bound + GAP_ATOL);
      }
    }
  });
});

describe.runIf(process.env.LAB_LONG_TESTS)('expectedNorm vs brute force (long)', () => {
  it('agrees with sampled ||x|| at D = 1e4 and 1e5', () => {
    bruteForceCheck(
      [
        [10000, 0.001, 2],
        [100000, 1e-4, 0.3],
      ],
      4000,
      12,
    );
  });
});
