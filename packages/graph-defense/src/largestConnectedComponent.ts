import { LabInputError } from '@lab/core';
import Graph from 'graphology';
import { largestConnectedComponent as lccNodes } from 'graphology-components';
import type { LabeledGraph, NodeAttributes } from './graphTypes.js';

/**
 * The largest connected component of an undirected graph, as a new graph: nodes keep their keys,
 * attributes and relative order; graph attributes are copied. The input is not modified.
 * Ties between equally large components go to the one found first (graphology-components).
 *
 * @param graph - an undirected graph.
 * @returns a new graph holding only the largest component.
 * @throws LabInputError when `graph` is not an undirected graphology graph.
 * @see Zügner, Akbarnejad & Günnemann, "Adversarial Attacks on Neural Networks for Graph Data",
 *   KDD 2018 (attacks are evaluated on the largest connected component).
 */
export function largestConnectedComponent(graph: LabeledGraph): LabeledGraph {
  const fn = 'largestConnectedComponent';
  if (
    graph === null ||
    typeof graph !== 'object' ||
    typeof (graph as { forEachNode?: unknown }).forEachNode !== 'function'
  ) {
    throw new LabInputError(fn, 'graph', 'must be a graphology graph', graph);
  }
  if (graph.type !== 'undirected')
    throw new LabInputError(fn, 'graph', "must be undirected (type 'undirected')", graph.type);
  const keep = new Set(lccNodes(graph));
  const out: LabeledGraph = new Graph<NodeAttributes>({
    type: 'undirected',
    multi: false,
    allowSelfLoops: graph.allowSelfLoops,
  });
  out.replaceAttributes({ ...graph.getAttributes() });
  graph.forEachNode((node, attrs) => {
    if (keep.has(node)) out.addNode(node, { ...attrs });
  });
  graph.forEachEdge((_e, _a, s, t) => {
    if (keep.has(s)) out.addEdge(s, t);
  });
  return out;
}
