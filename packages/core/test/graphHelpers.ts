import Graph from 'graphology';
import type { LabeledGraph, NodeAttributes } from '../src/graph/LabeledGraph.js';

/** A small labelled graph from an edge list: node i has label labels[i] and 2 features [i, 1]. */
export function smallGraph(n: number, edges: Array<[number, number]>, labels?: number[]): LabeledGraph {
  const g: LabeledGraph = new Graph<NodeAttributes>({ type: 'undirected' });
  for (let i = 0; i < n; i++) {
    g.addNode(String(i), {
      features: new Float32Array([i, 1]),
      label: labels ? (labels[i] as number) : i % 2,
    });
  }
  for (const [a, b] of edges) g.addEdge(String(a), String(b));
  return g;
}
