import {
  LabInputError,
  checkUndirectedGraph,
  type LabeledGraph,
  readOptions,
  type SeedOptions,
} from '@lab/core';
import { applyEdgeFlips } from './applyEdgeFlips.js';
import { nodePairKey } from './nodePairKey.js';
import type { EdgeRef } from './detectAdversarialEdges.js';
import { fitGcnVictim, type VictimGcnOptions } from './victims.js';
import type { EdgeFlip } from './graphTypes.js';

/** Options of {@link defend}. */
export interface DefendOptions extends SeedOptions {
  /** The clean graph, to report the clean accuracy too (same nodes). */
  clean?: LabeledGraph;
  /** GCN runs (different seeds) averaged per graph (default 1). */
  runs?: number;
  /** GCN settings (Kipf & Welling defaults). */
  gcn?: VictimGcnOptions;
}

/** What {@link defend} returns. */
export interface DefendResult {
  /** The attacked graph with the flagged edges removed (a copy). */
  defended: LabeledGraph;
  /** Number of edges removed. */
  removed: number;
  /** Mean test accuracy of a GCN retrained on each graph (poisoning setting). */
  accuracy: { clean: number | null; attacked: number; defended: number };
}

/**
 * The defence: remove the flagged edges from the (attacked) graph and retrain a GCN on what is
 * left; reports the test accuracy of GCNs trained on the clean (when given), attacked and
 * defended graphs, each averaged over `runs` seeds (the same seeds for the three graphs).
 *
 * @param attacked - the graph to defend (not modified).
 * @param flagged - edges to remove (e.g. `detectAdversarialEdges(...).flagged`); each must exist.
 * @see Xu et al., "EDoG: Adversarial Edge Detection For Graph Neural Networks", SaTML 2023 (arXiv 2212.13607).
 */
export async function defend(
  attacked: LabeledGraph,
  flagged: readonly EdgeRef[],
  options?: DefendOptions,
): Promise<DefendResult> {
  const fn = 'defend';
  checkUndirectedGraph(fn, 'attacked', attacked);
  if (!Array.isArray(flagged))
    throw new LabInputError(fn, 'flagged', 'must be an array of {source, target}', flagged);
  const o = readOptions(fn, options, ['clean', 'runs', 'gcn', 'seed', 'rng']);
  const clean = o.raw('clean') as LabeledGraph | undefined;
  if (clean !== undefined) checkUndirectedGraph(fn, 'options.clean', clean);
  const runs = o.integer('runs', 1, { min: 1, max: 100 });
  o.nested('gcn');
  const gcn = o.raw('gcn') as VictimGcnOptions | undefined;
  const seen = new Set<string>();
  const flips: EdgeFlip[] = [];
  flagged.forEach((e, k) => {
    if (e === null || typeof e !== 'object' || !attacked.hasEdge(e.source, e.target)) {
      throw new LabInputError(fn, `flagged[${k}]`, 'must be an edge of the attacked graph', e);
    }
    const key = nodePairKey(e.source, e.target);
    if (seen.has(key)) return;
    seen.add(key);
    flips.push({ source: e.source, target: e.target, op: 'remove' });
  });
  const defended = applyEdgeFlips(attacked, flips);
  const rng = o.rng();
  const seeds = Array.from({ length: runs }, () => rng.nextSeed());
  const meanAcc = async (g: LabeledGraph): Promise<number> => {
    let s = 0;
    for (const seed of seeds) {
      const { model, result } = await fitGcnVictim(fn, g, gcn, seed);
      s += result.testAccuracy;
      model.dispose();
    }
    return s / runs;
  };
  return {
    defended,
    removed: flips.length,
    accuracy: {
      clean: clean === undefined ? null : await meanAcc(clean),
      attacked: await meanAcc(attacked),
      defended: await meanAcc(defended),
    },
  };
}
