import { initBackend, resolveDataDir, loadGraphFolder } from '@lab/core';
import { expectNoLeaks } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextualSbm } from '../src/contextualSbm.js';
import { pgdAttack, projectOntoBudget } from '../src/pgdAttack.js';
import { randomAttack } from '../src/randomAttack.js';
import { edgeKeys, expectValidAttack, trainGcn } from './helpers.js';

beforeAll(async () => {
  await initBackend();
});

/** Exact projection onto {0 <= x <= 1, sum x <= B}: clamp(v - mu) with mu from the sorted breakpoints. */
function exactProjection(v: number[], budget: number): number[] {
  const sum = (mu: number) => v.reduce((s, x) => s + Math.min(1, Math.max(0, x - mu)), 0);
  if (sum(0) <= budget) return v.map((x) => Math.min(1, Math.max(0, x)));
  // sum(mu) is piecewise linear, decreasing; find the root between consecutive breakpoints.
  const bps = [...new Set(v.flatMap((x) => [x, x - 1]))].sort((a, b) => a - b);
  for (let k = 0; k + 1 < bps.length; k++) {
    const a = bps[k] as number;
    const b = bps[k + 1] as number;
    const fa = sum(a) - budget;
    const fb = sum(b) - budget;
    if (fa >= 0 && fb <= 0) {
      const mu = fa === fb ? a : a + ((b - a) * fa) / (fa - fb);
      return v.map((x) => Math.min(1, Math.max(0, x - mu)));
    }
  }
  throw new Error('no root');
}

// Bisection stops at bracket width 1e-5; each of the (<= 8) active entries moves by at most that.
const PROJ_TOL = 1e-4;

describe('projectOntoBudget', () => {
  it('matches the exact projection and a brute-force grid search', async () => {
    let state = 12345;
    const rand = () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    };
    for (let trial = 0; trial < 200; trial++) {
      const len = 1 + (trial % 8);
      const v = Array.from({ length: len }, () => rand() * 4 - 1.5);
      const budget = rand() * len * 0.8;
      const p = projectOntoBudget(Float32Array.from(v), budget);
      const exact = exactProjection(Array.from(Float32Array.from(v)), budget);
      let sum = 0;
      for (let k = 0; k < len; k++) {
        expect(p[k]).toBeGreaterThanOrEqual(0);
        expect(p[k]).toBeLessThanOrEqual(1);
        expect(Math.abs((p[k] as number) - (exact[k] as number))).toBeLessThan(PROJ_TOL);
        sum += p[k] as number;
      }
      expect(sum).toBeLessThanOrEqual(budget + 1e-5);
    }
    // Brute force in 3-D: no feasible grid point is closer to v than the projection.
    const v = [0.9, 0.7, -0.2];
    const budget = 1;
    const p = projectOntoBudget(Float32Array.from(v), budget);
    const d = (x: number[]) => x.reduce((s, xi, k) => s + (xi - (v[k] as number)) ** 2, 0);
    const dp = d(Array.from(p));
    let best = Number.POSITIVE_INFINITY;
    const step = 0.01;
    for (let a = 0; a <= 1 + 1e-9; a += step)
      for (let b = 0; a + b <= budget + 1e-9; b += step)
        for (let c = 0; a + b + c <= budget + 1e-9 && c <= 1; c += step) best = Math.min(best, d([a, b, c]));
    // The grid holds the optimum (0.6, 0.4, 0); the projection is within PROJ_TOL of it.
    expect(dp).toBeLessThanOrEqual(best + 4 * PROJ_TOL);
    // Closed form here: mu = 0.3, p = (0.6, 0.4, 0).
    expect(Array.from(p).map((x) => Number(x.toFixed(4)))).toEqual([0.6, 0.4, 0]);
    expect(() => projectOntoBudget([1] as unknown as Float32Array, 1)).toThrow(
      /projectOntoBudget: argument 'values'/,
    );
  });
});

describe('pgdAttack', () => {
  const g = contextualSbm({
    nodes: 150,
    classes: 3,
    avgDegree: 6,
    homophily: 0.85,
    featureDim: 16,
    featureSignal: 1.5,
    seed: 1,
  });

  it('lowers a GCN accuracy more than random insertions at equal budget (evasion)', async () => {
    const { model, testAccuracy } = await trainGcn(g, { seed: 1 });
    const before = edgeKeys(g);
    let pgdDrop = 0;
    let randomDrop = 0;
    for (const seed of [1, 2]) {
      const p = await expectNoLeaks(() => pgdAttack(g, { rate: 0.1, seed, model, epochs: 60 }));
      expectValidAttack(g, before, p);
      expect(p.flips.length).toBeLessThanOrEqual(p.budget);
      expect(p.flips.length).toBeGreaterThan(p.budget * 0.8);
      expect(p.loss).toBeGreaterThan(p.cleanLoss);
      expect(p.history.length).toBe(60);
      expect(p.history.every((h) => h.relaxedSum <= p.budget + 1e-3)).toBe(true);
      pgdDrop += testAccuracy - model.accuracy(p.graph);
      const r = randomAttack(g, { budget: p.flips.length, seed });
      randomDrop += testAccuracy - model.accuracy(r.graph);
    }
    // Measured on this graph: PGD drops ~0.08-0.1 per attack, random ~0.02; require a clear gap.
    expect(pgdDrop / 2).toBeGreaterThan(randomDrop / 2 + 0.03);
    model.dispose();
  });

  it('is deterministic, supports the CW loss and training-node targets, and trains its own victim', async () => {
    const { model } = await trainGcn(g, { seed: 2, epochs: 100 });
    const a = await pgdAttack(g, { budget: 20, seed: 3, model, epochs: 15, loss: 'cw' });
    const b = await pgdAttack(g, { budget: 20, seed: 3, model, epochs: 15, loss: 'cw' });
    expect(a.flips).toEqual(b.flips);
    expect(a.flips.length).toBeLessThanOrEqual(20);
    const t = await pgdAttack(g, { budget: 20, seed: 3, model, epochs: 15, targets: 'train' });
    expectValidAttack(g, edgeKeys(g), t);
    model.dispose();
    const before = tf.memory().numTensors;
    const own = await pgdAttack(g, { budget: 10, seed: 4, epochs: 5, gcn: { epochs: 30 } });
    expect(own.flips.length).toBeLessThanOrEqual(10);
    expect(tf.memory().numTensors).toBe(before);
    const zero = await pgdAttack(g, { budget: 0, seed: 4, epochs: 3, gcn: { epochs: 5 } });
    expect(zero.flips).toEqual([]);
  });

  it('rejects bad options and a victim trained on other nodes', async () => {
    await expect(pgdAttack(g, { seed: 1, loss: 'mse' as 'ce' })).rejects.toThrow(
      /pgdAttack: argument 'options.loss'/,
    );
    await expect(pgdAttack(g, { seed: 1, budget: 1e9 })).rejects.toThrow(/at most 11175 flips/);
    const other = contextualSbm({
      nodes: 40,
      classes: 3,
      avgDegree: 4,
      homophily: 0.8,
      featureDim: 16,
      featureSignal: 1,
      seed: 9,
    });
    const { model } = await trainGcn(other, { seed: 1, epochs: 2 });
    await expect(pgdAttack(g, { seed: 1, model })).rejects.toThrow(/pgdAttack: argument 'graph'/);
    model.dispose();
  });
});

describe.runIf(process.env.LAB_LONG_TESTS)('pgdAttack on Cora (long)', () => {
  it('drops the GCN accuracy on the Cora LCC at 5% clearly more than random insertions', async () => {
    const cora = await loadGraphFolder(resolveDataDir('graphs', 'cora'), { largestComponent: true });
    const { model, testAccuracy } = await trainGcn(cora, { seed: 1 });
    const p = await pgdAttack(cora, { rate: 0.05, seed: 1, model, epochs: 100 });
    expectValidAttack(cora, edgeKeys(cora), p);
    const r = randomAttack(cora, { rate: 0.05, seed: 1 });
    const pgdDrop = testAccuracy - model.accuracy(p.graph);
    const randomDrop = testAccuracy - model.accuracy(r.graph);
    // Measured with 200 steps: PGD ~0.05 (bench/run.ts), random ~0.01.
    expect(pgdDrop).toBeGreaterThan(randomDrop + 0.02);
    model.dispose();
  }, 600_000);
});
