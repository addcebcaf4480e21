import type { LabeledGraph } from '@lab/core';
import { type BaselineMethod, baselineEdgeScores } from '@lab/graph-defense';
import type { Detection, DetectorName } from './grid.js';

/** Grid detector names of the package's baselines. */
const METHOD: Partial<Record<DetectorName, BaselineMethod>> = {
  jaccard: 'featureJaccard',
  gae: 'gaeWholeGraph',
  labelOutlier: 'neighbourhoodLabelOutlier',
  degree: 'degree',
};

/**
 * Scores every edge with one of the package's baselines; flags the `budget` highest-scoring
 * edges (only EDoG's flags feed the defence, these are for completeness).
 */
export async function baselineDetection(
  name: DetectorName,
  graph: LabeledGraph,
  options: { seed: number; budget: number; probabilities?: Float32Array },
): Promise<Detection> {
  const method = METHOD[name];
  if (method === undefined) throw new Error(`baselineDetection: '${name}' is not a baseline`);
  const o: { seed: string; classProbabilities?: Float32Array } = { seed: `${name}-${options.seed}` };
  if (options.probabilities) o.classProbabilities = options.probabilities;
  const r = await baselineEdgeScores(graph, { ...o, method });
  const scores = r.edges.map((e, i) => ({
    source: e.source,
    target: e.target,
    score: r.scores[i] as number,
  }));
  const flagged = [...scores]
    .sort((a, b) => b.score - a.score)
    .slice(0, options.budget)
    .map(({ source, target }) => ({ source, target }));
  return { scores, flagged };
}
