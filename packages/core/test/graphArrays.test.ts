import Graph from 'graphology';
import { describe, expect, it } from 'vitest';
import { graphArrays } from '../src/graph/graphArrays.js';
import type { LabeledGraph, NodeAttributes } from '../src/graph/LabeledGraph.js';
import { smallGraph } from './graphHelpers.js';

describe('graphArrays', () => {
  it('gives node order, sorted i<j edges, features, labels and splits', () => {
    const g = smallGraph(4, [
      [3, 1],
      [2, 0],
      [0, 1],
    ]);
    g.setNodeAttribute('1', 'split', 'train');
    g.setNodeAttribute('3', 'split', 'test');
    g.setNodeAttribute('2', 'split', 'val');
    g.setNodeAttribute('0', 'label', -1);
    const a = graphArrays(g);
    expect(a.nodes).toEqual(['0', '1', '2', '3']);
    expect(a.index.get('2')).toBe(2);
    expect(Array.from(a.edges)).toEqual([0, 1, 0, 2, 1, 3]);
    expect(a.numEdges).toBe(3);
    expect(a.numFeatures).toBe(2);
    expect(Array.from(a.features)).toEqual([0, 1, 1, 1, 2, 1, 3, 1]);
    expect(Array.from(a.labels)).toEqual([-1, 1, 0, 1]);
    expect(a.numClasses).toBe(2);
    expect([Array.from(a.train), Array.from(a.val), Array.from(a.test)]).toEqual([[1], [2], [3]]);
  });

  it('follows graph.nodes() order, not key order', () => {
    const g: LabeledGraph = new Graph<NodeAttributes>({ type: 'undirected' });
    for (const k of ['b', 'a', 'c']) g.addNode(k, { features: [1], label: 0 });
    g.addEdge('c', 'b');
    g.addEdge('a', 'c');
    const a = graphArrays(g);
    expect(a.nodes).toEqual(['b', 'a', 'c']);
    expect(Array.from(a.edges)).toEqual([0, 2, 1, 2]);
  });

  it('rejects directed graphs, self loops, missing, ragged or non-finite features, bad labels', () => {
    const d = new Graph<NodeAttributes>({ type: 'directed' });
    d.addNode('a', { features: [1], label: 0 });
    expect(() => graphArrays(d as unknown as LabeledGraph)).toThrow(
      /graphArrays: argument 'graph' must be an undirected/,
    );
    const mixed = new Graph<NodeAttributes>();
    mixed.addNode('a', { features: [1], label: 0 });
    expect(() => graphArrays(mixed as LabeledGraph)).toThrow(/undirected/);
    const loop: LabeledGraph = new Graph<NodeAttributes>({ type: 'undirected', allowSelfLoops: true });
    loop.addNode('a', { features: [1], label: 0 });
    loop.addEdge('a', 'a');
    expect(() => graphArrays(loop)).toThrow(/self loops/);
    const missing = smallGraph(2, [[0, 1]]);
    missing.removeNodeAttribute('1', 'features');
    expect(() => graphArrays(missing)).toThrow(/node '1' attribute 'features'/);
    const ragged = smallGraph(2, [[0, 1]]);
    ragged.setNodeAttribute('1', 'features', [1, 2, 3]);
    expect(() => graphArrays(ragged)).toThrow(/ragged/);
    const nan = smallGraph(2, [[0, 1]]);
    nan.setNodeAttribute('0', 'features', [Number.NaN, 1]);
    expect(() => graphArrays(nan)).toThrow(/finite/);
    const bad = smallGraph(2, [[0, 1]]);
    bad.setNodeAttribute('0', 'label', 0.5);
    expect(() => graphArrays(bad)).toThrow(/attribute 'label'/);
    expect(() => graphArrays({} as LabeledGraph)).toThrow(/graphology graph/);
  });
});
