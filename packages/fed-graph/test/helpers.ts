import { createRng, type LabeledGraph } from '@lab/core';
import Graph from 'graphology';

/** A random labelled undirected graph: n nodes, edge probability p, F features, C classes, some unknown labels. */
export function smallGraph(n: number, p: number, seed: number, F = 3, C = 3): LabeledGraph {
  const rng = createRng(seed);
  const g: LabeledGraph = new Graph({ type: 'undirected' });
  for (let i = 0; i < n; i++) {
    const label = rng.next() < 0.1 ? -1 : rng.int(C);
    const r = rng.next();
    const split = label < 0 ? undefined : r < 0.3 ? 'train' : r < 0.5 ? 'val' : r < 0.8 ? 'test' : undefined;
    g.addNode(`n${i}`, {
      features: Array.from({ length: F }, () => rng.normal()),
      label,
      ...(split ? { split } : {}),
    });
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (rng.next() < p) g.addEdge(`n${i}`, `n${j}`);
  return g;
}
