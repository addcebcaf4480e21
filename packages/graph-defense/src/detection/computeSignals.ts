import type { GraphArrays, SparseMatrix } from '@lab/core';
import type {
  DetectAdversarialEdgesResult,
  DetectionProgress,
  SubgraphDiagnostics,
} from '../detectAdversarialEdges.js';
import type { EdgeFeaturesResult } from '../edgeFeatures.js';
import type { ResolvedDetectOptions } from './resolveDetectOptions.js';
import { combineSignals } from './signals/combineSignals.js';
import { featureDissimilarity } from './signals/featureDissimilarity.js';
import { classProbabilities, labelSignals } from './signals/labelSignals.js';
import { linkImplausibility } from './signals/linkImplausibility.js';
import { outlierScore } from './signals/outlierScore.js';

/** Every per-edge signal of one graph and their combination. */
export interface Signals {
  linkScores: Float64Array;
  outlierScores: Float64Array | null;
  featureDissimilarity: Float64Array | null;
  labelDistance: Float64Array | null;
  combined: Float64Array;
  /** Edge features of the predicted labels (empty when labels were not needed). */
  features: EdgeFeaturesResult;
  heldOutCount: Int32Array;
  outlier: DetectAdversarialEdgesResult['detailed']['outlier'];
  subgraphs: SubgraphDiagnostics[];
  timingMs: Record<string, number>;
}

/** What one {@link computeSignals} run uses besides the graph and the options. */
export interface SignalRun {
  /** Class probabilities to use instead of training `labelModel`. */
  probabilities: Float32Array | undefined;
  /** Whether the label-based signals are computed (outlier step, label distance, calibration). */
  needLabels: boolean;
  seed: string;
  report: (p: DetectionProgress) => void;
}

const NO_FEATURES: EdgeFeaturesResult = { names: [], values: new Float64Array(0), dim: 0 };

/**
 * Computes the detector's per-edge signals on `a` (features `x`): predicted labels (label
 * distance, edge features, heterophily), the outlier step, the subgraph link implausibility and
 * the feature dissimilarity, then their weighted rank mean.
 */
export async function computeSignals(
  a: GraphArrays,
  x: SparseMatrix,
  o: ResolvedDetectOptions,
  run: SignalRun,
): Promise<Signals> {
  const timingMs: Record<string, number> = {};
  let t = performance.now();
  const labels = run.needLabels
    ? labelSignals(a, await classProbabilities(a, o, run.probabilities, run.seed, run.report))
    : null;
  if (labels !== null) {
    timingMs.labels = performance.now() - t;
    t = performance.now();
  }
  const heterophily = labels?.heterophily ?? Number.NaN;
  const outlier = outlierScore(
    labels?.features ?? NO_FEATURES,
    a.numEdges,
    heterophily,
    o,
    run.seed,
    run.report,
  );
  timingMs.outliers = performance.now() - t;
  t = performance.now();
  const link = linkImplausibility(a, x, o, outlier.exclude, run.seed, run.report);
  timingMs.linkPrediction = performance.now() - t;
  const dissimilarity = featureDissimilarity(a, o.weights.featureDissimilarity);
  const labelDistance = labels?.labelDistance ?? null;
  const combined = combineSignals(link.linkScores, [
    [link.linkScores, o.weights.link],
    [dissimilarity, o.weights.featureDissimilarity],
    [labelDistance, o.weights.labelDistance],
    [outlier.scores, o.weights.outlier],
  ]);
  return {
    linkScores: link.linkScores,
    outlierScores: outlier.scores,
    featureDissimilarity: dissimilarity,
    labelDistance,
    combined,
    features: labels?.features ?? NO_FEATURES,
    heldOutCount: link.heldOutCount,
    outlier: {
      enabled: outlier.enabled,
      reason: outlier.reason,
      heterophily,
      excluded: outlier.exclude.length,
    },
    subgraphs: link.subgraphs,
    timingMs,
  };
}
