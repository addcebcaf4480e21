import { initBackend } from '@lab/core';
import { expectNoLeaks } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { CubicSpline } from '../src/CubicSpline.js';
import { connectingGeodesic } from '../src/connectingGeodesic.js';
import { curveLength } from '../src/curveLength.js';
import { expectedNorm } from '../src/expectedNorm.js';
import { geodesicDistances } from '../src/geodesicDistances.js';
import { graphGeodesic } from '../src/graphGeodesic.js';
import { LINEAR_A, LINEAR_SIGMA, LinearGaussianDecoder, RidgeDecoder } from './decoders.js';

/**
 * Adam with a constant lr = 0.1 ends within ~lr-sized jitter of the optimum in coefficient space;
 * length is stationary at the geodesic, so the length excess is second order: ~1e-3 relative.
 */
const GEODESIC_RTOL = 3e-3;

const A = LINEAR_A;
const SIGMA = LINEAR_SIGMA;

beforeAll(async () => {
  await initBackend();
});

describe('connectingGeodesic', () => {
  const lin = new LinearGaussianDecoder(A, SIGMA);
  const a = [-1, 0.5];
  const b = [2, -1];
  const delta = [3, -1.5];
  const m = A.reduce((s, row) => s + (row[0]! * delta[0]! + row[1]! * delta[1]!) ** 2, 0);
  const s2 = SIGMA[0]![0]! * 9 + 2 * SIGMA[0]![1]! * 3 * -1.5 + SIGMA[1]![1]! * 2.25;

  it('constant metric: the geodesic is the straight line with the closed-form length (both metrics)', async () => {
    for (const [metric, L] of [
      ['finsler', expectedNorm({ dim: 3, variance: s2, meanSquaredNorm: m })],
      ['riemannian', Math.sqrt(m + 3 * s2)],
    ] as const) {
      const progress: number[] = [];
      const r = await expectNoLeaks(() =>
        connectingGeodesic(lin, a, b, {
          metric,
          steps: 200,
          segments: 6,
          seed: 1,
          onProgress: (p) => {
            progress.push(p.step);
            return undefined;
          },
        }),
      );
      expect(progress.length).toBe(200);
      expect(r.initialEnergy).toBeGreaterThan(r.energy);
      expect(Math.abs(r.length - L) / L).toBeLessThan(GEODESIC_RTOL);
      // energy = length^2 at constant speed
      expect(Math.abs(r.energy - r.length ** 2) / r.energy).toBeLessThan(2 * GEODESIC_RTOL);
      const pts = r.curve.evaluate([0.25, 0.5, 0.75]);
      pts.forEach((p, i) => {
        const t = [0.25, 0.5, 0.75][i]!;
        // the line parametrised at constant speed: deviation ~ sqrt(length excess)
        expect(Math.hypot(p[0]! - (a[0]! + t * delta[0]!), p[1]! - (a[1]! + t * delta[1]!))).toBeLessThan(
          0.05,
        );
      });
    }
  });

  it('is deterministic for a seed and stops when onProgress returns false', () => {
    const r1 = connectingGeodesic(lin, a, b, { steps: 20, seed: 5 });
    const r2 = connectingGeodesic(lin, a, b, { steps: 20, seed: 5 });
    expect(Array.from(r1.curve.coefficients)).toEqual(Array.from(r2.curve.coefficients));
    const r3 = connectingGeodesic(lin, a, b, { steps: 50, onProgress: (p) => p.step < 7 });
    expect(r3.steps).toBe(7);
  });

  it('a metric that is large in a band: the geodesic goes around it and is shorter than the line', () => {
    // Ridge along x = 0 of height profile exp(-y^2 / (2 * 0.5^2)); the end points sit at y = 0.5.
    // (From a straight line on the ridge's symmetry axis y = 0 the spline method can stall at the
    // symmetric saddle; the graph method does not: see the README.)
    const ridge = new RidgeDecoder(5, 0.3, 0.5, 0.01);
    const z0 = [-2, 0.5];
    const z1 = [2, 0.5];
    const straight = curveLength(ridge, CubicSpline.line(z0, z1, 8), { quadratureOrder: 5 });
    for (const method of ['spline', 'graph'] as const) {
      const r = connectingGeodesic(ridge, z0, z1, {
        method,
        steps: method === 'graph' ? 100 : 300,
        segments: 8,
        seed: 2,
        grid: {
          resolution: 30,
          bounds: [
            [-3, 3],
            [-3, 3],
          ],
        },
      });
      // measured: 7.38 vs 8.93 for the straight line (the grid, spline and graph+spline all agree)
      expect(r.length).toBeLessThan(0.86 * straight);
      expect(Math.abs(r.energy - r.length ** 2) / r.energy).toBeLessThan(1e-2);
      // it crosses x = 0 further from the ridge's crest than the straight line (y = 1.02 vs 0.5)
      const ts = Array.from({ length: 201 }, (_, i) => i / 200);
      const pts = r.curve.evaluate(ts);
      const k = pts.findIndex((p) => p[0]! >= 0);
      expect(pts[k]![1]!).toBeGreaterThan(0.9);
      if (method === 'graph') {
        expect(r.graph!.path[0]).toEqual(z0);
        // refinement shortens the 30 x 30 graph's polyline
        expect(r.length).toBeLessThan(r.graph!.length);
      }
    }
  });

  it('rejects degenerate input', () => {
    expect(() => connectingGeodesic(lin, a, a)).toThrow(/must differ from z0/);
    expect(() => connectingGeodesic(lin, [0, 0, 0], b)).toThrow(/argument 'z0'/);
    expect(() => connectingGeodesic(lin, a, b, { lr: 0 })).toThrow(/options.lr/);
    expect(() => connectingGeodesic(lin, a, b, { steps: -1 })).toThrow(/options.steps/);
    expect(() => connectingGeodesic(lin, a, b, { method: 'magic' as never })).toThrow(/options.method/);
    expect(() => connectingGeodesic(lin, a, b, { energy: 'x' as never })).toThrow(/options.method/);
    const lin3 = new LinearGaussianDecoder(
      [[1, 0, 0]],
      [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
    );
    expect(() => graphGeodesic(lin3, [0, 0, 0], [1, 1, 1])).toThrow(/latentDim/);
    expect(() =>
      graphGeodesic(lin, a, b, {
        bounds: [
          [0, 1],
          [0, 1],
        ],
      }),
    ).toThrow(/options.bounds/);
    expect(() => graphGeodesic(lin, a, b, { resolution: 1 })).toThrow(/options.resolution/);
  });
});

describe('graphGeodesic / geodesicDistances', () => {
  it('constant metric: axis-aligned distances are exact, others within the 8-neighbour grid bias', async () => {
    const lin = new LinearGaussianDecoder(
      [
        [1, 0],
        [0, 1],
      ],
      [
        [0.01, 0],
        [0, 0.01],
      ],
    );
    const bounds: [[number, number], [number, number]] = [
      [0, 4],
      [0, 4],
    ];
    const r = await expectNoLeaks(() => graphGeodesic(lin, [0, 0], [4, 0], { bounds, resolution: 21 }));
    const F = expectedNorm({ dim: 2, variance: 0.01 * 16, meanSquaredNorm: 16 });
    expect(Math.abs(r.length - F) / F).toBeLessThan(1e-5);
    const pts = [
      [0, 0],
      [4, 0],
      [1, 3],
      [2.5, 2.5],
    ];
    const d = await expectNoLeaks(() => geodesicDistances(lin, pts, { bounds, resolution: 21 }));
    for (let i = 0; i < 4; i++) {
      expect(d.distances[i * 4 + i]).toBe(0);
      for (let j = 0; j < 4; j++) {
        expect(d.distances[i * 4 + j]).toBe(d.distances[j * 4 + i]);
        const e = Math.hypot(pts[i]![0]! - pts[j]![0]!, pts[i]![1]! - pts[j]![1]!);
        const exact = expectedNorm({ dim: 2, variance: 0.01 * e * e, meanSquaredNorm: e * e });
        // 8-neighbour paths overestimate Euclidean-like norms by at most 1/cos(22.5 deg) - 1 = 8.2%.
        expect(d.distances[i * 4 + j]!).toBeGreaterThanOrEqual(exact * (1 - 1e-5));
        expect(d.distances[i * 4 + j]!).toBeLessThanOrEqual(exact * 1.083 + 1e-9);
        for (let k = 0; k < 4; k++) {
          expect(d.distances[i * 4 + j]!).toBeLessThanOrEqual(
            d.distances[i * 4 + k]! + d.distances[k * 4 + j]! + 1e-9,
          );
        }
      }
    }
    expect(Math.abs(d.distances[1]! - F) / F).toBeLessThan(1e-5);
  });
});
