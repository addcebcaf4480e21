import { initBackend, LabInputError } from '@lab/core';
import { expectAllClose, expectNoLeaks, TOL } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKernel, kernelMatrix, type KernelType } from '../src/kernels.js';

const TYPES: KernelType[] = ['rbf', 'matern32', 'matern52'];
/** Step of the float64 central differences below (truncation ~h^2, rounding ~eps/h). */
const H = 1e-4;
/** Mixed second differences in float64 with h = 1e-4: rounding ~eps/h^2 ~ 1e-8 relative, truncation ~h^2. */
const FD2_F64 = 1e-5;

beforeAll(async () => {
  await initBackend();
});

const A = [
  [0.3, -0.2],
  [1.1, 0.4],
  [-0.7, 0.9],
];
const B = [
  [0.1, 0.1],
  [-0.5, 1.2],
  [1.5, -0.3],
  [0.3, -0.2],
];

describe('createKernel', () => {
  for (const type of TYPES) {
    describe(type, () => {
      const k = createKernel(type, { lengthscale: 0.8, variance: 1.7 });

      it('k(x, x) is the variance and the tensor matrix matches the float64 value', async () => {
        expect(k.value([0.2, 0.3], [0.2, 0.3])).toBeCloseTo(1.7, 12);
        const a = tf.tensor2d(A);
        const b = tf.tensor2d(B);
        const m = await expectNoLeaks(() => k.matrix(a, b), { keepResult: true });
        const expected = A.flatMap((x) => B.map((y) => k.value(x, y)));
        expectAllClose(m, expected, { atol: TOL.F32_REORDER, rtol: TOL.F32_REORDER });
        tf.dispose([a, b, m]);
      });

      it('gradientValue matches central finite differences of value', () => {
        for (const x of A) {
          for (const y of B) {
            const g = k.gradientValue(x, y);
            for (let i = 0; i < 2; i++) {
              const xp = x.slice();
              const xm = x.slice();
              xp[i] = (xp[i] as number) + H;
              xm[i] = (xm[i] as number) - H;
              const fd = (k.value(xp, y) - k.value(xm, y)) / (2 * H);
              expect(Math.abs((g[i] as number) - fd)).toBeLessThan(TOL.FD_F64);
            }
          }
        }
      });

      it('the tensor gradient matches gradientValue and tf.grad of the matrix', async () => {
        const a = tf.tensor2d(A);
        const b = tf.tensor2d(B);
        const g = await expectNoLeaks(() => k.gradient(a, b), { keepResult: true });
        expect(g.shape).toEqual([3, 4, 2]);
        const expected = A.flatMap((x) => B.flatMap((y) => k.gradientValue(x, y)));
        expectAllClose(g, expected, { atol: TOL.F32_REORDER, rtol: TOL.F32_REORDER });
        // Autodiff of sum_j k(a_i, b_j) w.r.t. a_i equals sum_j of the analytic gradient.
        const auto = tf.grad((x: tf.Tensor) => tf.sum(k.matrix(x as tf.Tensor2D, b)))(a);
        expectAllClose(auto, tf.sum(g, 1), { atol: TOL.F32_REORDER, rtol: TOL.F32_REORDER });
        tf.dispose([a, b, g, auto]);
      });

      it('derivativeVariance equals the mixed second derivative d2k(x, x)/dx dx^T', () => {
        const x = [0.4, -0.3];
        const mixed = (i: number, j: number): number => {
          const shift = (v: number[], d: number, h: number) => v.map((c, t) => (t === d ? c + h : c));
          return (
            (k.value(shift(x, i, H), shift(x, j, H)) -
              k.value(shift(x, i, H), shift(x, j, -H)) -
              k.value(shift(x, i, -H), shift(x, j, H)) +
              k.value(shift(x, i, -H), shift(x, j, -H))) /
            (4 * H * H)
          );
        };
        const c = k.derivativeVariance();
        // Matern 3/2 has an |r|^3 term at r = 0, so its mixed difference is only O(h) accurate:
        // ~ s (sqrt3 / l)^3 h ~ 2e-3 here; the smooth kernels are O(h^2).
        const tol = type === 'matern32' ? 5e-3 : FD2_F64 * 10 * Math.max(1, c);
        expect(Math.abs(mixed(0, 0) - c)).toBeLessThan(tol);
        expect(Math.abs(mixed(1, 1) - c)).toBeLessThan(tol);
        expect(Math.abs(mixed(0, 1))).toBeLessThan(tol);
      });

      it('kernelMatrix is differentiable in the hyperparameters and finite at coincident points', async () => {
        const x = tf.tensor2d(A);
        const direct = await expectNoLeaks(() => kernelMatrix(type, x, x, 0.8, 1.7), { keepResult: true });
        expectAllClose(
          direct,
          A.flatMap((p) => A.map((q) => k.value(p, q))),
          { atol: TOL.F32_REORDER, rtol: TOL.F32_REORDER },
        );
        direct.dispose();
        const f = (l: tf.Scalar, s: tf.Scalar) => tf.sum(kernelMatrix(type, x, x, l, s));
        const [gl, gs] = tf.grads((l: tf.Tensor, s: tf.Tensor) => f(l as tf.Scalar, s as tf.Scalar))([
          tf.scalar(0.8),
          tf.scalar(1.7),
        ]);
        const sumAt = (l: number, s: number) => {
          const kk = createKernel(type, { lengthscale: l, variance: s });
          return A.reduce((acc, p) => acc + A.reduce((t, q) => t + kk.value(p, q), 0), 0);
        };
        const h = 1e-3;
        const fdL = (sumAt(0.8 + h, 1.7) - sumAt(0.8 - h, 1.7)) / (2 * h);
        const fdS = (sumAt(0.8, 1.7 + h) - sumAt(0.8, 1.7 - h)) / (2 * h);
        expectAllClose(gl as tf.Tensor, [fdL], { rtol: TOL.F32_LONG_SUM, atol: TOL.F32_LONG_SUM });
        expectAllClose(gs as tf.Tensor, [fdS], { rtol: TOL.F32_LONG_SUM, atol: TOL.F32_LONG_SUM });
        // Gradient w.r.t. the inputs exists (no NaN from sqrt at r = 0 on the diagonal).
        const gx = tf.grad((z: tf.Tensor) =>
          tf.sum(kernelMatrix(type, z as tf.Tensor2D, z as tf.Tensor2D, 0.8, 1.7)),
        )(x);
        expect(Array.from(gx.dataSync()).every(Number.isFinite)).toBe(true);
        tf.dispose([x, gl as tf.Tensor, gs as tf.Tensor, gx]);
      });
    });
  }

  it('rejects bad input with LabInputError', () => {
    expect(() => createKernel('matern12' as KernelType)).toThrow(LabInputError);
    expect(() => createKernel('rbf', { lengthscale: 0 })).toThrow(/lengthscale/);
    expect(() => createKernel('rbf', { variance: -1 })).toThrow(/variance/);
    const k = createKernel('rbf');
    const a = tf.zeros([2, 2]) as tf.Tensor2D;
    const b = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => k.matrix(a, b)).toThrow(LabInputError);
    expect(() => k.value([0, 0], [0])).toThrow(LabInputError);
    tf.dispose([a, b]);
  });
});
