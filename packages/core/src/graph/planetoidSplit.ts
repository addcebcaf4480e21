import { LabInputError } from '../errors.js';
import { checkUndirectedGraph } from './graphArrays.js';
import type { LabeledGraph } from './LabeledGraph.js';

/** Node keys of a train / validation / test split. */
export interface SplitNodes {
  train: string[];
  val: string[];
  test: string[];
}

/**
 * The split stored in the nodes' `split` attributes (for Cora loaded with {@link loadGraphFolder}:
 * the Planetoid public split, 20 training nodes per class, 500 validation, 1000 test nodes).
 *
 * @param graph - an undirected graph with `split` node attributes.
 * @returns node keys per split, in graph order.
 * @throws LabInputError when no node is marked `'train'`.
 * @see Yang, Cohen & Salakhutdinov, "Revisiting Semi-Supervised Learning with Graph Embeddings", ICML 2016.
 */
export function planetoidSplit(graph: LabeledGraph): SplitNodes {
  const fn = 'planetoidSplit';
  checkUndirectedGraph(fn, 'graph', graph);
  const out: SplitNodes = { train: [], val: [], test: [] };
  graph.forEachNode((node, attrs) => {
    const s = attrs.split;
    if (s === 'train' || s === 'val' || s === 'test') out[s].push(node);
  });
  if (out.train.length === 0) {
    throw new LabInputError(
      fn,
      'graph',
      "must have nodes with split 'train' (use stratifiedSplit otherwise)",
      'none',
    );
  }
  return out;
}
