import { describeValue, LabInputError, checkUndirectedGraph, type LabeledGraph } from '@lab/core';
import type { EdgeFlip } from './graphTypes.js';

/**
 * Applies a list of edge flips to a copy of an undirected graph, in order. The input graph is
 * never modified; node and graph attributes are shallow-copied (feature arrays are shared and
 * must be treated as read-only, as everywhere in this package).
 *
 * @param graph - an undirected graphology graph.
 * @param flips - `{ source, target, op: 'add' | 'remove' }` items, applied one after the other.
 * @returns the perturbed copy.
 * @throws LabInputError naming the offending flip for an unknown node, a self loop, adding an
 *   edge that exists, removing an edge that does not, or a malformed item.
 * @example
 * ```ts
 * const g = contextualSbm({ nodes: 60, classes: 2, avgDegree: 4, homophily: 0.9, featureDim: 8, featureSignal: 2, seed: 1 });
 * const g2 = applyEdgeFlips(g, [{ source: '0', target: '5', op: g.hasEdge('0', '5') ? 'remove' : 'add' }]);
 * ```
 * @see Zügner & Günnemann, "Adversarial Attacks on Graph Neural Networks via Meta Learning", ICLR 2019
 *   (structure perturbations as edge flips).
 */
export function applyEdgeFlips(graph: LabeledGraph, flips: readonly EdgeFlip[]): LabeledGraph {
  const fn = 'applyEdgeFlips';
  checkUndirectedGraph(fn, 'graph', graph);
  if (!Array.isArray(flips))
    throw new LabInputError(fn, 'flips', 'must be an array of {source, target, op}', flips);
  const out = graph.copy();
  for (let k = 0; k < flips.length; k++) {
    const flip = flips[k] as EdgeFlip;
    const arg = `flips[${k}]`;
    if (flip === null || typeof flip !== 'object') {
      throw new LabInputError(fn, arg, 'must be an object {source, target, op}', flip);
    }
    const { op } = flip;
    if (op !== 'add' && op !== 'remove')
      throw new LabInputError(fn, `${arg}.op`, "must be 'add' or 'remove'", op);
    const ends: string[] = [];
    for (const key of ['source', 'target'] as const) {
      const v = flip[key] as unknown;
      if (typeof v !== 'string' && typeof v !== 'number') {
        throw new LabInputError(fn, `${arg}.${key}`, 'must be a node key (string)', v);
      }
      const node = String(v);
      if (!out.hasNode(node))
        throw new LabInputError(fn, `${arg}.${key}`, 'must be a node of the graph', node);
      ends.push(node);
    }
    const [s, t] = ends as [string, string];
    if (s === t) throw new LabInputError(fn, arg, 'must not be a self loop', `${s}-${t}`);
    const exists = out.hasEdge(s, t);
    if (op === 'add') {
      if (exists) {
        throw new LabInputError(
          fn,
          arg,
          'must add an edge that is absent',
          `edge ${describeValue(s)}-${describeValue(t)} exists`,
        );
      }
      out.addEdge(s, t);
    } else {
      if (!exists) {
        throw new LabInputError(
          fn,
          arg,
          'must remove an edge that is present',
          `edge ${describeValue(s)}-${describeValue(t)} is absent`,
        );
      }
      out.dropEdge(s, t);
    }
  }
  return out;
}
