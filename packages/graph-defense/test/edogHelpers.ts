import { createRng, graphArrays, type LabeledGraph } from '@lab/core';
import { applyEdgeFlips } from '../src/applyEdgeFlips.js';
import type { AttackResult, EdgeFlip } from '../src/graphTypes.js';

/** Inserts `count` random edges between nodes of different classes (a DICE-like insertion attack). */
export function plantInterClass(g: LabeledGraph, count: number, seed: number): AttackResult {
  const a = graphArrays(g);
  const rng = createRng(seed);
  const flips: EdgeFlip[] = [];
  const seen = new Set<string>();
  while (flips.length < count) {
    const u = rng.int(a.numNodes);
    const v = rng.int(a.numNodes);
    if (u === v || a.labels[u] === a.labels[v]) continue;
    const s = a.nodes[u];
    const t = a.nodes[v];
    const key = u < v ? `${u},${v}` : `${v},${u}`;
    if (g.hasEdge(s, t) || seen.has(key)) continue;
    seen.add(key);
    flips.push({ source: s, target: t, op: 'add' });
  }
  return { graph: applyEdgeFlips(g, flips), flips, budget: count };
}
