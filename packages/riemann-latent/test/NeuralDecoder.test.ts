import { createRng, initBackend, LabInputError } from '@lab/core';
import { expectAllClose, expectNoLeaks, TOL } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { NeuralDecoder, type NeuralDecoderActivation } from '../src/NeuralDecoder.js';

beforeAll(async () => {
  await initBackend();
});

const Z = [
  [0.3, -0.4],
  [-1.2, 0.8],
  [0.05, 1.5],
];
const D = 3;

describe('NeuralDecoder', () => {
  for (const activation of ['tanh', 'softplus', 'sigmoid'] as NeuralDecoderActivation[]) {
    it(`${activation}: forward-mode Jacobians match reverse-mode autodiff and finite differences`, async () => {
      const dec = new NeuralDecoder({ latentDim: 2, outputDim: D, hidden: [5, 4], activation, seed: 3 });
      const z = tf.tensor2d(Z);
      const { mu, sigma } = await expectNoLeaks(() => dec.jacobians(z), { keepResult: true });
      expect(mu.shape).toEqual([3, D, 2]);
      for (let d = 0; d < D; d++) {
        const gMu = tf.grad((v: tf.Tensor) =>
          tf.sum(tf.slice(dec.meanAndStd(v as tf.Tensor2D).mean, [0, d], [-1, 1])),
        )(z);
        const gSd = tf.grad((v: tf.Tensor) =>
          tf.sum(tf.slice(dec.meanAndStd(v as tf.Tensor2D).std, [0, d], [-1, 1])),
        )(z);
        const muD = tf.squeeze(tf.slice(mu, [0, d, 0], [-1, 1, -1]), [1]);
        const sdD = tf.squeeze(tf.slice(sigma, [0, d, 0], [-1, 1, -1]), [1]);
        expectAllClose(muD, gMu, { atol: TOL.F32_REORDER, rtol: TOL.F32_REORDER });
        expectAllClose(sdD, gSd, { atol: TOL.F32_REORDER, rtol: TOL.F32_REORDER });
        tf.dispose([gMu, gSd, muD, sdD]);
      }
      // Central differences in float32 (h = 1e-2) on the first latent coordinate.
      const h = 1e-2;
      const shift = tf.tensor2d([[h, 0]]);
      const zp = tf.add(z, shift) as tf.Tensor2D;
      const zm = tf.sub(z, shift) as tf.Tensor2D;
      const p = dec.meanAndStd(zp);
      const m = dec.meanAndStd(zm);
      const fdMu = tf.div(tf.sub(p.mean, m.mean), 2 * h);
      const fdSd = tf.div(tf.sub(p.std, m.std), 2 * h);
      expectAllClose(tf.squeeze(tf.slice(mu, [0, 0, 0], [-1, -1, 1]), [2]), fdMu, {
        atol: TOL.FD_F32,
        rtol: TOL.FD_F32,
      });
      expectAllClose(tf.squeeze(tf.slice(sigma, [0, 0, 0], [-1, -1, 1]), [2]), fdSd, {
        atol: TOL.FD_F32,
        rtol: TOL.FD_F32,
      });
      tf.dispose([z, mu, sigma, shift, zp, zm, p.mean, p.std, m.mean, m.std, fdMu, fdSd]);
      dec.dispose();
    });
  }

  it('moment-matched moments reproduce E[J^T J] = J_mu^T J_mu + J_sigma^T J_sigma, and Monte Carlo agrees', async () => {
    const dec = new NeuralDecoder({ latentDim: 2, outputDim: D, hidden: [6], seed: 1 });
    const z = tf.tensor2d(Z);
    const { mean, covariance } = await expectNoLeaks(() => dec.jacobian(z), { keepResult: true });
    expect(dec.isotropic).toBe(false);
    const pred = await expectNoLeaks(() => dec.predict(z), { keepResult: true });
    const ms = await expectNoLeaks(() => dec.meanAndStd(z), { keepResult: true });
    tf.tidy(() => expectAllClose(pred.variance, tf.square(ms.std), { rtol: TOL.F32_REORDER }));
    expect(Math.min(...ms.std.dataSync())).toBeGreaterThan(dec.minStd);
    tf.dispose([pred.mean, pred.variance, ms.mean, ms.std]);
    const { mu, sigma } = dec.jacobians(z);
    const g1 = tf.add(tf.matMul(mean, mean, true, false), tf.mul(covariance, D));
    const g2 = tf.add(tf.matMul(mu, mu, true, false), tf.matMul(sigma, sigma, true, false));
    expectAllClose(g1, g2, { atol: TOL.F32_REORDER, rtol: TOL.F32_REORDER });
    const S = 20000;
    const draws = await expectNoLeaks(() => dec.sampleJacobian(z, S, 9), { keepResult: true });
    expect(draws.shape).toEqual([S, 3, D, 2]);
    const again = dec.sampleJacobian(z, 4, 9);
    expectAllClose(again, tf.slice(draws, [0, 0, 0, 0], [4, -1, -1, -1]), { atol: 0 });
    // E[J^T J] by Monte Carlo: mean over samples of J^T J ([S*3, 2, 2]).
    const flat = tf.reshape(draws, [S * 3, D, 2]);
    const jtj = tf.mean(tf.reshape(tf.matMul(flat, flat, true, false), [S, 3, 2, 2]), 0);
    // 20000 draws: relative standard error ~ sqrt(2 / 20000) ~ 1% of the sigma part; 5% budget.
    expectAllClose(jtj, g2, { atol: 0.05 * Math.max(...g2.dataSync().map(Math.abs)), rtol: 0.05 });
    tf.dispose([mean, covariance, mu, sigma, g1, g2, draws, again, flat, jtj, z]);
    dec.dispose();
  });

  it('the Jacobian moments are differentiable in z', () => {
    const dec = new NeuralDecoder({ latentDim: 2, outputDim: D, hidden: [5], seed: 2 });
    const f = (v: tf.Tensor) => {
      const { mean, covariance } = dec.jacobian(v as tf.Tensor2D);
      return tf.add(tf.sum(tf.square(mean)), tf.sum(covariance));
    };
    const z = tf.tensor2d(Z);
    const g = tf.grad(f)(z).arraySync() as number[][];
    const val = (t: number[][]) => tf.tidy(() => f(tf.tensor2d(t)).dataSync()[0] as number);
    const h = 1e-2;
    const fd =
      (val(Z.map((r, i) => (i === 2 ? [r[0]!, r[1]! + h] : r))) -
        val(Z.map((r, i) => (i === 2 ? [r[0]!, r[1]! - h] : r)))) /
      (2 * h);
    expect(Math.abs(g[2]![1]! - fd)).toBeLessThan(TOL.FD_F32 * Math.max(1, Math.abs(fd)));
    z.dispose();
    dec.dispose();
  });

  it('fit lowers the Gaussian negative log-likelihood and learns the mean and noise level', async () => {
    const n = 64;
    const zs = Array.from({ length: n }, (_, i) => [
      Math.cos((2 * Math.PI * i) / n),
      Math.sin((2 * Math.PI * i) / n),
    ]);
    // Deterministic "noise" of std ~0.1 (a fixed pseudo-random sign pattern).
    const ys = zs.map(([a, b], i) => [
      a! + 0.1 * Math.sign(Math.sin(i * 12.9898)),
      b! * a!,
      0.5 * b! - 0.1 * Math.sign(Math.cos(i * 78.233)),
    ]);
    const dec = new NeuralDecoder({ latentDim: 2, outputDim: D, hidden: [16], seed: 4 });
    const z = tf.tensor2d(zs);
    const y = tf.tensor2d(ys);
    const seen: number[] = [];
    const history = await expectNoLeaks(() =>
      dec.fit(z, y, { steps: 400, learningRate: 0.02, onProgress: (p) => void seen.push(p.loss) }),
    );
    expect(history.loss).toHaveLength(400);
    expect(history.epochsRun).toBe(400);
    expect(history.stopReason).toBe('completed');
    expect(seen).toEqual(history.loss);
    expect(history.loss.at(-1)!).toBeLessThan(history.loss[0]! - 0.5);
    const { std } = dec.meanAndStd(z);
    const meanStd = tf.mean(std).dataSync()[0]!;
    // Residual std over outputs ~ sqrt((0.01 + 0 + 0.01) / 3) ~ 0.08: a trained sigma is well below the initial ~0.7.
    expect(meanStd).toBeLessThan(0.2);
    tf.dispose([z, y, std]);
    dec.dispose();
  });

  it('rejects bad input with LabInputError', async () => {
    expect(() => new NeuralDecoder({ latentDim: 0, outputDim: 2, seed: 1 })).toThrow(LabInputError);
    expect(
      () => new NeuralDecoder({ latentDim: 2, outputDim: 2, seed: 1, activation: 'relu' as never }),
    ).toThrow(/activation/);
    const dec = new NeuralDecoder({ latentDim: 2, outputDim: 2, seed: 1 });
    const bad = tf.zeros([3, 3]) as tf.Tensor2D;
    expect(() => dec.jacobian(bad)).toThrow(/columns/);
    await expect(dec.fit(tf.zeros([3, 2]) as tf.Tensor2D, bad)).rejects.toThrow(/shape/);
    const z3 = tf.zeros([3, 2]) as tf.Tensor2D;
    const y3 = tf.zeros([3, 2]) as tf.Tensor2D;
    await expect(dec.fit(z3, y3, { step: 3 } as never)).rejects.toThrow(/'options.step' is not an option/);
    const stopped = await dec.fit(z3, y3, { steps: 10, onProgress: (p) => p.epoch < 3 });
    expect([stopped.epochsRun, stopped.stopReason]).toEqual([3, 'callback']);
    tf.dispose([z3, y3]);
    expect(() => new NeuralDecoder({ latentDim: 2, outputDim: 2, seed: 1, rng: createRng(1) })).toThrow(
      /at most one/,
    );
    expect(() => new NeuralDecoder({ latentDim: 2, outputDim: 2, width: 3 } as never)).toThrow(
      /'options.width' is not an option/,
    );
    bad.dispose();
    dec.dispose();
    expect(() => dec.predict(tf.zeros([1, 2]) as tf.Tensor2D)).toThrow(/disposed/);
  });
});
