import { createRng, initBackend, LabInputError, type LabeledGraph, type NodeAttributes } from '@lab/core';
import { expectNoLeaks } from '@lab/test-utils';
import Graph from 'graphology';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyEdgeFlips } from '../src/applyEdgeFlips.js';
import {
  degreeLikelihoodRatio,
  degreeStats,
  powerLawLogLikelihood,
  readAttackGraph,
  statsAfterFlip,
  trainLinearSurrogate,
} from '../src/denseSurrogate.js';
import { nettack, nettackTargets } from '../src/nettack.js';
import {
  classMargin,
  currentTargetLogits,
  refreshPropagation,
  type TargetState,
  targetLogitsAfterFlip,
} from '../src/nettack/targetLogits.js';
import { blockGraph, edgeKeys, smallGraph } from './helpers.js';

/** Dense `Â² (XW)` row u of a graph given by neighbour sets, from scratch (float64). */
function logitsFromScratch(neighbors: Set<number>[], xw: Float64Array, c: number, u: number): Float64Array {
  const n = neighbors.length;
  const aHat = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const di = (neighbors[i] as Set<number>).size + 1;
    aHat[i * n + i] = 1 / di;
    for (const j of neighbors[i] as Set<number>)
      aHat[i * n + j] = 1 / Math.sqrt(di * ((neighbors[j] as Set<number>).size + 1));
  }
  const row2 = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const a = aHat[u * n + k] as number;
    if (a === 0) continue;
    for (let j = 0; j < n; j++) row2[j] += a * (aHat[k * n + j] as number);
  }
  const out = new Float64Array(c);
  for (let j = 0; j < n; j++)
    for (let q = 0; q < c; q++) out[q] += (row2[j] as number) * (xw[j * c + q] as number);
  return out;
}

beforeAll(async () => {
  await initBackend();
});

describe('incremental target logits', () => {
  it('match recomputing Â² X W from scratch for every candidate flip', () => {
    const rng = createRng(21);
    const n = 14;
    const c = 3;
    const neighbors: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (rng.next() < 0.3) {
          (neighbors[i] as Set<number>).add(j);
          (neighbors[j] as Set<number>).add(i);
        }
      }
    }
    const xw = rng.fillNormal(new Float64Array(n * c));
    const state: TargetState = { n, c, neighbors, xw, m: new Float64Array(0) };
    refreshPropagation(state);
    // float64 sums of a few dozen O(1) terms in two different orders.
    const TOL_F64_REORDER = 1e-12;
    for (const u of [0, 3, 7]) {
      const now = currentTargetLogits(state, u);
      const ref = logitsFromScratch(neighbors, xw, c, u);
      for (let q = 0; q < c; q++)
        expect(Math.abs((now[q] as number) - (ref[q] as number))).toBeLessThan(TOL_F64_REORDER);
      for (let v = 0; v < n; v++) {
        if (v === u) continue;
        const fast = targetLogitsAfterFlip(state, u, v);
        const nb = neighbors.map((s) => new Set(s));
        if (nb[u]?.has(v)) {
          nb[u]?.delete(v);
          nb[v]?.delete(u);
        } else {
          nb[u]?.add(v);
          nb[v]?.add(u);
        }
        const slow = logitsFromScratch(nb, xw, c, u);
        for (let q = 0; q < c; q++) {
          expect(
            Math.abs((fast[q] as number) - (slow[q] as number)),
            `u ${u} v ${v} class ${q}`,
          ).toBeLessThan(TOL_F64_REORDER);
        }
      }
    }
  });
});

describe('degree likelihood-ratio test', () => {
  it('incremental statistics equal recomputation, and the ratio is 0 for equal sequences', () => {
    const rng = createRng(4);
    const degrees = Float64Array.from({ length: 50 }, () => 1 + rng.int(9));
    const s0 = degreeStats(degrees, 2);
    expect(Math.abs(degreeLikelihoodRatio(s0, s0, 2))).toBeLessThan(1e-9);
    const d2 = degrees.slice();
    d2[3] = (d2[3] as number) + 1;
    d2[10] = (d2[10] as number) + 1;
    const inc = statsAfterFlip(s0, degrees[3] as number, degrees[10] as number, 1, 2);
    const full = degreeStats(d2, 2);
    expect(inc.n).toBe(full.n);
    expect(Math.abs(inc.sumLog - full.sumLog)).toBeLessThan(1e-9);
    // The fitted power law maximises the likelihood: the ratio of different sequences is >= 0.
    expect(degreeLikelihoodRatio(s0, full, 2)).toBeGreaterThanOrEqual(-1e-9);
    expect(Number.isFinite(powerLawLogLikelihood(full, 2))).toBe(true);
  });
});

describe('nettack', () => {
  it('flips the surrogate prediction of an easy target, with flips incident to it', () => {
    const g = blockGraph(7, 2, 20, 0.25, 0.02, 6, 5, 0.4);
    const arrays = readAttackGraph('test', g);
    // nettack derives its surrogate seed as createRng(seed).nextSeed(); train the same surrogate.
    const surrogate = trainLinearSurrogate(arrays, { seed: createRng(1).nextSeed() });
    // An easy target: a correctly classified test node of low degree.
    const target = arrays.test
      .filter((i) => surrogate.predictions[i] === arrays.labels[i])
      .reduce((a, b) => (g.degree(arrays.nodes[b] as string) < g.degree(arrays.nodes[a] as string) ? b : a));
    const key = arrays.nodes[target] as string;
    const before = edgeKeys(g);
    const r = nettack(g, { target: key, seed: 1 });
    expect(edgeKeys(g)).toEqual(before);
    expect(r.budget).toBe(g.degree(key) + 2);
    expect(r.flips).toHaveLength(r.budget);
    expect(r.marginBefore).toBeGreaterThan(0);
    expect(r.marginAfter).toBeLessThan(0);
    // Margins reported must be the surrogate's on the perturbed graph, recomputed from scratch.
    const after = readAttackGraph('test', r.graph);
    const nb: Set<number>[] = Array.from({ length: after.numNodes }, () => new Set<number>());
    for (let e = 0; e < after.numEdges; e++) {
      nb[after.edges[2 * e] as number]?.add(after.edges[2 * e + 1] as number);
      nb[after.edges[2 * e + 1] as number]?.add(after.edges[2 * e] as number);
    }
    const c = arrays.numClasses;
    const xw = new Float64Array(arrays.numNodes * c);
    for (let i = 0; i < arrays.numNodes; i++)
      for (let k = 0; k < arrays.numFeatures; k++)
        for (let q = 0; q < c; q++)
          xw[i * c + q] +=
            (arrays.features[i * arrays.numFeatures + k] as number) * (surrogate.w[k * c + q] as number);
    const logits = logitsFromScratch(nb, xw, c, after.index.get(key) as number);
    expect(Math.abs(classMargin(logits, r.label) - r.marginAfter)).toBeLessThan(1e-4); // float32 weights, float64 sums
    const pairs = new Set<string>();
    for (const flip of r.flips) {
      expect(flip.source).toBe(key);
      expect(pairs.has(flip.target)).toBe(false);
      pairs.add(flip.target);
      expect(g.hasEdge(flip.source, flip.target)).toBe(flip.op === 'remove');
    }
    expect(edgeKeys(applyEdgeFlips(g, r.flips))).toEqual(edgeKeys(r.graph));
    r.graph.forEachNode((node) => expect(r.graph.degree(node)).toBeGreaterThan(0));
  });

  it('attacks several targets and is deterministic', () => {
    const g = blockGraph(8, 3, 10, 0.3, 0.03, 6, 3);
    const targets = ['20', '21', '25', '28'];
    // Without the degree test: on a 30-node graph its 0.004 cutoff allows almost no change.
    const a = nettackTargets(g, { targets, seed: 5, budget: 3, llConstraint: false });
    const b = nettackTargets(g, { targets, seed: 5, budget: 3, llConstraint: false });
    expect(a).toEqual(b);
    expect(a.outcomes).toHaveLength(4);
    for (const o of a.outcomes) {
      expect(o.flips).toHaveLength(3);
      expect(o.marginAfter).toBeLessThanOrEqual(o.marginBefore);
      expect(o.misclassified).toBe(o.marginAfter < 0);
    }
  });

  it('does not leak tensors', async () => {
    const g = blockGraph(8, 2, 8, 0.3, 0.05, 4, 2);
    await expectNoLeaks(() => nettack(g, { target: '10', seed: 3, budget: 2 }));
    await expectNoLeaks(() => nettackTargets(g, { targets: ['10', '11'], seed: 3, budget: 1 }));
  });

  it('reports bad input clearly', () => {
    const g = blockGraph(8, 2, 6, 0.3, 0.05, 3, 2);
    expect(() => nettack(g, { target: 'nope', seed: 1 })).toThrow(/nettack: argument 'options.target'/);
    expect(() => nettack(g, { target: '5', seed: 1, budget: 100 })).toThrow(/options.budget/);
    expect(() => nettack(g, { target: '5', seed: 1, directOnly: false })).toThrow(/influencer/);
    expect(() => nettack(g, { target: '5', seed: 1, features: true })).toThrow(LabInputError);
    expect(() => nettackTargets(g, { targets: [], seed: 1 })).toThrow(
      /nettackTargets: argument 'options.targets'/,
    );
    const directed = new Graph<NodeAttributes>({ type: 'directed' }) as unknown as LabeledGraph;
    expect(() => nettack(directed, { target: '0', seed: 1 })).toThrow(/undirected/);
    // Two nodes, one edge: removing it would leave both without edges, so no flip is possible.
    const pair = smallGraph(2, [[0, 1]], [0, 1]);
    pair.setNodeAttribute('0', 'split', 'train');
    pair.setNodeAttribute('1', 'split', 'train');
    expect(() => nettack(pair, { target: '1', seed: 1, budget: 1, llConstraint: false })).toThrow(
      /constraints allow/,
    );
  });
});
