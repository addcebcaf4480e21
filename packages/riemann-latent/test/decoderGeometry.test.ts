// The geometry on the package's own decoders (GP, neural): closed forms vs Monte Carlo, leaks.
import { createRng, initBackend } from '@lab/core';
import { expectNoLeaks } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectingGeodesic } from '../src/connectingGeodesic.js';
import { finslerMetric } from '../src/finslerMetric.js';
import { GaussianProcessDecoder } from '../src/GaussianProcessDecoder.js';
import { createKernel } from '../src/kernels.js';
import { monteCarloMetric } from '../src/monteCarloMetric.js';
import { NeuralDecoder } from '../src/NeuralDecoder.js';
import { riemannianMetric } from '../src/riemannianMetric.js';
import { volumeGrid } from '../src/volumeGrid.js';

/** Monte Carlo checks at 4 standard errors (seeded), plus float32 rounding of the closed form. */
const MC_SIGMAS = 4;
const F32 = 1e-4;

let gp: GaussianProcessDecoder;
let nn: NeuralDecoder;

beforeAll(async () => {
  await initBackend();
  const rng = createRng(0);
  const X = Array.from({ length: 40 }, () => [rng.normal(), rng.normal()]);
  const Y = X.map((x) => Array.from({ length: 6 }, (_, d) => Math.sin((d + 1) * 0.7 * x[0]! + x[1]! * (d % 3)) + 0.05 * rng.normal()));
  gp = new GaussianProcessDecoder(X, Y, { kernel: createKernel('rbf'), noiseVariance: 0.01 });
  nn = new NeuralDecoder({ latentDim: 2, outputDim: 5, hidden: [16], seed: 1 });
});

afterAll(() => {
  gp.dispose();
  nn.dispose();
});

describe('geometry of the package decoders', () => {
  it('GP decoder: closed-form Finsler and Riemannian metrics agree with sampled Jacobians', () => {
    // points away from the data (larger Sigma) and on it
    const z = tf.tensor2d([
      [0, 0],
      [2.5, -2],
      [0.5, 1],
    ]);
    const v = tf.tensor2d([
      [1, 0],
      [0.3, 0.8],
      [-1, 1],
    ]);
    const f = finslerMetric(gp, z, v).dataSync();
    const r = riemannianMetric(gp, z, v).dataSync();
    const mc = monteCarloMetric(gp, z, v, { samples: 3000, seed: 2, source: 'jacobian' });
    for (let i = 0; i < 3; i++) {
      expect(Math.abs(mc.finsler[i]! - f[i]!)).toBeLessThan(MC_SIGMAS * mc.finslerStdError[i]! + F32 * f[i]!);
      expect(Math.abs(mc.riemannianSquared[i]! - r[i]! ** 2)).toBeLessThan(MC_SIGMAS * mc.riemannianSquaredStdError[i]! + F32 * r[i]! ** 2);
    }
    tf.dispose([z, v]);
  });

  it('neural decoder (non-isotropic): v^T G v is exact, the isotropic Finsler value is an approximation', () => {
    const z = tf.tensor2d([
      [0.2, -0.4],
      [1, 1],
    ]);
    const v = tf.tensor2d([
      [1, 0.5],
      [0, 1],
    ]);
    expect(nn.isotropic).toBe(false);
    const f = finslerMetric(nn, z, v).dataSync();
    const r = riemannianMetric(nn, z, v).dataSync();
    const mc = monteCarloMetric(nn, z, v, { samples: 3000, seed: 4 });
    expect(mc.source).toBe('jacobian');
    for (let i = 0; i < 2; i++) {
      // E||Jv||^2 = ||J_mu v||^2 + ||J_sigma v||^2: moment matching keeps it exact.
      expect(Math.abs(mc.riemannianSquared[i]! - r[i]! ** 2)).toBeLessThan(MC_SIGMAS * mc.riemannianSquaredStdError[i]! + F32 * r[i]! ** 2);
      // Both Finsler values obey Jensen.
      expect(f[i]!).toBeLessThanOrEqual(r[i]! * (1 + F32));
      expect(mc.finsler[i]!).toBeLessThanOrEqual(r[i]! * (1 + F32) + MC_SIGMAS * mc.finslerStdError[i]!);
    }
    tf.dispose([z, v]);
  });

  it('geodesics and volume grids on the GP decoder free every tensor they create', async () => {
    const spline = await expectNoLeaks(() => connectingGeodesic(gp, [-1, -1], [1, 1], { steps: 15, energy: 'discrete', intervals: 16 }));
    expect(spline.length).toBeGreaterThan(0);
    const graph = await expectNoLeaks(() =>
      connectingGeodesic(gp, [-1, -1], [1, 1], { method: 'graph', steps: 10, metric: 'riemannian', grid: { resolution: 12 } }),
    );
    expect(graph.graph!.length).toBeGreaterThan(0);
    const vg = await expectNoLeaks(() => volumeGrid(gp, { bounds: [[-2, 2], [-2, 2]], resolution: 6, kind: 'finsler', directions: 16 }));
    expect(vg.values.every((x) => x > 0)).toBe(true);
  });
});
