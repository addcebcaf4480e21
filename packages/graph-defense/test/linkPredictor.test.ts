import { createRng, initBackend, LabInputError, rocAuc, SparseMatrix, graphArrays } from '@lab/core';
import { expectNoLeaks } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextualSbm } from '../src/contextualSbm.js';
import { featureMatrix, trainLinkPredictor } from '../src/linkPredictor.js';

beforeAll(async () => {
  await initBackend();
});

describe('trainLinkPredictor', () => {
  const g = contextualSbm({ nodes: 360, classes: 6, avgDegree: 6, homophily: 0.95, featureDim: 16, featureSignal: 4, seed: 5 });
  const a = graphArrays(g);

  // With 6 classes and homophily 0.95 a predictor that only knows classes reaches ~0.90 (a random
  // non-edge crosses classes with probability 5/6, a held-out edge with probability 0.05).
  it('scores held-out edges of a CSBM far above random non-edges (AUC > 0.8)', async () => {
    const rng = createRng(1);
    const perm = rng.permutation(a.numEdges);
    const nTest = Math.floor(a.numEdges * 0.2);
    const train: number[] = [];
    const test: number[] = [];
    perm.forEach((e, q) => {
      (q < nTest ? test : train).push(a.edges[2 * e], a.edges[2 * e + 1]);
    });
    const existing = new Set<number>();
    for (let e = 0; e < a.numEdges; e++) existing.add(a.edges[2 * e] * a.numNodes + a.edges[2 * e + 1]);
    const neg: number[] = [];
    while (neg.length < test.length) {
      const u = rng.int(a.numNodes);
      const v = rng.int(a.numNodes);
      if (u < v && !existing.has(u * a.numNodes + v)) neg.push(u, v);
    }
    const model = await expectNoLeaks(() =>
      trainLinkPredictor({ numNodes: a.numNodes, features: a.features, numFeatures: a.numFeatures, edges: Int32Array.from(train) }, { seed: 3, epochs: 150 }),
    );
    expect(model.lossHistory[model.lossHistory.length - 1]).toBeLessThan(model.lossHistory[0]);
    const z = await expectNoLeaks(() => model.embed());
    const pos = model.logits(z, Int32Array.from(test));
    const nl = model.logits(z, Int32Array.from(neg));
    const auc = rocAuc([...pos, ...nl], [...pos.map(() => 1), ...nl.map(() => 0)]);
    expect(auc).toBeGreaterThan(0.8);
  });

  it('is deterministic for a seed; the bilinear decoder learns too', () => {
    const input = { numNodes: a.numNodes, features: featureMatrix(a.features, a.numNodes, a.numFeatures), edges: a.edges };
    const m1 = trainLinkPredictor(input, { seed: 9, epochs: 20 });
    const m2 = trainLinkPredictor(input, { seed: 9, epochs: 20 });
    expect(m1.lossHistory).toEqual(m2.lossHistory);
    const bil = trainLinkPredictor(input, { seed: 9, epochs: 40, decoder: 'bilinear' });
    expect(bil.finalLoss).toBeLessThan(bil.lossHistory[0]);
    const z = bil.embed();
    const l = bil.logits(z, Int32Array.from([0, 1, 1, 0]));
    // The symmetrised bilinear form scores (u, v) and (v, u) alike (float64 sums of float32 terms).
    expect(Math.abs(l[0] - l[1])).toBeLessThan(1e-9);
  });

  it('rejects missing features, bad pairs and bad options', () => {
    const base = { numNodes: 3, features: new Float32Array(6), numFeatures: 2, edges: Int32Array.from([0, 1]) };
    expect(() => trainLinkPredictor({ ...base, features: undefined as unknown as Float32Array }, { seed: 1 })).toThrow(/features are required/);
    expect(() => trainLinkPredictor({ ...base, edges: Int32Array.from([0, 3]) }, { seed: 1 })).toThrow(/input.edges\[1\]/);
    expect(() => trainLinkPredictor(base, { seed: 1, decoder: 'mlp' as 'bilinear' })).toThrow(LabInputError);
    expect(() => trainLinkPredictor({ ...base, features: SparseMatrix.identity(4) }, { seed: 1 })).toThrow(/3 rows/);
    expect(() => trainLinkPredictor(base, { seed: 1, epochs: 0 })).toThrow(/options.epochs/);
  });
});
