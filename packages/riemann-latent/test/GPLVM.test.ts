import { createRng, initBackend, LabInputError } from '@lab/core';
import { expectAllClose, expectNoLeaks, TOL } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GPLVM, gpLogMarginalLikelihood } from '../src/GPLVM.js';
import { embedInDimensions, pinwheel } from '../src/pinwheel.js';

beforeAll(async () => {
  await initBackend();
});

/** Fraction of each point's k nearest neighbours in `a` that are also among its k nearest in `b`. */
function neighbourhoodPreservation(a: number[][], b: number[][], k: number): number {
  const knn = (p: number[][], i: number) =>
    p
      .map((q, j) => ({ j, d: q.reduce((s, v, t) => s + (v - p[i]![t]!) ** 2, 0) }))
      .filter((e) => e.j !== i)
      .sort((x, y) => x.d - y.d)
      .slice(0, k)
      .map((e) => e.j);
  let hits = 0;
  for (let i = 0; i < a.length; i++) {
    const na = new Set(knn(a, i));
    hits += knn(b, i).filter((j) => na.has(j)).length;
  }
  return hits / (a.length * k);
}

/** Residual of the best affine map from `x` to `p`, relative to p's variance (1 - R^2). */
function affineResidual(x: number[][], p: number[][]): number {
  // Normal equations for [x, 1] W = p (3 x 3 solve by Cramer's rule on the Gram matrix).
  const A = x.map((r) => [r[0]!, r[1]!, 1]);
  const G = [0, 1, 2].map((i) => [0, 1, 2].map((j) => A.reduce((s, r) => s + r[i]! * r[j]!, 0)));
  const det = (m: number[][]) =>
    m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) -
    m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) +
    m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
  let res = 0;
  let tot = 0;
  for (let c = 0; c < 2; c++) {
    const rhs = [0, 1, 2].map((i) => A.reduce((s, r, n) => s + r[i]! * p[n]![c]!, 0));
    const w = [0, 1, 2].map(
      (k) => det(G.map((row, i) => row.map((v, j) => (j === k ? rhs[i]! : v)))) / det(G),
    );
    const mean = p.reduce((s, r) => s + r[c]!, 0) / p.length;
    A.forEach((r, n) => {
      res += (r[0]! * w[0]! + r[1]! * w[1]! + w[2]! - p[n]![c]!) ** 2;
      tot += (p[n]![c]! - mean) ** 2;
    });
  }
  return res / tot;
}

describe('gpLogMarginalLikelihood', () => {
  const n = 5;
  const D = 3;
  const Y = [
    [0.3, -1, 0.5],
    [1.2, 0.1, -0.4],
    [-0.5, 0.8, 0.9],
    [0.0, -0.3, 1.5],
    [0.7, 0.6, -1.1],
  ];
  const K = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => Math.exp(-((i - j) ** 2) / 4) + (i === j ? 0.3 : 0)),
  );
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) gram[i * n + j] = Y[i]!.reduce((s, v, c) => s + v * Y[j]![c]!, 0);
  /** Brute force: sum over outputs of log N(y_d; 0, K) with K^-1 and |K| by Gauss-Jordan. */
  const brute = (k: number[][]) => {
    const a = k.map((r, i) => [...r, ...k.map((_, j) => (i === j ? 1 : 0))]);
    let det = 1;
    for (let c = 0; c < n; c++) {
      det *= a[c]![c]!;
      const piv = a[c]![c]!;
      for (let t = 0; t < 2 * n; t++) a[c]![t]! /= piv;
      for (let r = 0; r < n; r++) {
        if (r === c) continue;
        const f = a[r]![c]!;
        for (let t = 0; t < 2 * n; t++) a[r]![t]! -= f * a[c]![t]!;
      }
    }
    const inv = a.map((r) => r.slice(n));
    let quad = 0;
    for (let d = 0; d < D; d++)
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) quad += Y[i]![d]! * inv[i]![j]! * Y[j]![d]!;
    return -0.5 * D * Math.log(det) - 0.5 * quad - 0.5 * n * D * Math.log(2 * Math.PI);
  };

  it('matches the brute-force Gaussian log density and its gradient in K matches finite differences', async () => {
    const kt = tf.tensor2d(K);
    const v = await expectNoLeaks(() => gpLogMarginalLikelihood(kt, gram, D), { keepResult: true });
    // float32 storage of K (values ~1) perturbs log|K| and the quadratic form by ~1e-7 relative each.
    expectAllClose(v, [brute(K)], { rtol: TOL.F32_REORDER });
    const g = tf
      .grad((k: tf.Tensor) => gpLogMarginalLikelihood(k as tf.Tensor2D, gram, D))(kt)
      .arraySync() as number[][];
    const h = 1e-6;
    for (const [i, j] of [
      [0, 0],
      [1, 3],
      [4, 2],
    ] as const) {
      // Symmetric perturbation of K_ij and K_ji: the derivative is g_ij + g_ji.
      const kp = K.map((r) => r.slice());
      const km = K.map((r) => r.slice());
      kp[i]![j]! += h;
      km[i]![j]! -= h;
      if (i !== j) {
        kp[j]![i]! += h;
        km[j]![i]! -= h;
      }
      const fd = (brute(kp) - brute(km)) / (2 * h);
      const analytic = i === j ? g[i]![i]! : g[i]![j]! + g[j]![i]!;
      expect(Math.abs(analytic - fd)).toBeLessThan(TOL.FD_F32 * Math.max(1, Math.abs(fd)));
    }
    // The low-rank path (outputs given, D < N) gives the same value and gradient.
    const yFlat = Float64Array.from(Y.flat());
    const v2 = gpLogMarginalLikelihood(kt, gram, D, { outputs: yFlat });
    expectAllClose(v2, v, { rtol: 1e-7 });
    const g2 = tf.grad((k: tf.Tensor) =>
      gpLogMarginalLikelihood(k as tf.Tensor2D, gram, D, { outputs: yFlat }),
    )(kt);
    expectAllClose(g2, g.flat(), { rtol: 1e-6, atol: 1e-7 });
    tf.dispose([kt, v, v2, g2]);
  });

  it('rejects bad input', () => {
    const kt = tf.tensor2d(K);
    expect(() => gpLogMarginalLikelihood(kt, new Float64Array(3), D)).toThrow(LabInputError);
    expect(() => gpLogMarginalLikelihood(kt, gram, 0)).toThrow(/outputDim/);
    expect(() => gpLogMarginalLikelihood(kt, gram, D, { outputs: new Float64Array(2) })).toThrow(/outputs/);
    kt.dispose();
  });
});

describe('GPLVM', () => {
  const { points } = pinwheel({ seed: 11, arms: 3, pointsPerArm: 16, radialStd: 0.3, tangentialStd: 0.1 });
  const data = embedInDimensions(points, { seed: 2, dim: 8, noiseStd: 0.05 });

  it('increases the log marginal likelihood, recovers the 2-D structure, and is seeded', async () => {
    const progress: number[] = [];
    const fit = async () => {
      const m = new GPLVM();
      const result = await m.fit(data, {
        seed: 5,
        steps: 120,
        learningRate: 0.05,
        onProgress: (p) => {
          progress.push(p.step);
        },
      });
      return { m, result };
    };
    const { m: model, result } = await fit();
    expect(progress).toHaveLength(120);
    // The training contract: a FitHistory (loss = negated objective per step) plus the progress.
    expect(result.epochsRun).toBe(120);
    expect(result.stopReason).toBe('completed');
    expect(result.loss).toEqual(model.history.map((p) => -p.objective));
    expect(result.logMarginalLikelihood).toBe(model.logMarginalLikelihood);
    const first = model.history[0]!;
    expect(model.logMarginalLikelihood).toBeGreaterThan(first.logMarginalLikelihood + 100);
    expect(model.history.at(-1)!.objective).toBeGreaterThan(first.objective);
    // Noise: the data noise variance is 0.05^2 = 2.5e-3 per coordinate (48 points: a factor ~2 either way).
    expect(model.noiseVariance).toBeGreaterThan(1e-3);
    expect(model.noiseVariance).toBeLessThan(6e-3);
    // Linear embedding: the latent points are (up to a smooth warp) an affine image of the truth.
    expect(affineResidual(model.latent, points)).toBeLessThan(0.02);
    expect(neighbourhoodPreservation(model.latent, points, 5)).toBeGreaterThan(0.8);
    // Decoder reproduces the data at the latent points.
    const z = tf.tensor2d(model.latent);
    const { mean, variance } = model.decoder.predict(z);
    const err = tf.tidy(() => tf.sqrt(tf.mean(tf.square(tf.sub(mean, tf.tensor2d(data))))).dataSync()[0]!);
    expect(err).toBeLessThan(0.1);
    tf.dispose([z, mean, variance]);
    const { m: again } = await fit();
    expect(again.latent).toEqual(model.latent);
    expect(again.lengthscale).toBe(model.lengthscale);
    again.dispose();
    model.dispose();
  });

  it('stops when onProgress returns false; random init works', async () => {
    const model = new GPLVM({ kernel: 'matern52' });
    const result = await model.fit(data, {
      seed: 1,
      steps: 50,
      init: 'random',
      onProgress: (p) => p.step < 5,
    });
    expect(model.history).toHaveLength(5);
    expect(result.stopReason).toBe('callback');
    expect(model.decoder.latentDim).toBe(2);
    model.dispose();
  });

  it('leaks no tensors once disposed', async () => {
    await expectNoLeaks(async () => {
      const m = new GPLVM();
      await m.fit(data, { seed: 1, steps: 3 });
      await m.fit(data, { seed: 2, steps: 2 }); // a refit frees the first decoder
      m.dispose();
    });
  });

  it('rejects bad input, and use before fit', async () => {
    expect(() => new GPLVM({ latentDim: 0 })).toThrow(LabInputError);
    expect(() => new GPLVM({ kernel: 'linear' as never })).toThrow(/options.kernel/);
    expect(() => new GPLVM({ steps: 3 } as never)).toThrow(/'options.steps' is not an option of GPLVM/);
    const m = new GPLVM();
    expect(() => m.latent).toThrow(/GPLVM.latent: argument 'this' must be fitted first/);
    await expect(m.fit(data, { seed: 1, rng: createRng(1) })).rejects.toThrow(/at most one of seed and rng/);
    await expect(m.fit([[1, 2]], { seed: 1 })).rejects.toThrow(LabInputError);
    await expect(m.fit(data, { seed: 1, init: 'umap' as never })).rejects.toThrow(/init/);
    await expect(m.fit(data, null as never)).rejects.toThrow(/GPLVM.fit: argument 'options'/);
    await expect(new GPLVM({ latentDim: 3 }).fit(data.slice(0, 3), { steps: 1 })).rejects.toThrow(
      /more rows than latentDim/,
    );
  });

  it('follows the seed convention: default seed 0, rng equals a drawn seed', async () => {
    const run = async (o: { seed?: number; rng?: ReturnType<typeof createRng> }) => {
      const m = new GPLVM();
      await m.fit(data, { steps: 2, init: 'random', ...o });
      const x = m.latent;
      m.dispose();
      return x;
    };
    expect(await run({})).toEqual(await run({ seed: 0 }));
    expect(await run({ rng: createRng(3) })).toEqual(
      await run({ seed: Math.floor(createRng(3).next() * 2 ** 32) }),
    );
  });
});
