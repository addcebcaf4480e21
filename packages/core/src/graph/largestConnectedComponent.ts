import { LabInputError } from '../errors.js';
import type { LabeledGraph } from './LabeledGraph.js';

/**
 * The largest connected component of an undirected graph, as a new graph (`graph.nullCopy()`
 * filled with the component): nodes keep their keys, attributes (shallow-copied) and relative
 * order, edges their order; graph attributes are copied. Ties between equally large components
 * go to the one whose first node comes first (as `graphology-components`). The input is not
 * modified.
 *
 * @param graph - an undirected graph.
 * @returns a new graph holding only the largest component.
 * @throws LabInputError when `graph` is not an undirected graphology graph.
 * @see Zügner, Akbarnejad & Günnemann, "Adversarial Attacks on Neural Networks for Graph Data",
 *   KDD 2018 (attacks are evaluated on the largest connected component).
 */
export function largestConnectedComponent<G extends LabeledGraph>(graph: G): G {
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
  // Iterative DFS from each unseen node in node order; keep the first strictly largest component.
  const seen = new Set<string>();
  let largest: Set<string> = new Set();
  const remaining = () => graph.order - seen.size;
  for (const start of graph.nodes()) {
    if (seen.has(start)) continue;
    if (largest.size >= remaining()) break; // no later component can be strictly larger
    const component = new Set<string>([start]);
    seen.add(start);
    const stack = [start];
    while (stack.length > 0) {
      const node = stack.pop() as string;
      graph.forEachNeighbor(node, (next) => {
        if (seen.has(next)) return;
        seen.add(next);
        component.add(next);
        stack.push(next);
      });
    }
    if (component.size > largest.size) largest = component;
  }
  const out = graph.nullCopy() as G;
  graph.forEachNode((node, attrs) => {
    if (largest.has(node)) out.addNode(node, { ...attrs });
  });
  graph.forEachEdge((_e, attrs, s, t) => {
    if (largest.has(s)) out.addEdge(s, t, { ...attrs });
  });
  return out;
}
