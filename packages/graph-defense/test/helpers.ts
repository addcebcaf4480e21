import {
  createRng,
  type Gcn,
  type GcnFitResult,
  type GraphArrays,
  graphFromFolderData,
  type LabeledGraph,
  type NodeAttributes,
  parseGraphFolder,
} from '@lab/core';
import { fitGcnVictim, type VictimGcnOptions } from '../src/victims.js';
import Graph from 'graphology';

/**
 * A small labelled graph from an edge list: node i has label labels[i] (default i % 2) and 2
 * features [i, 1]. Built through core's public graph-folder path (`parseGraphFolder` +
 * `graphFromFolderData`, nodes in split 'unlabeled'), so the package's tests keep no private copy
 * of core's test helper of the same name.
 */
export function smallGraph(n: number, edges: Array<[number, number]>, labels?: number[]): LabeledGraph {
  const ids = Array.from({ length: n }, (_, i) => i);
  const files = {
    nodes: `id,label,split\n${ids.map((i) => `${i},${labels ? labels[i] : i % 2},unlabeled\n`).join('')}`,
    edges: `source,target\n${edges.map(([a, b]) => `${a},${b}\n`).join('')}`,
    features: ids.map((i) => `0:${i} 1:1\n`).join(''),
    meta: '{"features": 2}',
  };
  return graphFromFolderData(parseGraphFolder(files), { Graph });
}

/** A canonical, sorted edge-key list of a graph, for comparisons. */
export function edgeKeys(g: LabeledGraph): string[] {
  return g.mapEdges((_e, _a, s, t) => (Number(s) < Number(t) ? `${s}-${t}` : `${t}-${s}`)).sort();
}

/**
 * A small seeded two-or-more-block graph with informative features (a stand-in contextual SBM):
 * `perClass` nodes per class, intra/inter edge probabilities, Gaussian features whose mean
 * depends on the class (scaled by `signal`). Every node gets at least one edge. Splits: `train`
 * per class, half of the rest `val`, rest `test`.
 */
export function blockGraph(
  seed: number,
  classes = 2,
  perClass = 20,
  pIn = 0.3,
  pOut = 0.03,
  f = 8,
  trainPerClass = 4,
  signal = 0.6,
) {
  const rng = createRng(seed);
  const g: LabeledGraph = new Graph<NodeAttributes>({ type: 'undirected' });
  const n = classes * perClass;
  const means = Array.from({ length: classes }, () => Array.from({ length: f }, () => rng.normal(0, 1)));
  for (let i = 0; i < n; i++) {
    const y = i % classes;
    const rank = Math.floor(i / classes);
    const split = rank < trainPerClass ? 'train' : rank % 2 === 0 ? 'val' : 'test';
    const feats = Float32Array.from(
      { length: f },
      (_, k) => (means[y]?.[k] as number) * signal + rng.normal(0, 1),
    );
    g.addNode(String(i), { features: feats, label: y, split });
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (rng.next() < (i % classes === j % classes ? pIn : pOut)) g.addEdge(String(i), String(j));
    }
  }
  for (let i = 0; i < n; i++) if (g.degree(String(i)) === 0) g.addEdge(String(i), String((i + classes) % n));
  return g;
}

/**
 * Asserts what every global attack promises: the flips turn the clean graph into the result
 * exactly, each flip is valid (adds absent / removes present pairs), no pair twice, no self loop,
 * no node that had neighbours is left without, and the input graph is untouched.
 */
export function expectValidAttack(
  clean: LabeledGraph,
  cleanEdgesBefore: string[],
  result: { graph: LabeledGraph; flips: Array<{ source: string; target: string; op: 'add' | 'remove' }> },
): void {
  const pair = (s: string, t: string) => (s < t ? `${s}|${t}` : `${t}|${s}`);
  const edges = new Set(clean.mapEdges((_e, _a, s, t) => pair(s, t)));
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const f of result.flips) {
    const k = pair(f.source, f.target);
    if (f.source === f.target) problems.push(`self loop ${k}`);
    if (seen.has(k)) problems.push(`pair twice ${k}`);
    seen.add(k);
    if (f.op === 'add' && edges.has(k)) problems.push(`adds existing ${k}`);
    if (f.op === 'remove' && !edges.has(k)) problems.push(`removes missing ${k}`);
    if (f.op === 'add') edges.add(k);
    else edges.delete(k);
  }
  const after = new Set(result.graph.mapEdges((_e, _a, s, t) => pair(s, t)));
  if (after.size !== edges.size || [...edges].some((k) => !after.has(k)))
    problems.push('flips do not reproduce the graph');
  clean.forEachNode((node) => {
    if (clean.degree(node) > 0 && result.graph.degree(node) === 0) problems.push(`singleton ${node}`);
  });
  if (result.graph.order !== clean.order) problems.push('node count changed');
  if (edgeKeys(clean).join() !== cleanEdgesBefore.join()) problems.push('input graph modified');
  if (problems.length) throw new Error(`invalid attack: ${problems.slice(0, 5).join('; ')}`);
}

/** Fits a core `Gcn` victim with one seed, as the former `trainGcn(graph, { ...options, seed })`. */
export async function trainGcn(
  graph: LabeledGraph | GraphArrays,
  options: VictimGcnOptions & { seed: number | string },
): Promise<GcnFitResult & { model: Gcn }> {
  const { seed, ...rest } = options;
  const { model, result } = await fitGcnVictim('trainGcn', graph, rest, seed);
  return { ...result, model };
}
