// The geometry on the package's own decoders (GP, neural): closed forms vs Monte Carlo, leaks.
import { createRng, initBackend } from '@lab/core';
import { expectNoLeaks } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CubicSpline } from '../src/CubicSpline.js';
import { connectingGeodesic } from '../src/connectingGeodesic.js';
import { curveEnergy } from '../src/curveEnergy.js';
import { curveLength } from '../src/curveLength.js';
import { expectedNorm } from '../src/expectedNorm.js';
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
  const Y = X.map((x) =>
    Array.from(
      { length: 6 },
      (_, d) => Math.sin((d + 1) * 0.7 * x[0]! + x[1]! * (d % 3)) + 0.05 * rng.normal(),
    ),
  );
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
      expect(Math.abs(mc.riemannianSquared[i]! - r[i]! ** 2)).toBeLessThan(
        MC_SIGMAS * mc.riemannianSquaredStdError[i]! + F32 * r[i]! ** 2,
      );
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
      expect(Math.abs(mc.riemannianSquared[i]! - r[i]! ** 2)).toBeLessThan(
        MC_SIGMAS * mc.riemannianSquaredStdError[i]! + F32 * r[i]! ** 2,
      );
      // Both Finsler values obey Jensen.
      expect(f[i]!).toBeLessThanOrEqual(r[i]! * (1 + F32));
      expect(mc.finsler[i]!).toBeLessThanOrEqual(r[i]! * (1 + F32) + MC_SIGMAS * mc.finslerStdError[i]!);
    }
    tf.dispose([z, v]);
  });

  it('GP decoder: discrete energies with the exact increment variance (crossCovariance)', async () => {
    // by hand for two increments
    const pts = [
      [-0.5, 0.2],
      [0.1, 0.4],
      [0.6, -0.1],
    ];
    const z = tf.tensor2d(pts);
    const a = tf.tensor2d(pts.slice(0, 2));
    const b = tf.tensor2d(pts.slice(1));
    const pred = gp.predict(z);
    const cov = gp.crossCovariance(a, b).dataSync();
    const mu = pred.mean.arraySync();
    const vv = pred.variance.dataSync();
    let len = 0;
    let en = 0;
    for (let i = 0; i < 2; i++) {
      const m = mu[i + 1]!.reduce((s, x, d) => s + (x - mu[i]![d]!) ** 2, 0);
      const dvar = Math.max(0, vv[i]! + vv[i + 1]! - 2 * cov[i]!);
      const F = expectedNorm({ dim: 6, variance: dvar, meanSquaredNorm: m });
      len += F;
      en += 2 * F * F;
    }
    const l = await expectNoLeaks(() => curveLength(gp, pts, { incrementVariance: 'exact' }));
    // float32 posterior variances: var + var - 2 cov cancels; ~1e-3 relative on the lengths here
    expect(Math.abs(l - len) / len).toBeLessThan(1e-3);
    expect(Math.abs(curveEnergy(gp, pts, { incrementVariance: 'exact' }) - en) / en).toBeLessThan(2e-3);
    tf.dispose([z, a, b, pred.mean, pred.variance]);
    // on a fine discretisation, exact and midpoint variances and the quadrature energy agree
    const s = CubicSpline.fit(
      [-1, -1],
      [1, 1],
      [
        [-1, -1],
        [0, 0.5],
        [1, 1],
      ],
    );
    for (const metric of ['finsler', 'riemannian'] as const) {
      const q = curveEnergy(gp, s, { metric });
      const ex = curveEnergy(gp, s, {
        metric,
        method: 'discrete',
        intervals: 200,
        incrementVariance: 'exact',
      });
      const mid = curveEnergy(gp, s, { metric, method: 'discrete', intervals: 200 });
      expect(Math.abs(ex - q) / q).toBeLessThan(2e-2);
      expect(Math.abs(mid - q) / q).toBeLessThan(2e-2);
    }
    expect(() => curveLength(nn, pts, { incrementVariance: 'exact' })).toThrow(/crossCovariance/);
  });

  it('accepts the slightly indefinite float32 Sigma of a near-interpolating GP at its training points', () => {
    // Regression: noise variance 1e-6 gives Sigma eigenvalues down to ~-5e-5 (float32 cancellation
    // of prior - a a^T) at the training points; a strict PSD check would reject every such point.
    const rng = createRng(0);
    const X = Array.from({ length: 300 }, () => [rng.normal(), rng.normal()]);
    const Y = X.map((x) =>
      Array.from({ length: 6 }, (_, d) => Math.sin((d + 1) * 0.7 * x[0]! + x[1]! * (d % 3))),
    );
    const sharp = new GaussianProcessDecoder(X, Y, {
      kernel: createKernel('rbf', { lengthscale: 0.5 }),
      noiseVariance: 1e-6,
    });
    const z = tf.tensor2d(X);
    const v = tf.tensor2d(X.map(() => [1, 0.5]));
    const f = finslerMetric(sharp, z, v).dataSync();
    expect(f.every((x) => Number.isFinite(x) && x > 0)).toBe(true);
    const z20 = tf.slice(z, [0, 0], [20, 2]) as tf.Tensor2D;
    const v20 = tf.slice(v, [0, 0], [20, 2]) as tf.Tensor2D;
    const mc = monteCarloMetric(sharp, z20, v20, { samples: 50, source: 'moments' });
    expect(mc.finsler.every(Number.isFinite)).toBe(true);
    tf.dispose([z, v, z20, v20]);
    sharp.dispose();
  });

  it('geodesics and volume grids on the GP decoder free every tensor they create', async () => {
    const spline = await expectNoLeaks(() =>
      connectingGeodesic(gp, [-1, -1], [1, 1], { steps: 15, energy: 'discrete', intervals: 16 }),
    );
    expect(spline.length).toBeGreaterThan(0);
    const graph = await expectNoLeaks(() =>
      connectingGeodesic(gp, [-1, -1], [1, 1], {
        method: 'graph',
        steps: 10,
        metric: 'riemannian',
        grid: { resolution: 12 },
      }),
    );
    expect(graph.graph!.length).toBeGreaterThan(0);
    const vg = await expectNoLeaks(() =>
      volumeGrid(gp, {
        bounds: [
          [-2, 2],
          [-2, 2],
        ],
        resolution: 6,
        kind: 'finsler',
        directions: 16,
      }),
    );
    expect(vg.values.every((x) => x > 0)).toBe(true);
  });
});
