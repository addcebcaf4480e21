import { createRng, initBackend, LabInputError } from '@lab/core';
import { expectAllClose, expectNoLeaks, TOL } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedNorm } from '../src/expectedNorm.js';
import { GaussianProcessDecoder } from '../src/GaussianProcessDecoder.js';
import { createKernel, type KernelType } from '../src/kernels.js';

beforeAll(async () => {
  await initBackend();
});

/** Dense float64 solve A x = B by Gaussian elimination with partial pivoting (independent of the Cholesky under test). */
function solve(A: number[][], B: number[][]): number[][] {
  const n = A.length;
  const m = B[0]!.length;
  const a = A.map((r, i) => [...r, ...B[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < n + m; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return a.map((r, i) => r.slice(n).map((v) => v / a[i]![i]!));
}

const rng = createRng(7);
const N = 12;
const Q = 2;
const D = 3;
const X = Array.from({ length: N }, () => [rng.uniform(-2, 2), rng.uniform(-2, 2)]);
const Y = X.map(([a, b]) => [Math.sin(a!) + 0.1 * b!, a! * b! * 0.3, Math.cos(b!) + rng.normal(0, 0.05)]);
const NOISE = 0.01;
const Z = [
  [0.1, 0.2],
  [-1.3, 0.7],
  [2.5, -2.4],
];

/** Brute-force float64 posterior covariance c(a, b) = k(a, b) - k(a, X) K^-1 k(X, b). */
function posteriorCov(type: KernelType, a: number[], b: number[]): number {
  const k = createKernel(type, { lengthscale: 0.9, variance: 1.3 });
  const K = X.map((xi, i) => X.map((xj, j) => k.value(xi, xj) + (i === j ? NOISE : 0)));
  const kb = X.map((xi) => [k.value(xi, b)]);
  const sol = solve(K, kb);
  return k.value(a, b) - X.reduce((s, xi, i) => s + k.value(a, xi) * sol[i]![0]!, 0);
}

function posteriorMean(type: KernelType, a: number[]): number[] {
  const k = createKernel(type, { lengthscale: 0.9, variance: 1.3 });
  const K = X.map((xi, i) => X.map((xj, j) => k.value(xi, xj) + (i === j ? NOISE : 0)));
  const alpha = solve(K, Y);
  return Array.from({ length: D }, (_, d) => X.reduce((s, xi, i) => s + k.value(a, xi) * alpha[i]![d]!, 0));
}

/** float32 kernel sums and Cholesky-free products vs a float64 reference: ~1e-4 relative on O(1) values, K conditioned ~1e3. */
const GP_F32 = 2e-3;

describe('GaussianProcessDecoder', () => {
  const decoders = new Map<KernelType, GaussianProcessDecoder>();
  let z: tf.Tensor2D;
  beforeAll(() => {
    z = tf.tensor2d(Z);
  });
  afterAll(() => {
    for (const d of decoders.values()) d.dispose();
    z.dispose();
  });
  for (const type of ['rbf', 'matern52', 'matern32'] as KernelType[]) {
    describe(type, () => {
      const get = () => {
        if (!decoders.has(type)) {
          decoders.set(
            type,
            new GaussianProcessDecoder(X, Y, {
              kernel: createKernel(type, { lengthscale: 0.9, variance: 1.3 }),
              noiseVariance: NOISE,
            }),
          );
        }
        return decoders.get(type)!;
      };

      it('predictive mean and variance match a brute-force float64 posterior', async () => {
        const dec = get();
        const { mean, variance } = await expectNoLeaks(() => dec.predict(z), { keepResult: true });
        expect(mean.shape).toEqual([3, D]);
        expect(variance.shape).toEqual([3]);
        expectAllClose(
          mean,
          Z.flatMap((a) => posteriorMean(type, a)),
          { atol: GP_F32, rtol: GP_F32 },
        );
        expectAllClose(
          variance,
          Z.map((a) => posteriorCov(type, a, a)),
          { atol: GP_F32, rtol: GP_F32 },
        );
        const zr = tf.reverse(z, 0) as tf.Tensor2D;
        const c = await expectNoLeaks(() => dec.crossCovariance(z, zr), { keepResult: true });
        expectAllClose(
          c,
          Z.map((a, i) => posteriorCov(type, a, Z[2 - i]!)),
          { atol: GP_F32, rtol: GP_F32 },
        );
        tf.dispose([mean, variance, c, zr]);
      });

      it('E[J] matches finite differences of the predictive mean', async () => {
        const dec = get();
        const { mean, covariance } = await expectNoLeaks(() => dec.jacobian(z), { keepResult: true });
        expect(mean.shape).toEqual([3, D, Q]);
        expect(covariance.shape).toEqual([3, Q, Q]);
        const h = 1e-4;
        const fd: number[] = [];
        for (const a of Z) {
          for (let d = 0; d < D; d++) {
            for (let j = 0; j < Q; j++) {
              const p = a.slice();
              const m = a.slice();
              p[j]! += h;
              m[j]! -= h;
              fd.push((posteriorMean(type, p)[d]! - posteriorMean(type, m)[d]!) / (2 * h));
            }
          }
        }
        expectAllClose(mean, fd, { atol: GP_F32, rtol: GP_F32 });
        // And against float32 differences of the decoder's own predict (h = 1e-2).
        const hh = 1e-2;
        const zp = tf.add(z, tf.tensor2d([[hh, 0]]));
        const zm = tf.sub(z, tf.tensor2d([[hh, 0]]));
        const dp = dec.predict(zp as tf.Tensor2D);
        const dm = dec.predict(zm as tf.Tensor2D);
        const fd32 = tf.div(tf.sub(dp.mean, dm.mean), 2 * hh);
        const col0 = tf.squeeze(tf.slice(mean, [0, 0, 0], [-1, -1, 1]), [2]);
        expectAllClose(col0, fd32, { atol: TOL.FD_F32, rtol: TOL.FD_F32 });
        tf.dispose([mean, covariance, zp, zm, dp.mean, dp.variance, dm.mean, dm.variance, fd32, col0]);
      });

      it('Sigma equals the posterior covariance of the derivative process (finite differences)', () => {
        const dec = get();
        const { mean, covariance } = dec.jacobian(z);
        const cov = covariance.arraySync();
        // Cov[df/da_i, df/da_j] = lim (c(a + h e_i, a + h e_j) - c(a + h e_i, a - h e_j) - ...) / (4 h^2).
        const h = 1e-3;
        Z.forEach((a, n) => {
          for (let i = 0; i < Q; i++) {
            for (let j = 0; j < Q; j++) {
              const s = (v: number[], d: number, t: number) => v.map((c, k) => (k === d ? c + t : c));
              const fd =
                (posteriorCov(type, s(a, i, h), s(a, j, h)) -
                  posteriorCov(type, s(a, i, h), s(a, j, -h)) -
                  posteriorCov(type, s(a, i, -h), s(a, j, h)) +
                  posteriorCov(type, s(a, i, -h), s(a, j, -h))) /
                (4 * h * h);
              // Matern 3/2's |r|^3 term makes the prior part of this difference O(h) accurate (~1e-2 at h = 1e-3).
              const tol = type === 'matern32' ? 2e-2 : GP_F32 * 5;
              expect(Math.abs(cov[n]![i]![j]! - fd), `point ${n} (${i}, ${j})`).toBeLessThan(
                tol * Math.max(1, Math.abs(fd)),
              );
            }
          }
        });
        tf.dispose([mean, covariance]);
      });
    });
  }

  it('far from the data Sigma returns to the prior and E[J] to zero', () => {
    const k = createKernel('rbf', { lengthscale: 0.9, variance: 1.3 });
    const dec = new GaussianProcessDecoder(X, Y, { kernel: k, noiseVariance: NOISE });
    const far = tf.tensor2d([[40, 40]]);
    const { mean, covariance } = dec.jacobian(far);
    expectAllClose(mean, new Array(D * Q).fill(0), { atol: TOL.F32_REORDER });
    expectAllClose(covariance, [k.derivativeVariance(), 0, 0, k.derivativeVariance()], {
      atol: TOL.F32_REORDER,
      rtol: TOL.F32_REORDER,
    });
    tf.dispose([far, mean, covariance]);
    dec.dispose();
  });

  it('meanOffset shifts the predictive mean and not the Jacobian', () => {
    const kernel = createKernel('rbf', { lengthscale: 0.9, variance: 1.3 });
    const a = new GaussianProcessDecoder(X, Y, { kernel, noiseVariance: NOISE });
    const shift = [5, -3, 2];
    const b = new GaussianProcessDecoder(
      X,
      Y.map((r) => r.map((v, d) => v + shift[d]!)),
      { kernel, noiseVariance: NOISE, meanOffset: shift },
    );
    const z = tf.tensor2d(Z);
    const pa = a.predict(z);
    const pb = b.predict(z);
    expectAllClose(
      tf.sub(pb.mean, pa.mean),
      Z.flatMap(() => shift),
      { atol: TOL.F32_REORDER * 10 },
    );
    const ja = a.jacobian(z);
    const jb = b.jacobian(z);
    expectAllClose(jb.mean, ja.mean, { atol: TOL.F32_REORDER * 10 });
    tf.dispose([
      z,
      pa.mean,
      pa.variance,
      pb.mean,
      pb.variance,
      ja.mean,
      ja.covariance,
      jb.mean,
      jb.covariance,
    ]);
    a.dispose();
    b.dispose();
  });

  it('jacobian is differentiable in z (for curve energies)', () => {
    const dec = new GaussianProcessDecoder(X, Y, {
      kernel: createKernel('matern52', { lengthscale: 0.9, variance: 1.3 }),
      noiseVariance: NOISE,
    });
    const z = tf.tensor2d(Z);
    const energy = (v: tf.Tensor) => {
      const { mean, covariance } = dec.jacobian(v as tf.Tensor2D);
      return tf.add(tf.sum(tf.square(mean)), tf.sum(covariance));
    };
    const g = tf.grad(energy)(z);
    const h = 1e-2;
    const e = (t: number[][]) => tf.tidy(() => energy(tf.tensor2d(t)).dataSync()[0] as number);
    const zp = Z.map((r, i) => (i === 1 ? [r[0]! + h, r[1]!] : r));
    const zm = Z.map((r, i) => (i === 1 ? [r[0]! - h, r[1]!] : r));
    const fd = (e(zp) - e(zm)) / (2 * h);
    expect(Math.abs((g.arraySync() as number[][])[1]![0]! - fd)).toBeLessThan(
      TOL.FD_F32 * Math.max(1, Math.abs(fd)),
    );
    tf.dispose([z, g]);
    dec.dispose();
  });

  it('sampleJacobian draws have the Jacobian moments and are seeded', async () => {
    const dec = new GaussianProcessDecoder(X, Y, {
      kernel: createKernel('rbf', { lengthscale: 0.9, variance: 1.3 }),
      noiseVariance: NOISE,
    });
    const z = tf.tensor2d([[0.3, 2.5]]);
    const S = 4000;
    const draws = await expectNoLeaks(() => dec.sampleJacobian(z, S, 3), { keepResult: true });
    expect(draws.shape).toEqual([S, 1, D, Q]);
    const again = dec.sampleJacobian(z, 5, 3);
    const first = tf.slice(draws, [0, 0, 0, 0], [5, 1, D, Q]);
    expectAllClose(again, first, { atol: 0 });
    const { mean, covariance } = dec.jacobian(z);
    const empMean = tf.mean(draws, 0);
    // Monte Carlo standard error: sqrt(Sigma / S) ~ sqrt(1.6 / 4000) ~ 0.02; allow 4 standard errors.
    expectAllClose(tf.reshape(empMean, [-1]), tf.reshape(mean, [-1]), { atol: 0.08 });
    const centred = tf.sub(draws, mean);
    // Row covariance pooled over the D rows: sum_d c_d c_d^T / (S D).
    const rows = tf.reshape(centred, [S * D, Q]);
    const emp = tf.div(tf.matMul(rows, rows, true, false), S * D);
    expectAllClose(tf.reshape(emp, [-1]), tf.reshape(covariance, [-1]), { atol: 0.08, rtol: 0.05 });
    tf.dispose([z, draws, again, first, mean, covariance, empMean, centred, rows, emp]);
    dec.dispose();
  });

  it('isotropic rows: Monte Carlo E||J v|| from sampleJacobian matches the closed-form Finsler metric', () => {
    const dec = new GaussianProcessDecoder(X, Y, {
      kernel: createKernel('rbf', { lengthscale: 0.9, variance: 1.3 }),
      noiseVariance: NOISE,
    });
    // A point between data (moderate variance) and one far out (prior variance): both regimes.
    const z = tf.tensor2d([
      [0.4, -1.1],
      [3.5, 3.5],
    ]);
    const v = [0.6, -0.8];
    const S = 20000;
    const draws = dec.sampleJacobian(z, S, 17);
    const jd = draws.dataSync();
    const { mean, covariance } = dec.jacobian(z);
    const md = mean.dataSync();
    const cd = covariance.dataSync();
    for (let i = 0; i < 2; i++) {
      let mc = 0;
      let mc2 = 0;
      for (let s = 0; s < S; s++) {
        let sq = 0;
        for (let d = 0; d < D; d++) {
          const o = ((s * 2 + i) * D + d) * Q;
          sq += (jd[o]! * v[0]! + jd[o + 1]! * v[1]!) ** 2;
        }
        mc += Math.sqrt(sq) / S;
        mc2 += sq / S;
      }
      let m = 0;
      for (let d = 0; d < D; d++) m += (md[(i * D + d) * Q]! * v[0]! + md[(i * D + d) * Q + 1]! * v[1]!) ** 2;
      const c = cd.subarray(i * 4, i * 4 + 4);
      const s2 = v[0]! * v[0]! * c[0]! + 2 * v[0]! * v[1]! * c[1]! + v[1]! * v[1]! * c[3]!;
      const closed = expectedNorm({ dim: D, variance: s2, meanSquaredNorm: m });
      const sd = Math.sqrt(Math.max(0, mc2 - mc * mc) / S);
      // 5 Monte Carlo standard errors.
      expect(Math.abs(mc - closed), `point ${i}`).toBeLessThan(5 * sd + 1e-6);
      // Jensen: F^2 <= v^T G v = E||J v||^2.
      expect(closed * closed).toBeLessThanOrEqual(m + D * s2 + 1e-9);
      // Far from the data (prior variance, small mean) D = 3 separates the metrics beyond the MC error.
      if (i === 1) expect(Math.sqrt(m + D * s2) - mc).toBeGreaterThan(10 * sd);
    }
    tf.dispose([z, draws, mean, covariance]);
    dec.dispose();
  });

  it('wasm and cpu backends agree on the posterior and Jacobian moments', async () => {
    const dec = new GaussianProcessDecoder(X, Y, {
      kernel: createKernel('matern52', { lengthscale: 0.9, variance: 1.3 }),
      noiseVariance: NOISE,
    });
    const run = () =>
      tf.tidy(() => {
        const z = tf.tensor2d(Z);
        const p = dec.predict(z);
        const j = dec.jacobian(z);
        return [p.mean, p.variance, j.mean, j.covariance].map((t) => Array.from(t.dataSync()));
      });
    const wasm = run();
    try {
      await initBackend({ backend: 'cpu' });
      const cpu = run();
      for (const [k, c] of cpu.entries())
        expectAllClose(c, wasm[k]!, { atol: TOL.F32_REORDER, rtol: TOL.F32_REORDER });
    } finally {
      await initBackend();
      dec.dispose();
    }
  });

  it('rejects bad input with LabInputError and never mutates the caller data', () => {
    const kernel = createKernel('rbf');
    const copy = JSON.stringify(X);
    expect(() => new GaussianProcessDecoder(X, Y.slice(1), { kernel, noiseVariance: 0.1 })).toThrow(
      LabInputError,
    );
    expect(() => new GaussianProcessDecoder(X, Y, { kernel, noiseVariance: -1 })).toThrow(/noiseVariance/);
    expect(() => new GaussianProcessDecoder(X, Y, { kernel: {} as never, noiseVariance: 0.1 })).toThrow(
      /kernel/,
    );
    const dec = new GaussianProcessDecoder(X, Y, { kernel, noiseVariance: 0.1 });
    const bad = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => dec.predict(bad)).toThrow(LabInputError);
    expect(() => dec.jacobian(bad)).toThrow(/columns/);
    expect(JSON.stringify(X)).toBe(copy);
    bad.dispose();
    dec.dispose();
    expect(() => dec.predict(bad)).toThrow(/disposed/);
  });
});
