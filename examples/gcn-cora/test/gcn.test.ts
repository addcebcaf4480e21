import { existsSync } from 'node:fs';
import { createRng, findDataDir, initBackend, loadGraphFolder } from '@lab/core';
import { expectNoLeaks } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { type GcnGraph, KIPF_SETTINGS, lossAndAccuracy, prepareGcnData, trainGcn } from '../src/gcn.js';

beforeAll(async () => {
  await initBackend();
});

/**
 * Two planted communities of `n / 2` nodes (dense inside, a few cross edges); each node has 3
 * sparse features drawn mostly from its class's half of the vocabulary. Every 4th node is a
 * training node, the rest split between validation and test.
 */
function syntheticGraph(seed: number, n = 40, numFeatures = 20): GcnGraph {
  const rng = createRng(seed);
  const labels = Int32Array.from({ length: n }, (_, i) => (i < n / 2 ? 0 : 1));
  const src: number[] = [];
  const dst: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const p = labels[i] === labels[j] ? 0.25 : 0.02;
      if (rng.next() < p) {
        src.push(i);
        dst.push(j);
      }
    }
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  for (let i = 0; i < n; i++) {
    const half = numFeatures / 2;
    const own = labels[i] === 0 ? 0 : half;
    const picks = new Set<number>();
    while (picks.size < 3) picks.add(rng.next() < 0.8 ? own + rng.int(half) : rng.int(numFeatures));
    indices.push(...[...picks].sort((a, b) => a - b));
    indptr[i + 1] = indices.length;
  }
  const idx = (pred: (i: number) => boolean) => Int32Array.from([...Array(n).keys()].filter(pred));
  return {
    numNodes: n,
    numFeatures,
    numClasses: 2,
    edgeSource: Int32Array.from(src),
    edgeTarget: Int32Array.from(dst),
    featureIndptr: indptr,
    featureIndices: Int32Array.from(indices),
    featureValues: new Float32Array(indices.length).fill(1),
    labels,
    trainIndex: idx((i) => i % 4 === 0),
    valIndex: idx((i) => i % 4 === 1),
    testIndex: idx((i) => i % 4 >= 2),
  };
}

describe('gcn-cora training code', () => {
  it('prepareGcnData row-normalises X and normalises A + I symmetrically', () => {
    const data = prepareGcnData(syntheticGraph(1));
    for (const s of data.features.rowSums()) expect(s).toBeCloseTo(1, 6);
    expect(data.adjacency.isSymmetric()).toBe(true);
    // diagonal of D^-1/2 (A + I) D^-1/2 is 1 / deg(i) with deg counting the self loop
    const deg = data.adjacency.rowSums();
    expect(deg.length).toBe(40);
    const rows = data.adjacency.rowIndices();
    for (let p = 0; p < data.adjacency.nnz; p++) {
      if (rows[p] === data.adjacency.indices[p]) {
        const i = rows[p] as number;
        const d = data.adjacency.indptr[i + 1]! - data.adjacency.indptr[i]!; // unweighted: stored entries = degree + 1
        expect(data.adjacency.values[p]).toBeCloseTo(1 / d, 6);
      }
    }
  });

  it('lossAndAccuracy matches a hand computation', () => {
    const logProbs = Float32Array.from([Math.log(0.7), Math.log(0.3), Math.log(0.2), Math.log(0.8)]);
    const r = lossAndAccuracy(logProbs, 2, Int32Array.from([0, 0]), Int32Array.from([0, 1]));
    expect(r.accuracy).toBe(0.5);
    expect(r.loss).toBeCloseTo(-(Math.log(0.7) + Math.log(0.2)) / 2, 6);
  });

  it('trains: the loss decreases, the classes are learned, runs are deterministic per seed, no leaks', async () => {
    const data = prepareGcnData(syntheticGraph(7));
    const settings = { ...KIPF_SETTINGS, epochs: 60, lr: 0.05, seed: 3 };
    const a = await expectNoLeaks(() => trainGcn(data, settings));
    const b = trainGcn(data, settings);
    const c = trainGcn(data, { ...settings, seed: 4 });
    const first = a.history[0]!.trainLoss;
    const last = a.history.at(-1)!.trainLoss;
    expect(first).toBeCloseTo(Math.log(2), 0); // near-uniform predictions at start
    expect(last).toBeLessThan(0.5 * first);
    expect(a.history.at(-1)!.valLoss).toBeLessThan(a.history[0]!.valLoss);
    expect(a.testAccuracy).toBeGreaterThanOrEqual(0.8);
    expect(b.history.map((h) => h.trainLoss)).toEqual(a.history.map((h) => h.trainLoss));
    expect(b.testAccuracy).toBe(a.testAccuracy);
    expect(c.history.map((h) => h.trainLoss)).not.toEqual(a.history.map((h) => h.trainLoss));
  });

  const coraDir = (() => {
    try {
      return `${findDataDir()}/graphs/cora`;
    } catch {
      return '';
    }
  })();
  it.runIf(coraDir !== '' && existsSync(coraDir))(
    'Cora smoke: 20 epochs reduce the loss and beat chance',
    async () => {
      const data = prepareGcnData(await loadGraphFolder(coraDir));
      expect(data.features.nnz).toBe(49216);
      const r = trainGcn(data, { ...KIPF_SETTINGS, epochs: 20, seed: 1 });
      expect(r.history.at(-1)!.trainLoss).toBeLessThan(r.history[0]!.trainLoss);
      expect(r.testAccuracy).toBeGreaterThan(0.5); // 7 classes: chance ~0.3 (majority class)
    },
  );
});
