import { LabInputError } from '../errors.js';
import { readOptions } from '../validation/readOptions.js';
import type { SeedOptions } from '../validation/resolveRng.js';
import { checkUndirectedGraph } from './graphArrays.js';
import type { LabeledGraph, NodeAttributes } from './LabeledGraph.js';
import type { SplitNodes } from './planetoidSplit.js';

/** Options of {@link stratifiedSplit}: per-class sizes as counts (integers >= 1) or fractions in (0, 1). */
export interface StratifiedSplitOptions extends SeedOptions {
  /** Training nodes per class: a count (e.g. 20, Planetoid-style) or a fraction of the class (e.g. 0.1). */
  train: number;
  /** Validation nodes per class, count or fraction (default 0). */
  val?: number;
  /** Test nodes per class, count or fraction (default: every remaining labelled node). */
  test?: number;
}

/** Result of {@link stratifiedSplit}. */
export interface StratifiedSplitResult extends SplitNodes {
  /** A copy of the graph whose `split` attributes hold the new split (unselected nodes: none). */
  graph: LabeledGraph;
}

function perClass(fn: string, arg: string, value: unknown, size: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new LabInputError(fn, arg, 'must be a count (integer >= 0) or a fraction in (0, 1)', value);
  }
  if (value > 0 && value < 1) return Math.round(value * size);
  if (!Number.isInteger(value)) {
    throw new LabInputError(fn, arg, 'must be a count (integer >= 0) or a fraction in (0, 1)', value);
  }
  return value;
}

/**
 * A seeded random split stratified by class: from each class (nodes with `label >= 0`) draw
 * `train`, then `val`, then `test` nodes without replacement. Sizes are per class, as counts or
 * as fractions of the class size (rounded). Unlabelled nodes (`label` -1) are never selected.
 *
 * @param graph - an undirected labelled graph (not modified).
 * @param options - per-class sizes and `seed` / `rng` (default seed 0).
 * @returns the node keys of each split (graph order) and a copy of the graph carrying the split.
 * @throws LabInputError when a class is too small for the requested counts, or for bad sizes.
 * @see Shchur et al., "Pitfalls of Graph Neural Network Evaluation", 2018 (random stratified splits).
 */
export function stratifiedSplit(graph: LabeledGraph, options: StratifiedSplitOptions): StratifiedSplitResult {
  const fn = 'stratifiedSplit';
  checkUndirectedGraph(fn, 'graph', graph);
  const rng = readOptions(fn, options, ['train', 'val', 'test', 'seed', 'rng']).rng();
  const byClass = new Map<number, string[]>();
  graph.forEachNode((node, attrs) => {
    const label = attrs.label;
    if (typeof label !== 'number' || !Number.isInteger(label) || label < -1) {
      throw new LabInputError(
        fn,
        `graph node '${node}' attribute 'label'`,
        'must be an integer >= -1',
        label,
      );
    }
    if (label < 0) return;
    const list = byClass.get(label) ?? [];
    list.push(node);
    byClass.set(label, list);
  });
  if (byClass.size === 0)
    throw new LabInputError(fn, 'graph', 'must have labelled nodes (label >= 0)', 'none');
  const assigned = new Map<string, 'train' | 'val' | 'test'>();
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(label) as string[];
    const nTrain = perClass(fn, 'options.train', options.train, members.length);
    const nVal = perClass(fn, 'options.val', options.val ?? 0, members.length);
    const nTest =
      options.test === undefined
        ? Math.max(0, members.length - nTrain - nVal)
        : perClass(fn, 'options.test', options.test, members.length);
    if (nTrain + nVal + nTest > members.length) {
      throw new LabInputError(
        fn,
        'options',
        `must ask for at most ${members.length} nodes of class ${label} (train + val + test)`,
        nTrain + nVal + nTest,
      );
    }
    const order = rng.permutation(members.length);
    for (let k = 0; k < nTrain + nVal + nTest; k++) {
      assigned.set(
        members[order[k] as number] as string,
        k < nTrain ? 'train' : k < nTrain + nVal ? 'val' : 'test',
      );
    }
  }
  const out = graph.copy();
  const result: StratifiedSplitResult = { graph: out, train: [], val: [], test: [] };
  out.updateEachNodeAttributes((node, attrs) => {
    const { split: _old, ...rest } = attrs;
    const s = assigned.get(node);
    if (s === undefined) return rest as NodeAttributes;
    result[s].push(node);
    return { ...rest, split: s } as NodeAttributes;
  });
  return result;
}
