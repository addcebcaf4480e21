import Graph from 'graphology';
import type { LabeledGraph, NodeAttributes } from '../src/graphTypes.js';

/** A small labelled graph from an edge list: node i has label labels[i] and 2 features. */
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

/** A canonical, sorted edge-key list of a graph, for comparisons. */
export function edgeKeys(g: LabeledGraph): string[] {
  return g.mapEdges((_e, _a, s, t) => (Number(s) < Number(t) ? `${s}-${t}` : `${t}-${s}`)).sort();
}
