import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type CsvSeries, gradientCheck, initBackend, LabInputError } from '@lab/core';
import { expectAllClose, expectNoLeaks, TOL } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DLinearForecaster,
  loadForecaster,
  PatternForecaster,
  patternBasis,
  prepareForecastData,
  RepeatForecaster,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

describe('patternBasis', () => {
  it('has orthonormal columns (Fourier and polynomial)', () => {
    for (const kind of ['fourier', 'polynomial'] as const) {
      for (const [P, K] of [
        [16, 16],
        [8, 5],
        [7, 7],
      ] as const) {
        const b = patternBasis({ kind, patchLength: P, numPatterns: K });
        for (let i = 0; i < K; i++)
          for (let j = 0; j < K; j++) {
            let d = 0;
            for (let t = 0; t < P; t++) d += b[t * K + i]! * b[t * K + j]!;
            // float32 storage of unit vectors; polynomial Gram-Schmidt up to degree 15 loses ~1e-6
            expect(Math.abs(d - (i === j ? 1 : 0))).toBeLessThan(1e-5);
          }
      }
    }
    // Fourier column 1 is the cosine of one cycle per patch
    const f = patternBasis({ kind: 'fourier', patchLength: 8, numPatterns: 3 });
    for (let t = 0; t < 8; t++) expect(f[t * 3 + 1]).toBeCloseTo(Math.cos((2 * Math.PI * t) / 8) / 2, 6);
  });
});

describe('PatternForecaster', () => {
  it('forward shapes, patch responses and correlation matrix', async () => {
    const m = new PatternForecaster({
      lookback: 20,
      horizon: 7,
      numSeries: 3,
      seed: 1,
      patchLength: 6,
      patchStride: 4,
      numPatterns: 4,
    });
    expect(m.numPatches).toBe(4);
    const x = tf.randomNormal([5, 20, 3], 0, 1, 'float32', 1);
    const y = await expectNoLeaks(() => m.predict(x));
    expect(y.shape).toEqual([5, 7, 3]);
    const r = await expectNoLeaks(() => m.patternResponses(x), { keepResult: true });
    expect(r.shape).toEqual([5, 3, 4, 4]);
    // Response of patch m of series n = patch . basis_n (patches end at the last step).
    const basis = m.store.get('patterns.basis').arraySync() as number[][][];
    const xs = x.arraySync() as number[][][];
    const rs = r.arraySync() as number[][][][];
    const first = 20 - 6 - 3 * 4;
    for (const [b, n, mm, k] of [
      [0, 0, 0, 0],
      [4, 2, 3, 3],
      [2, 1, 1, 2],
    ] as const) {
      let v = 0;
      for (let p = 0; p < 6; p++) v += xs[b]![first + mm * 4 + p]![n]! * basis[n]![p]![k]!;
      expect(rs[b]![n]![mm]![k]).toBeCloseTo(v, 4);
    }
    r.dispose();
    // Non-overlapping patches (reshape path) end at the last step too: L = 23, P = S = 5, M = 4.
    const nb = new PatternForecaster({
      lookback: 23,
      horizon: 2,
      numSeries: 3,
      seed: 1,
      patchLength: 5,
      patchStride: 5,
      patterns: 'fixed',
    });
    const x23 = tf.randomNormal([2, 23, 3], 0, 1, 'float32', 4);
    const r23 = (
      await expectNoLeaks(() => nb.patternResponses(x23), { keepResult: true })
    ).arraySync() as number[][][][];
    const fb = patternBasis({ kind: 'fourier', patchLength: 5, numPatterns: 5 });
    const x23s = x23.arraySync() as number[][][];
    for (const [b, n, mm, k] of [
      [0, 0, 0, 0],
      [1, 2, 3, 4],
      [1, 1, 2, 1],
    ] as const) {
      let v = 0;
      for (let p = 0; p < 5; p++) v += x23s[b]![3 + mm * 5 + p]![n]! * fb[p * 5 + k]!;
      expect(r23[b]![n]![mm]![k]).toBeCloseTo(v, 4);
    }
    x23.dispose();
    nb.dispose();
    const c = (await expectNoLeaks(() => m.correlationMatrix(), { keepResult: true }))!;
    expect(c.shape).toEqual([3, 3]);
    expectAllClose(tf.sum(c, 1), [1, 1, 1], { atol: TOL.F32_REORDER });
    c.dispose();
    const fixed = new PatternForecaster({
      lookback: 20,
      horizon: 7,
      numSeries: 3,
      seed: 1,
      patterns: 'fixed',
      seriesCorrelation: false,
      subsequenceCorrelation: false,
    });
    expect(fixed.correlationMatrix()).toBeNull();
    const y2 = await expectNoLeaks(() => fixed.predict(x));
    expect(y2.shape).toEqual([5, 7, 3]);
    expect(fixed.diversityPenalty().dataSync()[0]).toBe(0);
    fixed.dispose();
    x.dispose();
    m.dispose();
  });

  it('diversity penalty is 0 for orthonormal bases and positive for repeated functions', () => {
    const m = new PatternForecaster({
      lookback: 8,
      horizon: 2,
      numSeries: 2,
      seed: 0,
      patchLength: 4,
      numPatterns: 3,
    });
    const base = patternBasis({ kind: 'fourier', patchLength: 4, numPatterns: 3 });
    const w = m.store.variable('patterns.basis');
    w.assign(tf.tensor3d([...base, ...base], [2, 4, 3]));
    expect(m.diversityPenalty().dataSync()[0]).toBeLessThan(1e-6);
    // Columns all equal: every off-diagonal cosine is 1, so the mean of their squares is 1.
    w.assign(tf.ones([2, 4, 3]));
    expect(m.diversityPenalty().dataSync()[0]).toBeCloseTo(1, 5);
    m.dispose();
  });

  it('analytic gradients match finite differences', () => {
    for (const instanceNorm of ['last', 'revin'] as const) {
      const m = new PatternForecaster({
        lookback: 8,
        horizon: 3,
        numSeries: 3,
        seed: 5,
        patchLength: 4,
        patchStride: 2,
        numPatterns: 3,
        attentionDim: 4,
        embeddingDim: 3,
        instanceNorm,
      });
      // Move the gate off 0 so the correlation-matrix embeddings get gradients.
      m.store.variable('series.gate').assign(tf.tensor1d([0.5, -0.3, 0.8]));
      const x = tf.randomNormal([2, 8, 3], 0, 1, 'float32', 2);
      const w = tf.randomNormal([2, 3, 3], 0, 1, 'float32', 3);
      const f = (xx: tf.Tensor) =>
        tf.add(tf.sum(tf.mul(m.predict(xx), w)), tf.mul(m.diversityPenalty(), 3)) as tf.Scalar;
      const r = gradientCheck(f, [x], {
        variables: m.store.trainableVariables(),
        maxElements: 12,
        rtol: TOL.FD_F32,
      });
      expect(r.passed, `${instanceNorm}: max rel error ${r.maxRelError}`).toBe(true);
      tf.dispose([x, w]);
      m.dispose();
    }
  });

  it('rejects bad options and inputs', () => {
    expect(
      () => new PatternForecaster({ lookback: 8, horizon: 2, numSeries: 2, seed: 0, patchLength: 9 }),
    ).toThrow(/options.patchLength/);
    expect(
      () =>
        new PatternForecaster({ lookback: 8, horizon: 2, numSeries: 2, seed: 0, patterns: 'x' as 'fixed' }),
    ).toThrow(LabInputError);
    const m = new PatternForecaster({ lookback: 8, horizon: 2, numSeries: 2, seed: 0, patchLength: 4 });
    expect(() => m.predict(tf.zeros([1, 8, 3]))).toThrow(/PatternForecaster.predict: argument 'x'/);
    m.dispose();
  });
});

/** Two noisy daily-seasonal series (period 24) with a slow drift. */
function seasonal(rows: number): CsvSeries {
  const values = new Float32Array(rows * 2);
  let s = 12345;
  const noise = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  for (let t = 0; t < rows; t++) {
    values[t * 2] = Math.sin((2 * Math.PI * t) / 24) + 0.002 * t + 0.1 * noise();
    values[t * 2 + 1] =
      Math.cos((2 * Math.PI * t) / 24) * 0.5 + Math.sin((2 * Math.PI * t) / 8) * 0.3 + 0.1 * noise();
  }
  return { dates: [], columns: ['a', 'b'], values, rows, cols: 2 };
}

describe('training', () => {
  it('a short seeded run beats Repeat on a seasonal series, deterministically; save/load round trip', async () => {
    const data = prepareForecastData(seasonal(900), { lookback: 48, horizon: 24, split: 'ratio' });
    const make = () =>
      new PatternForecaster({
        lookback: 48,
        horizon: 24,
        numSeries: 2,
        seed: 7,
        patchLength: 8,
        attentionDim: 8,
      });
    const m = make();
    const res = await expectNoLeaks(() => m.fit(data, { epochs: 4, batchSize: 32, lr: 3e-3, seed: 1 }));
    expect(res.epochsRun).toBeGreaterThan(0);
    expect(res.epochs).toBe(res.epochsRun);
    expect(res.loss).toHaveLength(res.epochsRun);
    const ours = m.evaluate(data);
    const repeat = new RepeatForecaster({ lookback: 48, horizon: 24, numSeries: 2 }).evaluate(data);
    // Repeat errs by a whole seasonal swing; the model should cut the error several-fold.
    expect(ours.mse).toBeLessThan(repeat.mse / 3);

    // Same seeds, same result.
    const m2 = make();
    await m2.fit(data, { epochs: 4, batchSize: 32, lr: 3e-3, seed: 1 });
    expect(m2.evaluate(data).mse).toBe(ours.mse);
    m2.dispose();

    const dir = await mkdtemp(join(tmpdir(), 'pf-model-'));
    await m.save(join(dir, 'model.json'), { note: 'test' });
    // Loading, evaluating and disposing leaves no tensor behind.
    await expectNoLeaks(async () => {
      const loaded = await loadForecaster(join(dir, 'model.json'));
      expect(loaded.name).toBe('PatternForecaster');
      expect(loaded.evaluate(data).mse).toBe(ours.mse);
      loaded.dispose();
    });
    m.dispose();

    const d = new DLinearForecaster({ lookback: 48, horizon: 24, numSeries: 2, seed: 0 });
    await d.fit(data, { epochs: 2 });
    await d.save(join(dir, 'dlinear.json'));
    const d2 = await loadForecaster(join(dir, 'dlinear.json'));
    expect(d2.evaluate(data).mse).toBe(d.evaluate(data).mse);
    d.dispose();
    d2.dispose();
  });

  it('fit rejects data of another shape', async () => {
    const data = prepareForecastData(seasonal(400), { lookback: 24, horizon: 12, split: 'ratio' });
    const m = new PatternForecaster({ lookback: 48, horizon: 12, numSeries: 2, seed: 0 });
    await expect(m.fit(data)).rejects.toThrow(/data.lookback/);
    m.dispose();
  });
});
