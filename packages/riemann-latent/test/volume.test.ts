import { initBackend } from '@lab/core';
import { expectNoLeaks } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectedNorm } from '../src/expectedNorm.js';
import { finslerVolume } from '../src/finslerVolume.js';
import { riemannianVolume } from '../src/riemannianVolume.js';
import { volumeGrid } from '../src/volumeGrid.js';
import { LinearGaussianDecoder, RidgeDecoder } from './decoders.js';

/** Determinants of float32 moments: ~1e-6 relative; the angular trapezoid rule is spectrally accurate. */
const VOL_RTOL = 1e-5;

beforeAll(async () => {
  await initBackend();
});

describe('volume elements', () => {
  it('deterministic linear decoder: Riemannian and Finsler both equal sqrt(det(A^T A))', async () => {
    const A = [
      [1, 0.5],
      [-0.3, 2],
      [0.7, 0.1],
    ];
    const dec = new LinearGaussianDecoder(A, [
      [0, 0],
      [0, 0],
    ]);
    const ata = [0, 1].map((i) => [0, 1].map((j) => A.reduce((s, r) => s + r[i]! * r[j]!, 0)));
    const expected = Math.sqrt(ata[0]![0]! * ata[1]![1]! - ata[0]![1]! ** 2);
    const z = tf.tensor2d([
      [0, 0],
      [1, 2],
    ]);
    const r = await expectNoLeaks(() => riemannianVolume(dec, z));
    const f = await expectNoLeaks(() => finslerVolume(dec, z, { directions: 64 }));
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(r[i]! - expected) / expected).toBeLessThan(VOL_RTOL);
      expect(Math.abs(f[i]! - expected) / expected).toBeLessThan(VOL_RTOL);
    }
    // q = 3 with random directions (Monte Carlo over the sphere, 20000 directions: ~1% error)
    const A3 = [
      [1, 0, 0.2],
      [0, 2, 0],
      [0.1, 0, 0.5],
      [0, 0.3, 0],
    ];
    const dec3 = new LinearGaussianDecoder(A3, [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    const z3 = tf.tensor2d([[0, 0, 0]]);
    const r3 = riemannianVolume(dec3, z3)[0]!;
    const f3 = finslerVolume(dec3, z3, { directions: 20000, seed: 1 })[0]!;
    expect(Math.abs(f3 - r3) / r3).toBeLessThan(0.03);
    tf.dispose([z, z3]);
  });

  it('stochastic decoders: closed form for Sigma = s^2 I with an isotropic mean, and Finsler <= Riemannian', () => {
    // E[J] = c I (D = q = 2), Sigma = s2 I: F(u) is the same for every unit u.
    const c = 1.5;
    const s2 = 0.4;
    const dec = new LinearGaussianDecoder(
      [
        [c, 0],
        [0, c],
      ],
      [
        [s2, 0],
        [0, s2],
      ],
    );
    const z = tf.tensor2d([[0.3, 0.3]]);
    const F = expectedNorm({ dim: 2, variance: s2, meanSquaredNorm: c * c });
    expect(Math.abs(finslerVolume(dec, z)[0]! - F * F) / (F * F)).toBeLessThan(VOL_RTOL);
    expect(Math.abs(riemannianVolume(dec, z)[0]! - (c * c + 2 * s2)) / (c * c + 2 * s2)).toBeLessThan(
      VOL_RTOL,
    );
    const ridge = new RidgeDecoder(3, 0.5, 0.7, 0.3);
    const zr = tf.tensor2d([
      [0, 0],
      [0.2, 0.5],
      [2, -1],
    ]);
    const fr = finslerVolume(ridge, zr);
    const rr = riemannianVolume(ridge, zr);
    for (let i = 0; i < 3; i++) expect(fr[i]!).toBeLessThanOrEqual(rr[i]! * (1 + VOL_RTOL));
    tf.dispose([z, zr]);
  });

  it('volumeGrid evaluates either element on the grid, large on the ridge', async () => {
    const ridge = new RidgeDecoder(3, 0.5, 0.7, 0.05);
    const g = await expectNoLeaks(() =>
      volumeGrid(ridge, {
        bounds: [
          [-2, 2],
          [-2, 2],
        ],
        resolution: 9,
        batchSize: 20,
      }),
    );
    const gf = volumeGrid(ridge, {
      bounds: [
        [-2, 2],
        [-2, 2],
      ],
      resolution: 9,
      kind: 'finsler',
      directions: 32,
    });
    expect(g.values.length).toBe(81);
    expect(g.xs[4]).toBeCloseTo(0, 12);
    // centre (x = 0, y = 0) vs corner
    expect(g.values[4 * 9 + 4]!).toBeGreaterThan(5 * g.values[0]!);
    const z = tf.tensor2d([[g.xs[2]!, g.ys[6]!]]);
    expect(Math.abs(g.values[6 * 9 + 2]! - riemannianVolume(ridge, z)[0]!)).toBeLessThan(1e-9);
    expect(Math.abs(gf.values[6 * 9 + 2]! - finslerVolume(ridge, z, { directions: 32 })[0]!)).toBeLessThan(
      1e-9,
    );
    z.dispose();
  });

  it('rejects bad input', () => {
    const ridge = new RidgeDecoder();
    const z = tf.tensor2d([[0, 0]]);
    expect(() => finslerVolume(ridge, z, { directions: 2 })).toThrow(/options.directions/);
    expect(() =>
      volumeGrid(ridge, {
        bounds: [
          [1, 0],
          [0, 1],
        ],
      }),
    ).toThrow(/options.bounds/);
    expect(() =>
      volumeGrid(ridge, {
        bounds: [
          [0, 1],
          [0, 1],
        ],
        kind: 'x' as never,
      }),
    ).toThrow(/options.kind/);
    const z3 = tf.tensor2d([[0, 0, 0]]);
    expect(() => riemannianVolume(ridge, z3)).toThrow(/dimension mismatch/);
    tf.dispose([z, z3]);
  });
});
