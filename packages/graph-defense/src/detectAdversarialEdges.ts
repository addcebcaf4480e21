import { type SeedOptions, graphArrays, LabInputError, type LabeledGraph } from '@lab/core';
import { checkArrays, topIndices } from './detectionUtils.js';
import { calibrate } from './detection/calibrate.js';
import { computeSignals } from './detection/computeSignals.js';
import { resolveDetectOptions } from './detection/resolveDetectOptions.js';
import { featureMatrix, type LinkPredictorOptions } from './linkPredictor.js';
import type { AttackResult } from './graphTypes.js';

export { DEFAULT_SIGNAL_WEIGHTS } from './detection/resolveDetectOptions.js';
/** An undirected edge by node keys. */
export interface EdgeRef {
  source: string;
  target: string;
}

/** Progress report of {@link detectAdversarialEdges}. */
export interface DetectionProgress {
  stage: 'calibration' | 'labels' | 'outliers' | 'subgraphs';
  done: number;
  total: number;
}

/** Options of {@link detectAdversarialEdges}. */
export interface DetectAdversarialEdgesOptions extends SeedOptions {
  /** Number of sampled subgraphs K, one link predictor each (default 8). */
  numSubgraphs?: number;
  /** Node-sampling rate r (default 0.7: a subgraph holds r^2 = 49 % of the edges). */
  rate?: number;
  /** Link-predictor settings (GAE; see {@link trainLinkPredictor}); the seed is derived. */
  linkPredictor?: Omit<LinkPredictorOptions, 'seed'>;
  /**
   * How an edge's plausibility is aggregated over the models whose subgraph did not contain it:
   * `mean` (default) or `min` of the predicted link probability.
   */
  aggregation?: 'mean' | 'min';
  /**
   * Message-passing graph of the encoder when a subgraph model scores edges: `full` (default:
   * the observed graph, as a GAE embeds at test time; weights come from the subgraph only),
   * `subgraph` (the model's own subgraph, where held-out endpoints lose their neighbours) or
   * `pruned` (the observed graph without the edges the outlier step keeps out of the subgraphs;
   * the same as `full` when the outlier step is off).
   */
  scoringGraph?: 'full' | 'subgraph' | 'pruned';
  /**
   * Outlier preprocessing for strong attacks: `on` (default), `off`, or `auto`: on when the share
   * of edges whose endpoints get different predicted labels exceeds `autoHeterophily`.
   */
  outlier?: 'on' | 'off' | 'auto';
  /** Threshold of the `auto` rule (default 0.25). */
  autoHeterophily?: number;
  /** Share of edges with the highest outlier scores kept out of every subgraph (default 0.1). */
  outlierFraction?: number;
  /**
   * Weights of the per-edge signals in the final score, a weighted mean of their ranks (each
   * rank-normalised to [0, 1]): `link` (subgraph link-prediction implausibility, default 1),
   * `featureDissimilarity` (1 - Jaccard of the endpoints' non-zero features, default 1),
   * `labelDistance` (total-variation distance of the endpoints' predicted class probabilities,
   * default 0.5) and `outlier` (isolation-forest score, used only when the outlier step runs,
   * default 0.5; the two label-based signals share one unit). A weight of 0 drops the signal;
   * `{ featureDissimilarity: 0, labelDistance: 0, outlier: 1 }` is the equal link / outlier mix
   * of EDoG proper.
   */
  signalWeights?: Partial<SignalWeights>;
  /** Flag the edges whose final score is >= this value (scores are in [0, 1]). */
  threshold?: number;
  /** Flag the `budget` highest-scoring edges (default when no threshold: none flagged). */
  budget?: number;
  /**
   * Attack knowledge: `attack` perturbs a copy of the graph (e.g. the attack type suspected, at
   * the rate expected); the detector scores the copy, fits a logistic regression that tells the
   * injected edges from the others on the per-edge signals, and applies it to the graph. Before
   * the attack, the copy loses its `suspects` most suspicious edges by the uncalibrated score
   * (default: `budget`, else 5 % of the edges), since they may be an attack's edges that would
   * otherwise count as clean examples.
   */
  calibration?: { attack: (graph: LabeledGraph) => AttackResult | Promise<AttackResult>; suspects?: number };
  /**
   * The model that predicts the node labels behind the label distance, the outlier features and
   * the calibration: `features` (default) a classifier of the node features alone (Kipf's GCN
   * settings on the graph without its edges, i.e. a 2-layer MLP), which an attack on the
   * structure cannot reach; `graph` a GCN trained on the observed graph, whose predictions a
   * poisoning attack shapes (it smooths them along the inserted edges, so their endpoints look
   * alike).
   */
  labelModel?: 'features' | 'graph';
  /** Predicted class probabilities (row-major `N x C`) to use instead of training `labelModel`. */
  classProbabilities?: Float32Array;
  /** Called at the start and end of every stage. */
  onProgress?: (progress: DetectionProgress) => void;
}

/** Weights of the per-edge signals, see {@link DetectAdversarialEdgesOptions.signalWeights}. */
export interface SignalWeights {
  link: number;
  featureDissimilarity: number;
  labelDistance: number;
  outlier: number;
}

/** Statistics of one subgraph model. */
export interface SubgraphDiagnostics {
  nodes: number;
  edges: number;
  /** Edges this model scored (those not in its subgraph). */
  scoredEdges: number;
  finalLoss: number;
  ms: number;
}

/** What {@link detectAdversarialEdges} returns. */
export interface DetectAdversarialEdgesResult {
  /** Every edge of the graph, in the order of `@lab/core`'s `GraphArrays`. */
  edges: EdgeRef[];
  /** Final score per edge in [0, 1]: higher = more likely adversarial. */
  scores: Float64Array;
  /** Flagged edges (threshold or budget), highest score first. */
  flagged: EdgeRef[];
  /** Their indices into `edges`. */
  flaggedIndex: Int32Array;
  detailed: {
    /** Link-prediction implausibility per edge (1 - aggregated probability). */
    linkScores: Float64Array;
    /** Isolation-forest score per edge, or null when the outlier step did not run. */
    outlierScores: Float64Array | null;
    /** 1 - Jaccard of the endpoints' non-zero feature sets, or null when its weight is 0. */
    featureDissimilarity: Float64Array | null;
    /** Total-variation distance of the endpoints' predicted class probabilities, or null when labels were not computed. */
    labelDistance: Float64Array | null;
    /** Models that scored each edge (held out of their subgraph). */
    heldOutCount: Int32Array;
    /** The outlier decision; `heterophily` (share of edges joining different predicted labels) is NaN when labels were not needed. */
    outlier: { enabled: boolean; reason: string; heterophily: number; excluded: number };
    subgraphs: SubgraphDiagnostics[];
    calibration: null | {
      injected: number;
      /** Suspected edges (the uncalibrated top `injected` on the graph itself) left out of the fit. */
      excluded: number;
      /** AUC on the self-attacked copy of the uncalibrated score and of the calibrated one. */
      aucBefore: number;
      aucAfter: number;
      featureNames: string[];
      weights: number[];
    };
    timingMs: Record<string, number>;
  };
}

/**
 * EDoG: detects adversarial edges without knowing the attack. K node-induced subgraphs are
 * sampled (rate r); on each a GAE link predictor (2-layer GCN encoder, inner-product decoder)
 * is trained; every edge is scored by the models whose subgraph did *not* contain it (so an
 * adversarial edge is judged by models that never saw it) and its implausibility is
 * `1 - aggregated link probability`. For strong attacks an outlier step (isolation forest on
 * neighbourhood-label, degree, feature-similarity and embedding-distance features of each edge)
 * keeps the most anomalous edges out of every subgraph. The final score is a weighted mean of
 * the ranks of the link implausibility, the endpoints' feature dissimilarity (1 - Jaccard), the
 * distance of their predicted class probabilities and the outlier score (`signalWeights`).
 * Labels come from a features-only classifier by default (`labelModel`), which a structure
 * attack cannot reach. With attack knowledge (`calibration`), a self-attacked copy supervises
 * how the signals combine.
 *
 * @param graph - an undirected {@link LabeledGraph} with `features` on every node and a
 *   `train` split (for the predicted labels of the outlier features); not modified.
 * @param options - see {@link DetectAdversarialEdgesOptions}; read with core's `readOptions` (unknown keys
 *   throw), seeds by the `{ seed?, rng? }` convention (default seed 0).
 * @returns per-edge scores in [0, 1] (higher = more likely adversarial), flagged edges, diagnostics.
 * @throws LabInputError for a directed graph, missing features, bad options, or no edges.
 * @example
 * ```ts
 * const clean = contextualSbm({ nodes: 300, classes: 3, avgDegree: 6, homophily: 0.9, featureDim: 16, featureSignal: 2, seed: 1 });
 * const { graph: attacked } = randomAttack(clean, { budget: 40, mode: 'add', seed: 1 });
 * const det = await detectAdversarialEdges(attacked, { seed: 1, budget: 40 });
 * det.flagged; // the 40 most suspicious edges
 * ```
 * @see Xu et al., "EDoG: Adversarial Edge Detection For Graph Neural Networks", SaTML 2023 (arXiv 2212.13607).
 */
export async function detectAdversarialEdges(
  graph: LabeledGraph,
  options?: DetectAdversarialEdgesOptions,
): Promise<DetectAdversarialEdgesResult> {
  const fn = 'detectAdversarialEdges';
  const tStart = performance.now();
  const a = graphArrays(graph, fn);
  checkArrays(fn, 'graph', a, true);
  if (a.numEdges < 2) throw new LabInputError(fn, 'graph', 'must have at least 2 edges to score', a.numEdges);
  const o = resolveDetectOptions(options, a);
  const x = featureMatrix(a.features, a.numNodes, a.numFeatures);
  const signals = await computeSignals(a, x, o, {
    probabilities: o.classProbabilities,
    needLabels: o.needLabels,
    seed: o.seed,
    report: o.report,
  });
  let scores = signals.combined;
  let calibration: DetectAdversarialEdgesResult['detailed']['calibration'] = null;
  if (o.calibration !== undefined) {
    const t = performance.now();
    o.report({ stage: 'calibration', done: 0, total: 1 });
    ({ scores, calibration } = await calibrate(graph, a, signals, { ...o, calibration: o.calibration }));
    signals.timingMs.calibration = performance.now() - t;
    o.report({ stage: 'calibration', done: 1, total: 1 });
  }
  const edges: EdgeRef[] = [];
  for (let e = 0; e < a.numEdges; e++)
    edges.push({ source: a.nodes[a.edges[2 * e]], target: a.nodes[a.edges[2 * e + 1]] });
  const threshold = o.threshold;
  const flaggedIndex =
    threshold !== undefined
      ? topIndices(scores, a.numEdges).filter((e) => scores[e] >= threshold)
      : topIndices(scores, o.budget ?? 0);
  signals.timingMs.total = performance.now() - tStart;
  return {
    edges,
    scores,
    flagged: Array.from(flaggedIndex, (e) => edges[e]),
    flaggedIndex,
    detailed: {
      linkScores: signals.linkScores,
      outlierScores: signals.outlierScores,
      featureDissimilarity: signals.featureDissimilarity,
      labelDistance: signals.labelDistance,
      heldOutCount: signals.heldOutCount,
      outlier: signals.outlier,
      subgraphs: signals.subgraphs,
      calibration,
      timingMs: signals.timingMs,
    },
  };
}
