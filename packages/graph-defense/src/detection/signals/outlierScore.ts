import { isolationForest } from '@lab/core';
import type { DetectionProgress } from '../../detectAdversarialEdges.js';
import { topIndices } from '../../detectionUtils.js';
import type { EdgeFeaturesResult } from '../../edgeFeatures.js';
import type { ResolvedDetectOptions } from '../resolveDetectOptions.js';

/** The outlier step's decision and, when it ran, its scores and the edges it keeps out of the subgraphs. */
export interface OutlierSignal {
  enabled: boolean;
  reason: string;
  /** Isolation-forest score per edge, or null when the step did not run. */
  scores: Float64Array | null;
  /** The `outlierFraction` highest-scoring edges (empty when the step did not run). */
  exclude: Int32Array;
}

/**
 * Edge-feature columns fed to the isolation forest, with the side on which an edge is suspicious
 * under homophily: few of the other endpoint's label among a node's neighbours, dissimilar
 * features, a weak own-label majority (`low`); distant predicted-label embeddings, many distinct
 * labels (`high`). Each column is clipped at its median on the unsuspicious side, so the forest
 * isolates only edges that are extreme in the suspicious direction (a plain forest also flags,
 * e.g., unusually similar endpoints and loses most of its signal once 20 % of edges are attacked).
 */
const OUTLIER_COLUMNS = {
  low: ['otherLabelShareMin', 'otherLabelShareMax', 'featureCosine', 'ownLabelShareMin', 'topLabelShareMin'],
  high: ['embeddingDistance', 'secondLabelShareMin', 'distinctLabelsMin'],
} as const;

/** The {@link OUTLIER_COLUMNS} of an edge-feature matrix, clipped at the median on their unsuspicious side. */
function orientedOutlierInput(f: EdgeFeaturesResult): { values: Float64Array; dim: number } {
  const cols = [...OUTLIER_COLUMNS.low, ...OUTLIER_COLUMNS.high]
    .map((c) => f.names.indexOf(c))
    .filter((q) => q >= 0);
  const lowCount = OUTLIER_COLUMNS.low.filter((c) => f.names.includes(c)).length;
  const m = f.values.length / f.dim;
  const d = cols.length;
  const values = new Float64Array(m * d);
  const col = new Float64Array(m);
  cols.forEach((src, q) => {
    for (let e = 0; e < m; e++) col[e] = f.values[e * f.dim + src];
    const sorted = Float64Array.from(col).sort();
    const median = sorted[m >> 1];
    for (let e = 0; e < m; e++)
      values[e * d + q] = q < lowCount ? Math.min(col[e], median) : Math.max(col[e], median);
  });
  return { values, dim: d };
}

/**
 * The outlier step: decides whether it runs (`on`, `off`, or `auto` by the predicted-label
 * `heterophily`), scores the oriented edge features with an isolation forest and picks the
 * `outlierFraction` most anomalous of the `numEdges` edges.
 */
export function outlierScore(
  features: EdgeFeaturesResult,
  numEdges: number,
  heterophily: number,
  o: Pick<ResolvedDetectOptions, 'outlier' | 'autoHeterophily' | 'outlierFraction'>,
  seed: string,
  report: (p: DetectionProgress) => void,
): OutlierSignal {
  const enabled = o.outlier === 'on' || (o.outlier === 'auto' && heterophily > o.autoHeterophily);
  const reason =
    o.outlier === 'auto'
      ? `auto: predicted-label heterophily ${heterophily.toFixed(3)} ${enabled ? '>' : '<='} ${o.autoHeterophily}`
      : `outlier: '${o.outlier}'`;
  if (!enabled) return { enabled, reason, scores: null, exclude: new Int32Array(0) };
  report({ stage: 'outliers', done: 0, total: 1 });
  const oriented = orientedOutlierInput(features);
  const scores = isolationForest(oriented.values, oriented.dim, { seed: `${seed}-iforest` }).scores;
  const exclude = topIndices(scores, Math.round(o.outlierFraction * numEdges));
  report({ stage: 'outliers', done: 1, total: 1 });
  return { enabled, reason, scores, exclude };
}
