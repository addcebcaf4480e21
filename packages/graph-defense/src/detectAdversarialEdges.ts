import {
  checkInteger,
  checkRange,
  createRng,
  LabInputError,
  rocAuc,
  type SparseMatrix,
  graphArrays,
  type GraphArrays,
  type LabeledGraph,
  isolationForest,
  fitLogisticRegression,
} from '@lab/core';
import { featureJaccardScores } from './baselines.js';
import { checkArrays, edgesAt, probabilityDistance, rankNormalize, topIndices } from './detectionUtils.js';
import { edgeFeatures } from './edgeFeatures.js';
import { nodePairKey } from './nodePairKey.js';
import { featureMatrix, type LinkPredictorOptions, trainLinkPredictor } from './linkPredictor.js';
import { sampleSubgraphs } from './sampleSubgraphs.js';
import { fitGcnVictim } from './victims.js';
import type { AttackResult } from './graphTypes.js';

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
export interface DetectAdversarialEdgesOptions {
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
  seed: number | string;
  onProgress?: (progress: DetectionProgress) => void;
}

/** Weights of the per-edge signals, see {@link DetectAdversarialEdgesOptions.signalWeights}. */
export interface SignalWeights {
  link: number;
  featureDissimilarity: number;
  labelDistance: number;
  outlier: number;
}

/** Default {@link SignalWeights}: our attack-agnostic choice, see the README ("EDoG detection"). */
export const DEFAULT_SIGNAL_WEIGHTS: Readonly<SignalWeights> = {
  link: 1,
  featureDissimilarity: 1,
  labelDistance: 0.5,
  outlier: 0.5,
};

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
  /** Every edge of the graph, in {@link GraphArrays} order. */
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

interface Signals {
  linkScores: Float64Array;
  outlierScores: Float64Array | null;
  featureDissimilarity: Float64Array | null;
  labelDistance: Float64Array | null;
  combined: Float64Array;
  features: { names: string[]; values: Float64Array; dim: number };
  heldOutCount: Int32Array;
  outlier: DetectAdversarialEdgesResult['detailed']['outlier'];
  subgraphs: SubgraphDiagnostics[];
  timingMs: Record<string, number>;
}

interface Resolved {
  k: number;
  rate: number;
  lp: Omit<LinkPredictorOptions, 'seed'>;
  aggregation: 'mean' | 'min';
  scoringGraph: 'full' | 'subgraph' | 'pruned';
  labelModel: 'features' | 'graph';
  outlier: 'on' | 'off' | 'auto';
  autoHeterophily: number;
  outlierFraction: number;
  weights: SignalWeights;
}

function predictedLabels(a: GraphArrays, probs: Float32Array): Int32Array {
  const c = a.numClasses;
  const y = new Int32Array(a.numNodes);
  for (let i = 0; i < a.numNodes; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (probs[i * c + k] > probs[i * c + best]) best = k;
    y[i] = best;
  }
  // Known training labels override the prediction.
  for (const i of a.train) if (a.labels[i] >= 0) y[i] = a.labels[i];
  return y;
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
function orientedOutlierInput(f: { names: string[]; values: Float64Array; dim: number }): {
  values: Float64Array;
  dim: number;
} {
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

async function computeSignals(
  a: GraphArrays,
  x: SparseMatrix,
  o: Resolved,
  probsIn: Float32Array | undefined,
  needLabels: boolean,
  seed: string,
  report: (p: DetectionProgress) => void,
): Promise<Signals> {
  const timingMs: Record<string, number> = {};
  const m = a.numEdges;
  let t = performance.now();
  // Predicted labels and edge features are needed by the outlier step and the calibration only.
  let features: Signals['features'] = { names: [], values: new Float64Array(0), dim: 0 };
  let heterophily = Number.NaN;
  let labelDistance: Float64Array | null = null;
  if (needLabels) {
    let probs = probsIn;
    if (probs === undefined) {
      report({ stage: 'labels', done: 0, total: 1 });
      if (a.train.length === 0) {
        throw new LabInputError(
          'detectAdversarialEdges',
          'graph',
          "must have training nodes (split 'train') to predict labels, or pass options.classProbabilities",
        );
      }
      const gcn = (
        await fitGcnVictim(
          'detectAdversarialEdges',
          o.labelModel === 'graph' ? a : { ...a, edges: new Int32Array(0), numEdges: 0 },
          undefined,
          `${seed}-gcn`,
        )
      ).model;
      try {
        probs = gcn.probabilities();
      } finally {
        gcn.dispose();
      }
      report({ stage: 'labels', done: 1, total: 1 });
    }
    const c = a.numClasses;
    if (!(probs instanceof Float32Array) || probs.length !== a.numNodes * c) {
      throw new LabInputError(
        'detectAdversarialEdges',
        'options.classProbabilities',
        `must be a Float32Array of numNodes x numClasses = ${a.numNodes * c}`,
        probs,
      );
    }
    const y = predictedLabels(a, probs);
    labelDistance = probabilityDistance(probs, c, a.edges);
    timingMs.labels = performance.now() - t;
    t = performance.now();
    features = edgeFeatures({
      numNodes: a.numNodes,
      edges: a.edges,
      predictedLabels: y,
      numClasses: c,
      features: a.features,
      numFeatures: a.numFeatures,
      embeddings: probs,
      embeddingDim: c,
    });
    let hetero = 0;
    for (let e = 0; e < m; e++) if (y[a.edges[2 * e]] !== y[a.edges[2 * e + 1]]) hetero++;
    heterophily = m === 0 ? 0 : hetero / m;
  }
  const enabled = o.outlier === 'on' || (o.outlier === 'auto' && heterophily > o.autoHeterophily);
  const reason =
    o.outlier === 'auto'
      ? `auto: predicted-label heterophily ${heterophily.toFixed(3)} ${enabled ? '>' : '<='} ${o.autoHeterophily}`
      : `outlier: '${o.outlier}'`;
  let outlierScores: Float64Array | null = null;
  let exclude: Int32Array = new Int32Array(0);
  if (enabled) {
    report({ stage: 'outliers', done: 0, total: 1 });
    const oriented = orientedOutlierInput(features);
    outlierScores = isolationForest(oriented.values, oriented.dim, { seed: `${seed}-iforest` }).scores;
    exclude = topIndices(outlierScores, Math.round(o.outlierFraction * m));
    report({ stage: 'outliers', done: 1, total: 1 });
  }
  timingMs.outliers = performance.now() - t;
  t = performance.now();
  const { subgraphs, heldOutCount } = sampleSubgraphs(a.numNodes, a.edges, {
    numSubgraphs: o.k,
    rate: o.rate,
    exclude,
    seed: `${seed}-subgraphs`,
  });
  // The observed graph without the outlier step's excluded edges (scoringGraph 'pruned').
  let prunedEdges = a.edges;
  if (o.scoringGraph === 'pruned' && exclude.length > 0) {
    const drop = new Uint8Array(m);
    for (const e of exclude) drop[e] = 1;
    const kept: number[] = [];
    for (let e = 0; e < m; e++) if (!drop[e]) kept.push(e);
    prunedEdges = edgesAt(a.edges, kept);
  }
  const sum = new Float64Array(m);
  const min = new Float64Array(m).fill(1);
  const cnt = new Int32Array(m);
  const allSum = new Float64Array(m);
  const diag: SubgraphDiagnostics[] = [];
  subgraphs.forEach((sg, s) => {
    const t0 = performance.now();
    report({ stage: 'subgraphs', done: s, total: o.k });
    const sub = edgesAt(a.edges, sg.edgeIndex);
    let scored = 0;
    let finalLoss = Number.NaN;
    if (sg.edgeIndex.length > 0 && sg.nodes.length >= 2) {
      const model = trainLinkPredictor(
        { numNodes: a.numNodes, features: x, edges: sub, negativeNodes: sg.nodes },
        { ...o.lp, seed: `${seed}-lp-${s}` },
      );
      finalLoss = model.finalLoss;
      const mp = o.scoringGraph === 'full' ? a.edges : o.scoringGraph === 'pruned' ? prunedEdges : undefined;
      const logits = model.logits(model.embed(mp), a.edges);
      for (let e = 0; e < m; e++) {
        const p = 1 / (1 + Math.exp(-logits[e]));
        allSum[e] += p;
        if (!sg.edgeMask[e]) {
          sum[e] += p;
          cnt[e]++;
          if (p < min[e]) min[e] = p;
          scored++;
        }
      }
    }
    diag.push({
      nodes: sg.nodes.length,
      edges: sg.edgeIndex.length,
      scoredEdges: scored,
      finalLoss,
      ms: performance.now() - t0,
    });
  });
  report({ stage: 'subgraphs', done: o.k, total: o.k });
  const linkScores = new Float64Array(m);
  for (let e = 0; e < m; e++) {
    // An edge every subgraph contained (probability r^(2K)) falls back on the mean over all models.
    const plaus = cnt[e] === 0 ? allSum[e] / o.k : o.aggregation === 'mean' ? sum[e] / cnt[e] : min[e];
    linkScores[e] = 1 - plaus;
  }
  timingMs.linkPrediction = performance.now() - t;
  const featureDissimilarity = o.weights.featureDissimilarity > 0 ? featureJaccardScores(a) : null;
  // Weighted mean of ranks: scale-free, so no signal needs calibrating against another.
  const parts: [Float64Array | null, number][] = [
    [linkScores, o.weights.link],
    [featureDissimilarity, o.weights.featureDissimilarity],
    [labelDistance, o.weights.labelDistance],
    [outlierScores, o.weights.outlier],
  ];
  const combined = new Float64Array(m);
  let total = 0;
  for (const [s, w] of parts) {
    if (s === null || w === 0) continue;
    const r = rankNormalize(s);
    for (let e = 0; e < m; e++) combined[e] += w * r[e];
    total += w;
  }
  if (total === 0) combined.set(rankNormalize(linkScores));
  else for (let e = 0; e < m; e++) combined[e] /= total;
  return {
    linkScores,
    outlierScores,
    featureDissimilarity,
    labelDistance,
    combined,
    features,
    heldOutCount,
    outlier: { enabled, reason, heterophily, excluded: exclude.length },
    subgraphs: diag,
    timingMs,
  };
}

/**
 * Design matrix for the calibration: the combined score, the rank of every per-edge signal that
 * was computed (link, feature dissimilarity, label distance, outlier) and the edge features.
 */
function design(s: Signals): { names: string[]; x: Float64Array; dim: number } {
  const m = s.linkScores.length;
  const ranked: [string, Float64Array][] = [['linkRank', rankNormalize(s.linkScores)]];
  if (s.featureDissimilarity)
    ranked.push(['featureDissimilarityRank', rankNormalize(s.featureDissimilarity)]);
  if (s.labelDistance) ranked.push(['labelDistanceRank', rankNormalize(s.labelDistance)]);
  if (s.outlierScores) ranked.push(['outlierRank', rankNormalize(s.outlierScores)]);
  const names = ['combined', ...ranked.map(([n]) => n), ...s.features.names];
  const dim = names.length;
  const off = 1 + ranked.length;
  const x = new Float64Array(m * dim);
  for (let e = 0; e < m; e++) {
    x[e * dim] = s.combined[e];
    ranked.forEach(([, r], q) => {
      x[e * dim + 1 + q] = r[e];
    });
    for (let f = 0; f < s.features.dim; f++) x[e * dim + off + f] = s.features.values[e * s.features.dim + f];
  }
  return { names, x, dim };
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
  options: DetectAdversarialEdgesOptions,
): Promise<DetectAdversarialEdgesResult> {
  const fn = 'detectAdversarialEdges';
  const tStart = performance.now();
  const a = graphArrays(graph, fn);
  if (options === null || typeof options !== 'object')
    throw new LabInputError(fn, 'options', 'must be an object with a seed', options);
  if (
    !(typeof options.seed === 'string' || (typeof options.seed === 'number' && Number.isFinite(options.seed)))
  ) {
    throw new LabInputError(fn, 'options.seed', 'must be a finite number or a string', options.seed);
  }
  checkArrays(fn, 'graph', a, true);
  if (a.numEdges < 2) throw new LabInputError(fn, 'graph', 'must have at least 2 edges to score', a.numEdges);
  const o: Resolved = {
    k: options.numSubgraphs ?? 8,
    rate: options.rate ?? 0.7,
    lp: options.linkPredictor ?? {},
    aggregation: options.aggregation ?? 'mean',
    scoringGraph: options.scoringGraph ?? 'full',
    labelModel: options.labelModel ?? 'features',
    outlier: options.outlier ?? 'on',
    autoHeterophily: options.autoHeterophily ?? 0.25,
    outlierFraction: options.outlierFraction ?? 0.1,
    weights: { ...DEFAULT_SIGNAL_WEIGHTS, ...(options.signalWeights ?? {}) },
  };
  checkInteger(fn, 'options.numSubgraphs', o.k, 1, 1000);
  checkRange(fn, 'options.rate', o.rate, 0, 1, { min: true, max: true });
  if (o.aggregation !== 'mean' && o.aggregation !== 'min')
    throw new LabInputError(fn, 'options.aggregation', "must be 'mean' or 'min'", o.aggregation);
  if (o.scoringGraph !== 'full' && o.scoringGraph !== 'subgraph' && o.scoringGraph !== 'pruned')
    throw new LabInputError(
      fn,
      'options.scoringGraph',
      "must be 'full', 'subgraph' or 'pruned'",
      o.scoringGraph,
    );
  if (o.labelModel !== 'features' && o.labelModel !== 'graph')
    throw new LabInputError(fn, 'options.labelModel', "must be 'features' or 'graph'", o.labelModel);
  if (o.outlier !== 'on' && o.outlier !== 'off' && o.outlier !== 'auto')
    throw new LabInputError(fn, 'options.outlier', "must be 'on', 'off' or 'auto'", o.outlier);
  checkRange(fn, 'options.autoHeterophily', o.autoHeterophily, 0, 1);
  checkRange(fn, 'options.outlierFraction', o.outlierFraction, 0, 1, { max: true });
  if (
    options.signalWeights !== undefined &&
    (options.signalWeights === null || typeof options.signalWeights !== 'object')
  ) {
    throw new LabInputError(
      fn,
      'options.signalWeights',
      'must be an object of non-negative weights',
      options.signalWeights,
    );
  }
  for (const [k, w] of Object.entries(o.weights)) {
    if (!(k in DEFAULT_SIGNAL_WEIGHTS))
      throw new LabInputError(
        fn,
        `options.signalWeights.${k}`,
        `is not a signal (${Object.keys(DEFAULT_SIGNAL_WEIGHTS).join(', ')})`,
        w,
      );
    checkRange(fn, `options.signalWeights.${k}`, w, 0, Number.MAX_VALUE);
  }
  if (options.threshold !== undefined) checkRange(fn, 'options.threshold', options.threshold, 0, 1);
  if (options.budget !== undefined) checkInteger(fn, 'options.budget', options.budget, 0, a.numEdges);
  if (
    options.calibration !== undefined &&
    (options.calibration === null || typeof options.calibration.attack !== 'function')
  ) {
    throw new LabInputError(
      fn,
      'options.calibration',
      'must be { attack: (graph) => AttackResult }',
      options.calibration,
    );
  }
  if (options.calibration?.suspects !== undefined)
    checkInteger(fn, 'options.calibration.suspects', options.calibration.suspects, 0, a.numEdges);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new LabInputError(fn, 'options.onProgress', 'must be a function', options.onProgress);
  }
  const report = (p: DetectionProgress): void => options.onProgress?.(p);
  const seed = String(createRng(options.seed).nextSeed());
  const x = featureMatrix(a.features, a.numNodes, a.numFeatures);
  const needLabels = o.outlier !== 'off' || options.calibration !== undefined || o.weights.labelDistance > 0;
  const signals = await computeSignals(a, x, o, options.classProbabilities, needLabels, seed, report);
  let scores = signals.combined;
  let calibration: DetectAdversarialEdgesResult['detailed']['calibration'] = null;
  if (options.calibration !== undefined) {
    const t = performance.now();
    report({ stage: 'calibration', done: 0, total: 1 });
    // The graph may already hold an attack's edges; left in the copy as negatives they would teach
    // the calibration that attack-like edges are clean. So the copy first loses the suspects (the
    // uncalibrated score's top `suspects` edges, none that would leave a node without neighbours),
    // and any suspect still present in the attacked copy is left out of the fit.
    const nSuspects = options.calibration.suspects ?? options.budget ?? Math.round(0.05 * a.numEdges);
    const suspects = new Set<string>();
    const pruned = graph.copy();
    for (const e of topIndices(signals.combined, Math.min(nSuspects, a.numEdges))) {
      const u = a.nodes[a.edges[2 * e]];
      const v = a.nodes[a.edges[2 * e + 1]];
      suspects.add(nodePairKey(u, v));
      if (pruned.degree(u) > 1 && pruned.degree(v) > 1) pruned.dropEdge(u, v);
    }
    const res = await options.calibration.attack(pruned);
    if (
      res === null ||
      typeof res !== 'object' ||
      !Array.isArray(res.flips) ||
      typeof res.graph?.forEachNode !== 'function'
    ) {
      throw new LabInputError(
        fn,
        'options.calibration.attack',
        'must return an AttackResult { graph, flips, budget }',
        res,
      );
    }
    const ca = graphArrays(res.graph, fn);
    const added = new Set<string>();
    for (const f of res.flips) {
      if (f.op !== 'add') continue;
      const i = ca.index.get(f.source);
      const j = ca.index.get(f.target);
      if (i === undefined || j === undefined) continue;
      added.add(i < j ? `${i},${j}` : `${j},${i}`);
    }
    const yc = new Uint8Array(ca.numEdges);
    let injected = 0;
    for (let e = 0; e < ca.numEdges; e++) {
      if (added.has(`${ca.edges[2 * e]},${ca.edges[2 * e + 1]}`)) {
        yc[e] = 1;
        injected++;
      }
    }
    if (injected === 0 || injected === ca.numEdges) {
      throw new LabInputError(
        fn,
        'options.calibration.attack',
        'must inject at least one edge (and leave some clean ones) to calibrate on',
        injected,
      );
    }
    const cs = await computeSignals(
      ca,
      featureMatrix(ca.features, ca.numNodes, ca.numFeatures),
      o,
      undefined,
      true,
      `${seed}-cal`,
      () => {},
    );
    const keep = new Uint8Array(ca.numEdges).fill(1);
    let excluded = 0;
    for (let e = 0; e < ca.numEdges; e++) {
      if (yc[e]) continue;
      if (suspects.has(nodePairKey(ca.nodes[ca.edges[2 * e]], ca.nodes[ca.edges[2 * e + 1]]))) {
        keep[e] = 0;
        excluded++;
      }
    }
    const dc = design(cs);
    const model = fitLogisticRegression(dc.x, dc.dim, yc, { keep });
    const aucBefore = rocAuc(cs.combined, yc);
    const aucAfter = rocAuc(model.score(dc.x), yc);
    scores = model.score(design(signals).x);
    calibration = { injected, excluded, aucBefore, aucAfter, featureNames: dc.names, weights: model.weights };
    signals.timingMs.calibration = performance.now() - t;
    report({ stage: 'calibration', done: 1, total: 1 });
  }
  const edges: EdgeRef[] = [];
  for (let e = 0; e < a.numEdges; e++)
    edges.push({ source: a.nodes[a.edges[2 * e]], target: a.nodes[a.edges[2 * e + 1]] });
  let flaggedIndex: Int32Array;
  if (options.threshold !== undefined) {
    const order = topIndices(scores, a.numEdges);
    flaggedIndex = order.filter((e) => scores[e] >= (options.threshold as number));
  } else {
    flaggedIndex = topIndices(scores, options.budget ?? 0);
  }
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
