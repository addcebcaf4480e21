import { initBackend } from '@lab/core';
import { TOL, expectNoLeaks } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectedNorm } from '../src/expectedNorm.js';
import { expectedNormTf } from '../src/expectedNormTf.js';
import { expectedPullbackMetric } from '../src/expectedPullbackMetric.js';
import { finslerMetric } from '../src/finslerMetric.js';
import { monteCarloMetric } from '../src/monteCarloMetric.js';
import { riemannianMetric } from '../src/riemannianMetric.js';
import { FixedMomentsDecoder, LinearGaussianDecoder, RidgeDecoder } from './decoders.js';

/** float32 moments (matmuls of O(1) entries) and float32 output: ~1e-6 relative, F32_REORDER margin. */
const F32 = TOL.F32_REORDER;
/** Monte Carlo checks at 4 standard errors (false-failure probability ~6e-5 per check, seeded). */
const MC_SIGMAS = 4;

const A = [
  [1, 0.5],
  [-0.3, 2],
  [0.7, 0.1],
  [0, 1],
];
const SIGMA = [
  [0.4, 0.1],
  [0.1, 0.2],
];

beforeAll(async () => {
  await initBackend();
});

describe('finslerMetric / riemannianMetric / expectedPullbackMetric', () => {
  it('linear Gaussian decoder: closed forms, G = A^T A + D Sigma, Jensen bound', async () => {
    const dec = new LinearGaussianDecoder(A, SIGMA);
    const zs = [
      [0, 0],
      [1, -2],
      [3, 0.5],
    ];
    const vs = [
      [1, 0],
      [0.3, -0.7],
      [-2, 1.5],
    ];
    const z = tf.tensor2d(zs);
    const v = tf.tensor2d(vs);
    const f = await expectNoLeaks(() => finslerMetric(dec, z, v), { keepResult: true });
    const r = await expectNoLeaks(() => riemannianMetric(dec, z, v), { keepResult: true });
    const G = await expectNoLeaks(() => expectedPullbackMetric(dec, z), { keepResult: true });
    const fd = f.dataSync();
    const rd = r.dataSync();
    const gd = G.dataSync();
    for (let i = 0; i < 3; i++) {
      const [v0, v1] = vs[i] as [number, number];
      const av = A.map((row) => row[0]! * v0 + row[1]! * v1);
      const m = av.reduce((s, x) => s + x * x, 0);
      const s2 = SIGMA[0]![0]! * v0 * v0 + 2 * SIGMA[0]![1]! * v0 * v1 + SIGMA[1]![1]! * v1 * v1;
      const F = expectedNorm({ dim: 4, variance: s2, meanSquaredNorm: m });
      expect(Math.abs(fd[i]! - F) / F).toBeLessThan(F32);
      expect(Math.abs(rd[i]! - Math.sqrt(m + 4 * s2)) / rd[i]!).toBeLessThan(F32);
      expect(fd[i]!).toBeLessThanOrEqual(rd[i]! * (1 + F32));
      // G entries
      for (let a = 0; a < 2; a++) {
        for (let b = 0; b < 2; b++) {
          const ata = A.reduce((s, row) => s + row[a]! * row[b]!, 0);
          expect(Math.abs(gd[i * 4 + a * 2 + b]! - (ata + 4 * SIGMA[a]![b]!))).toBeLessThan(F32 * 10);
        }
      }
      const vgv = gd[i * 4]! * v0 * v0 + 2 * gd[i * 4 + 1]! * v0 * v1 + gd[i * 4 + 3]! * v1 * v1;
      expect(Math.abs(vgv - rd[i]! ** 2) / vgv).toBeLessThan(F32);
    }
    tf.dispose([z, v, f, r, G]);
  });

  it('F is 1-homogeneous in v and the relative gap obeys 1/(D + w) on a stochastic ridge decoder', () => {
    const dec = new RidgeDecoder(5, 0.3, 0.7, 0.2);
    const z = tf.tensor2d([
      [0.1, 0.2],
      [-1, 0.5],
      [0.05, -0.3],
    ]);
    const v = tf.tensor2d([
      [1, 0.4],
      [-0.2, 1],
      [0.6, 0.6],
    ]);
    const v3 = tf.mul(v, 3) as tf.Tensor2D;
    const f = finslerMetric(dec, z, v).dataSync();
    const f3 = finslerMetric(dec, z, v3).dataSync();
    const r = riemannianMetric(dec, z, v).dataSync();
    const mom = dec.jacobian(z);
    const md = mom.mean.dataSync();
    const cd = mom.covariance.dataSync();
    const vd = v.dataSync();
    for (let i = 0; i < 3; i++) {
      expect(Math.abs(f3[i]! - 3 * f[i]!) / f3[i]!).toBeLessThan(F32);
      let m = 0;
      for (let d = 0; d < 3; d++)
        m += (md[i * 6 + d * 2]! * vd[i * 2]! + md[i * 6 + d * 2 + 1]! * vd[i * 2 + 1]!) ** 2;
      const s2 = cd[i * 4]! * vd[i * 2]! ** 2 + cd[i * 4 + 3]! * vd[i * 2 + 1]! ** 2;
      const gap = (r[i]! ** 2 - f[i]! ** 2) / r[i]! ** 2;
      // float32 F and G: gap carries ~2 F32 absolute error.
      expect(gap).toBeLessThanOrEqual(1 / (3 + m / s2) + 2 * F32);
      expect(gap).toBeGreaterThan(0);
    }
    tf.dispose([z, v, v3, mom.mean, mom.covariance]);
  });

  it('Monte Carlo estimates (sampled J and from the moments) agree within their standard errors', async () => {
    const dec = new LinearGaussianDecoder(A, SIGMA);
    const z = tf.tensor2d([
      [0, 0],
      [1, 1],
    ]);
    const v = tf.tensor2d([
      [1, 0],
      [0.2, -0.4],
    ]);
    const f = finslerMetric(dec, z, v).dataSync();
    const r = riemannianMetric(dec, z, v).dataSync();
    for (const source of ['jacobian', 'moments'] as const) {
      const mc = await expectNoLeaks(() => monteCarloMetric(dec, z, v, { samples: 4000, seed: 3, source }));
      expect(mc.source).toBe(source);
      for (let i = 0; i < 2; i++) {
        expect(Math.abs(mc.finsler[i]! - f[i]!)).toBeLessThan(
          MC_SIGMAS * mc.finslerStdError[i]! + F32 * f[i]!,
        );
        expect(Math.abs(mc.riemannianSquared[i]! - r[i]! ** 2)).toBeLessThan(
          MC_SIGMAS * mc.riemannianSquaredStdError[i]! + F32 * r[i]! ** 2,
        );
      }
    }
    // same seed, same estimate
    const a = monteCarloMetric(dec, z, v, { samples: 50, seed: 'x', source: 'moments' });
    const b = monteCarloMetric(dec, z, v, { samples: 50, seed: 'x', source: 'moments' });
    expect(Array.from(a.finsler)).toEqual(Array.from(b.finsler));
    tf.dispose([z, v]);
  });

  it('gradients in z and v through the customGrad match finite differences', () => {
    const dec = new RidgeDecoder(2, 0.8, 0.9, 0.3);
    const z0 = [0.3, -0.2];
    const v0 = [0.8, 0.5];
    const loss = (z: tf.Tensor2D, v: tf.Tensor2D) => tf.sum(finslerMetric(dec, z, v)) as tf.Scalar;
    const g = tf.grads((z: tf.Tensor, v: tf.Tensor) => loss(z as tf.Tensor2D, v as tf.Tensor2D));
    const [gz, gv] = g([tf.tensor2d([z0]), tf.tensor2d([v0])]);
    const gzd = gz!.dataSync();
    const gvd = gv!.dataSync();
    const at = (z: number[], v: number[]) =>
      tf.tidy(() => loss(tf.tensor2d([z]), tf.tensor2d([v])).dataSync()[0]!);
    const h = 1e-2;
    for (let k = 0; k < 2; k++) {
      const zp = [...z0];
      const zm = [...z0];
      zp[k]! += h;
      zm[k]! -= h;
      const fdz = (at(zp, v0) - at(zm, v0)) / (2 * h);
      const vp = [...v0];
      const vm = [...v0];
      vp[k]! += h;
      vm[k]! -= h;
      const fdv = (at(z0, vp) - at(z0, vm)) / (2 * h);
      expect(Math.abs(fdz - gzd[k]!)).toBeLessThan(TOL.FD_F32 * (1 + Math.abs(fdz)));
      expect(Math.abs(fdv - gvd[k]!)).toBeLessThan(TOL.FD_F32 * (1 + Math.abs(fdv)));
    }
    tf.dispose([gz!, gv!]);
  });

  it('expectedNormTf: values, gradients and no leaks under tf.grads', async () => {
    const s2 = tf.tensor1d([0.3, 1, 0.5, 0.01]);
    const m = tf.tensor1d([0, 4, 50, 3]);
    const out = await expectNoLeaks(() => expectedNormTf(10, s2, m), { keepResult: true });
    const vals = out.dataSync();
    const expected = [0.3, 1, 0.5, 0.01].map((v, i) =>
      expectedNorm({ dim: 10, variance: v, meanSquaredNorm: [0, 4, 50, 3][i]! }),
    );
    for (let i = 0; i < 4; i++) expect(Math.abs(vals[i]! - expected[i]!) / expected[i]!).toBeLessThan(1e-6);
    const [gs, gm] = await expectNoLeaks(
      () => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(expectedNormTf(10, a, b)))([s2, m]),
      { keepResult: true },
    );
    const h = 1e-6;
    for (let i = 1; i < 4; i++) {
      const v = [0.3, 1, 0.5, 0.01][i]!;
      const mm = [0, 4, 50, 3][i]!;
      const fdm =
        (expectedNorm({ dim: 10, variance: v, meanSquaredNorm: mm + h }) -
          expectedNorm({ dim: 10, variance: v, meanSquaredNorm: mm - h })) /
        (2 * h);
      const fdv =
        (expectedNorm({ dim: 10, variance: v + h * v, meanSquaredNorm: mm }) -
          expectedNorm({ dim: 10, variance: v - h * v, meanSquaredNorm: mm })) /
        (2 * h * v);
      expect(Math.abs(gm!.dataSync()[i]! - fdm) / Math.abs(fdm)).toBeLessThan(1e-5);
      expect(Math.abs(gs!.dataSync()[i]! - fdv) / Math.abs(fdv)).toBeLessThan(1e-5);
    }
    tf.dispose([s2, m, out, gs!, gm!]);
  });

  it('clear errors: zero direction, dimension mismatch, non-PSD / asymmetric covariance, bad decoder', () => {
    const dec = new LinearGaussianDecoder(A, SIGMA);
    const z = tf.tensor2d([[0, 0]]);
    const v0 = tf.tensor2d([[0, 0]]);
    const v3 = tf.tensor2d([[1, 0, 0]]);
    const v2 = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const v = tf.tensor2d([[1, 0]]);
    const before = tf.memory().numTensors;
    expect(() => finslerMetric(dec, z, v0)).toThrow(/finslerMetric: argument 'v'.*zero-length/);
    expect(() => finslerMetric(dec, z, v3)).toThrow(/dimension mismatch/);
    expect(() => finslerMetric(dec, z, v2)).toThrow(/argument 'v'/);
    const notPsd = new FixedMomentsDecoder(
      2,
      2,
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 2],
        [2, 1],
      ],
    );
    expect(() => finslerMetric(notPsd, z, v)).toThrow(/positive semi-definite/);
    const asym = new FixedMomentsDecoder(
      2,
      2,
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 0.5],
        [0, 1],
      ],
    );
    expect(() => expectedPullbackMetric(asym, z)).toThrow(/symmetric/);
    const wrongD = new FixedMomentsDecoder(
      2,
      3,
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 0],
        [0, 1],
      ],
    );
    expect(() => riemannianMetric(wrongD, z, v)).toThrow(/dimension mismatch/);
    expect(() => finslerMetric({} as never, z, v)).toThrow(/argument 'decoder'/);
    expect(() => monteCarloMetric(notPsd, z, v, { source: 'jacobian' })).toThrow(/sampleJacobian/);
    expect(() => monteCarloMetric(dec, z, v, { samples: 1 })).toThrow(/options.samples/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, v0, v3, v2, v]);
  });
});
