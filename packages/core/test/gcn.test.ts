import { expectNoLeaks } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { LabInputError } from '../src/errors.js';
import { Gcn } from '../src/graph/Gcn.js';
import type { GraphArrays } from '../src/graph/graphArrays.js';
import { Sgc } from '../src/graph/Sgc.js';
import type { FitProgress } from '../src/nn/fit.js';
import { createRng } from '../src/random/createRng.js';

beforeAll(async () => {
  await initBackend();
});

/**
 * Two planted communities of `n / 2` nodes (dense inside, a few cross edges); each node has 3
 * binary features drawn mostly from its class's half of the vocabulary. Every 4th node trains,
 * the rest split between validation and test.
 */
function twoCommunities(seed: number, n = 40, numFeatures = 20): GraphArrays {
  const rng = createRng(seed);
  const labels = Int32Array.from({ length: n }, (_, i) => (i < n / 2 ? 0 : 1));
  const edges: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (rng.next() < (labels[i] === labels[j] ? 0.25 : 0.02)) edges.push(i, j);
  const features = new Float32Array(n * numFeatures);
  for (let i = 0; i < n; i++) {
    const half = numFeatures / 2;
    const own = labels[i] === 0 ? 0 : half;
    let picked = 0;
    while (picked < 3) {
      const j = rng.next() < 0.8 ? own + rng.int(half) : rng.int(numFeatures);
      if (features[i * numFeatures + j] === 0) {
        features[i * numFeatures + j] = 1;
        picked++;
      }
    }
  }
  const idx = (pred: (i: number) => boolean) => Int32Array.from([...Array(n).keys()].filter(pred));
  const nodes = Array.from({ length: n }, (_, i) => `n${i}`);
  return {
    nodes,
    index: new Map(nodes.map((k, i) => [k, i])),
    numNodes: n,
    numFeatures,
    features,
    labels,
    numClasses: 2,
    edges: Int32Array.from(edges),
    numEdges: edges.length / 2,
    train: idx((i) => i % 4 === 0),
    val: idx((i) => i % 4 === 1),
    test: idx((i) => i % 4 >= 2),
  };
}

describe('Gcn', () => {
  it('trains: the loss decreases, the classes are learned, runs are deterministic per seed, no leaks', async () => {
    const data = twoCommunities(7);
    const featuresBefore = data.features.slice();
    const run = async (seed: number) => {
      const gcn = new Gcn({ numFeatures: 20, numClasses: 2, seed });
      const r = await gcn.fit(data, { epochs: 60, lr: 0.05, seed, validation: true });
      return { gcn, r };
    };
    const a = await expectNoLeaks(async () => {
      const { gcn, r } = await run(3);
      gcn.dispose();
      return r;
    });
    const { gcn: bModel, r: b } = await run(3);
    const { gcn: cModel, r: c } = await run(4);
    expect(a.loss).toHaveLength(60);
    expect(a.epochsRun).toBe(60);
    expect(a.stopReason).toBe('completed');
    expect(a.loss[0]).toBeCloseTo(Math.log(2), 0); // near-uniform predictions at start
    expect(a.loss.at(-1)).toBeLessThan(0.5 * (a.loss[0] as number));
    expect(a.valLoss.at(-1)).toBeLessThan(a.valLoss[0] as number);
    expect(a.metrics.valAccuracy).toHaveLength(60);
    expect(a.testAccuracy).toBeGreaterThanOrEqual(0.8);
    expect(b.loss).toEqual(a.loss);
    expect(b.testAccuracy).toBe(a.testAccuracy);
    expect(c.loss).not.toEqual(a.loss);
    // Evaluation on the fitted graph equals evaluation on the same graph passed explicitly.
    expect(bModel.accuracy()).toBe(b.testAccuracy);
    expect(Array.from(bModel.predict(data))).toEqual(Array.from(bModel.predict()));
    const p = bModel.probabilities();
    expect(p[0]! + p[1]!).toBeCloseTo(1, 5);
    expect(bModel.numParameters()).toBe(20 * 16 + 16 + 16 * 2 + 2);
    expect(data.features).toEqual(featuresBefore); // caller's data untouched
    bModel.dispose();
    cModel.dispose();
    expect(() => bModel.predict()).toThrow(/disposed/);
  });

  it('reports progress every epoch and stops when onProgress returns false', async () => {
    const data = twoCommunities(2);
    const gcn = new Gcn({ numFeatures: 20, numClasses: 2 });
    const seen: FitProgress[] = [];
    const r = await gcn.fit(data, {
      epochs: 50,
      onProgress: (p) => {
        seen.push(p);
        return p.epoch < 4 ? undefined : false;
      },
    });
    expect(seen.map((p) => p.epoch)).toEqual([0, 1, 2, 3, 4]);
    expect(seen[0]?.phase).toBe('epoch');
    expect(seen[0]?.valLoss).toBeNaN(); // no validation asked
    expect(r.stopReason).toBe('callback');
    expect(r.loss).toEqual(seen.map((p) => p.loss));
    gcn.dispose();
  });

  it('rejects bad options and mismatched graphs with LabInputError', async () => {
    const data = twoCommunities(1);
    expect(() => new Gcn({ numFeatures: 0, numClasses: 2 })).toThrow(/Gcn: argument 'options.numFeatures'/);
    expect(() => new Gcn({ numFeatures: 20, numClasses: 2, dropout: 1 })).toThrow(/options.dropout/);
    expect(() => new Gcn({ numFeatures: 20, numClasses: 2, seed: 1, rng: createRng(1) })).toThrow(
      LabInputError,
    );
    expect(() => new Gcn(null as never)).toThrow(LabInputError);
    const gcn = new Gcn({ numFeatures: 20, numClasses: 2 });
    expect(() => gcn.predict()).toThrow(/must be fitted first/);
    await expect(gcn.fit(data, { epochs: -1 })).rejects.toThrow(/options.epochs/);
    await expect(gcn.fit(data, { lr: 0 })).rejects.toThrow(/options.lr/);
    await expect(gcn.fit(data, { bogus: 1 } as never)).rejects.toThrow(/options/);
    await expect(gcn.fit({ ...data, train: new Int32Array(0) })).rejects.toThrow(/training nodes/);
    const wide = new Gcn({ numFeatures: 21, numClasses: 2 });
    await expect(wide.fit(data)).rejects.toThrow(/21 features per node/);
    wide.dispose();
    gcn.dispose();
  });
});

describe('Sgc', () => {
  it('K = 0 is a softmax regression on the raw (row-normalised) features; K = 2 uses the graph', async () => {
    const data = twoCommunities(5, 60);
    const flat = new Sgc({ numFeatures: 20, numClasses: 2, k: 0, seed: 1 });
    const r0 = await flat.fit(data, { epochs: 100 });
    // K = 0: the logits are X_norm W + b exactly (closed form of the forward pass).
    const z = tf.tidy(() => flat.logits().arraySync());
    const w = flat.params.W.arraySync() as number[][];
    const bias = flat.params.b.arraySync() as number[];
    for (const i of [0, 17, 59]) {
      const row = Array.from(data.features.subarray(i * 20, (i + 1) * 20));
      const s = row.reduce((x, y) => x + y, 0);
      for (let c = 0; c < 2; c++) {
        let expected = bias[c] as number;
        for (let j = 0; j < 20; j++) expected += ((row[j] as number) / s) * (w[j]![c] as number);
        expect(z[i]![c]).toBeCloseTo(expected, 5);
      }
    }
    const sgc = new Sgc({ numFeatures: 20, numClasses: 2, seed: 1 });
    const r2 = await expectNoLeaks(() => sgc.fit(data));
    expect(r2.loss).toHaveLength(100);
    expect(r2.loss.at(-1)).toBeLessThan(r2.loss[0] as number);
    expect(r2.testAccuracy).toBeGreaterThanOrEqual(r0.testAccuracy);
    expect(sgc.accuracy(data)).toBe(r2.testAccuracy);
    expect(() => new Sgc({ numFeatures: 20, numClasses: 2, k: 11 })).toThrow(/Sgc: argument 'options.k'/);
    flat.dispose();
    sgc.dispose();
  });
});
