import {
  createRng,
  initBackend,
  LabInputError,
  graphArrays,
  type LabeledGraph,
  type NodeAttributes,
} from '@lab/core';
import { expectNoLeaks } from '@lab/test-utils';
import Graph from 'graphology';
import { beforeAll, describe, expect, it } from 'vitest';
import { baselineEdgeScores, degreeScores, featureJaccardScores } from '../src/baselines.js';
import { contextualSbm } from '../src/contextualSbm.js';

beforeAll(async () => {
  await initBackend();
});

function tiny(): LabeledGraph {
  const g: LabeledGraph = new Graph<NodeAttributes>({ type: 'undirected' });
  g.addNode('a', { features: [1, 1, 0, 0], label: 0 });
  g.addNode('b', { features: [1, 0, 1, 0], label: 0 });
  g.addNode('c', { features: [0, 0, 0, 1], label: 1 });
  g.addNode('d', { features: [0, 0, 0, 0], label: 1 });
  g.addEdge('a', 'b');
  g.addEdge('a', 'c');
  g.addEdge('c', 'd');
  g.addEdge('b', 'c');
  return g;
}

describe('baselines', () => {
  it('feature Jaccard matches a hand computation', async () => {
    const a = graphArrays(tiny());
    const s = featureJaccardScores(a);
    const byKey = new Map<string, number>();
    for (let e = 0; e < a.numEdges; e++)
      byKey.set(`${a.nodes[a.edges[2 * e]]}${a.nodes[a.edges[2 * e + 1]]}`, s[e]);
    // a = {0, 1}, b = {0, 2}: J = 1/3; a, c disjoint: J = 0; c = {3}, d = {}: J = 0; b, c: 0.
    expect(byKey.get('ab')).toBeCloseTo(1 - 1 / 3, 12);
    expect(byKey.get('ac')).toBe(1);
    expect(byKey.get('cd')).toBe(1);
    expect(byKey.get('bc')).toBe(1);
  });

  it('degree scores 1/deg(u) + 1/deg(v)', async () => {
    const a = graphArrays(tiny());
    const s = degreeScores(a);
    // Degrees: a 2, b 2, c 3, d 1.
    const deg: Record<string, number> = { a: 2, b: 2, c: 3, d: 1 };
    for (let e = 0; e < a.numEdges; e++) {
      expect(s[e]).toBeCloseTo(1 / deg[a.nodes[a.edges[2 * e]]] + 1 / deg[a.nodes[a.edges[2 * e + 1]]], 12);
    }
  });

  it('the learned baselines run without leaks and return one finite score per edge', async () => {
    const g = contextualSbm({
      nodes: 120,
      classes: 3,
      avgDegree: 5,
      homophily: 0.9,
      featureDim: 8,
      featureSignal: 3,
      seed: 3,
    });
    for (const method of ['gaeWholeGraph', 'neighbourhoodLabelOutlier'] as const) {
      const res = await expectNoLeaks(() =>
        baselineEdgeScores(g, { method: method, seed: 1, linkPredictor: { epochs: 20 } }),
      );
      expect(res.scores).toHaveLength(g.size);
      expect(res.edges).toHaveLength(g.size);
      expect(Array.from(res.scores).every(Number.isFinite)).toBe(true);
    }
  });

  it('rejects an unknown method and a directed graph', async () => {
    await expect(baselineEdgeScores(tiny(), { method: 'svd' as 'degree', seed: 1 })).rejects.toThrow(
      LabInputError,
    );
    await expect(
      baselineEdgeScores(new Graph({ type: 'directed' }) as unknown as LabeledGraph, {
        method: 'degree',
        seed: 1,
      }),
    ).rejects.toThrow(/undirected/);
  });
});

describe('baselineEdgeScores options', () => {
  it('reads one options object: method required, seed or rng, unknown keys rejected', async () => {
    await expect(baselineEdgeScores(tiny(), null as unknown as { method: 'degree' })).rejects.toThrow(
      LabInputError,
    );
    await expect(baselineEdgeScores(tiny(), {} as { method: 'degree' })).rejects.toThrow(/options\.method/);
    await expect(
      baselineEdgeScores(tiny(), { method: 'degree', sede: 1 } as { method: 'degree' }),
    ).rejects.toThrow(/sede/);
    await expect(
      baselineEdgeScores(tiny(), { method: 'degree', seed: 1, rng: createRng(1) }),
    ).rejects.toThrow(/at most one/);
    const byDefault = await baselineEdgeScores(tiny(), { method: 'degree' });
    expect(byDefault.scores.length).toBe(byDefault.edges.length);
  });
});
