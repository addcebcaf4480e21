import { predictedLabels } from './detection/signals/labelSignals.js';
import {
  createRng,
  DEFAULT_SEED,
  LabInputError,
  graphArrays,
  type GraphArrays,
  type LabeledGraph,
  isolationForest,
  readOptions,
  resolveRng,
  type Rng,
} from '@lab/core';
import type { EdgeRef } from './detectAdversarialEdges.js';
import { buildCsr, checkArrays, degrees } from './detectionUtils.js';
import { edgeFeatures } from './edgeFeatures.js';
import { fitGcnVictim } from './victims.js';
import { featureMatrix, type LinkPredictorOptions, trainLinkPredictor } from './linkPredictor.js';

/** The baseline edge scorers. */
export type BaselineMethod = 'featureJaccard' | 'gaeWholeGraph' | 'neighbourhoodLabelOutlier' | 'degree';

const BASELINE_METHODS: readonly BaselineMethod[] = [
  'featureJaccard',
  'gaeWholeGraph',
  'neighbourhoodLabelOutlier',
  'degree',
];

/** Options of {@link baselineEdgeScores}. */
export interface BaselineEdgeScoresOptions {
  /** Which baseline scores the edges. */
  method: BaselineMethod;
  /**
   * Seed (the GAE and the label-outlier baselines are stochastic); default `DEFAULT_SEED` (0).
   * At most one of `seed` and `rng`.
   */
  seed?: number | string;
  /** A generator to draw the baseline's seed from instead of `seed` (advanced by one draw). */
  rng?: Rng;
  /** GAE settings for `gaeWholeGraph`. */
  linkPredictor?: Omit<LinkPredictorOptions, 'seed'>;
  /** Class probabilities (`N x C`) for `neighbourhoodLabelOutlier` instead of training a GCN. */
  classProbabilities?: Float32Array;
}

/** What {@link baselineEdgeScores} returns. */
export interface BaselineEdgeScoresResult {
  method: BaselineMethod;
  /** Every edge, in {@link GraphArrays} order. */
  edges: EdgeRef[];
  /** Score per edge: higher = more likely adversarial. */
  scores: Float64Array;
  ms: number;
}

/**
 * `1 - Jaccard(x_u, x_v)` of the endpoints' non-zero feature sets (GCN-Jaccard's criterion: it
 * drops edges with Jaccard below a threshold). Two all-zero rows get Jaccard 0.
 *
 * @see Wu et al., "Adversarial Examples on Graph Data: Deep Insights into Attack and Defense", IJCAI 2019.
 */
export function featureJaccardScores(a: GraphArrays): Float64Array {
  checkArrays('featureJaccardScores', 'arrays', a, true);
  const f = a.numFeatures;
  // Non-zero feature indices per node.
  const nz: Int32Array[] = [];
  for (let i = 0; i < a.numNodes; i++) {
    const list: number[] = [];
    for (let c = 0; c < f; c++) if (a.features[i * f + c] !== 0) list.push(c);
    nz.push(Int32Array.from(list));
  }
  const out = new Float64Array(a.numEdges);
  for (let e = 0; e < a.numEdges; e++) {
    const p = nz[a.edges[2 * e]];
    const q = nz[a.edges[2 * e + 1]];
    let i = 0;
    let j = 0;
    let inter = 0;
    while (i < p.length && j < q.length) {
      if (p[i] === q[j]) {
        inter++;
        i++;
        j++;
      } else if (p[i] < q[j]) i++;
      else j++;
    }
    const union = p.length + q.length - inter;
    out[e] = 1 - (union === 0 ? 0 : inter / union);
  }
  return out;
}

/**
 * `1/deg(u) + 1/deg(v)`: edges between low-degree nodes score high (gradient attacks favour
 * low-degree targets, whose neighbourhoods one edge changes most).
 */
export function degreeScores(a: GraphArrays): Float64Array {
  checkArrays('degreeScores', 'arrays', a, false);
  const d = degrees(buildCsr(a.numNodes, a.edges));
  const out = new Float64Array(a.numEdges);
  for (let e = 0; e < a.numEdges; e++) out[e] = 1 / d[a.edges[2 * e]] + 1 / d[a.edges[2 * e + 1]];
  return out;
}

/**
 * One GAE trained on the whole (possibly attacked) graph; score = `1 - sigmoid(z_u . z_v)`.
 * Unlike EDoG, the model has seen every edge it scores, adversarial ones included.
 *
 * @see Kipf & Welling, "Variational Graph Auto-Encoders", 2016 (arXiv 1611.07308).
 */
export function gaeWholeGraphScores(
  a: GraphArrays,
  options: { seed: number | string; linkPredictor?: Omit<LinkPredictorOptions, 'seed'> },
): Float64Array {
  checkArrays('gaeWholeGraphScores', 'arrays', a, true);
  const model = trainLinkPredictor(
    { numNodes: a.numNodes, features: featureMatrix(a.features, a.numNodes, a.numFeatures), edges: a.edges },
    { ...(options.linkPredictor ?? {}), seed: options.seed },
  );
  const logits = model.logits(model.embed(), a.edges);
  return Float64Array.from(logits, (l) => 1 - 1 / (1 + Math.exp(-l)));
}

/**
 * Isolation forest on the neighbourhood-label features only (label distribution of each
 * endpoint's neighbours under a GCN's predicted labels, degrees, label agreement): the outlier
 * detector of Xu et al.'s predecessor paper, without feature similarity or embeddings.
 *
 * @see Xu et al., "Characterizing Malicious Edges targeting on Graph Neural Networks", ICLR 2019 submission.
 */
export async function neighbourhoodLabelOutlierScores(
  a: GraphArrays,
  options: { seed: number | string; classProbabilities?: Float32Array },
): Promise<Float64Array> {
  const fn = 'neighbourhoodLabelOutlierScores';
  checkArrays(fn, 'arrays', a, true);
  const rng = createRng(options.seed);
  let probs = options.classProbabilities;
  if (probs === undefined) {
    if (a.train.length === 0)
      throw new LabInputError(
        fn,
        'arrays.train',
        'must hold training nodes to predict labels (or pass classProbabilities)',
        0,
      );
    const gcn = (await fitGcnVictim(fn, a, undefined, rng.nextSeed())).model;
    try {
      probs = gcn.probabilities();
    } finally {
      gcn.dispose();
    }
  }
  const c = a.numClasses;
  if (!(probs instanceof Float32Array) || probs.length !== a.numNodes * c) {
    throw new LabInputError(
      fn,
      'options.classProbabilities',
      `must be a Float32Array of ${a.numNodes * c}`,
      probs,
    );
  }
  const y = predictedLabels(a, probs);
  const feats = edgeFeatures({ numNodes: a.numNodes, edges: a.edges, predictedLabels: y, numClasses: c });
  return isolationForest(feats.values, feats.dim, { seed: rng.nextSeed() }).scores;
}

/**
 * Scores every edge of a graph with one of the baselines EDoG is compared with: feature
 * Jaccard (GCN-Jaccard), a GAE trained on the whole graph, neighbourhood-label outlier
 * detection, or degree. Higher = more likely adversarial.
 *
 * @param graph - an undirected {@link LabeledGraph} (not modified).
 * @param options - `method`, and `seed` or `rng` for the stochastic baselines.
 * @example
 * ```ts
 * const clean = contextualSbm({ nodes: 200, classes: 3, avgDegree: 6, homophily: 0.9, featureDim: 16, featureSignal: 2, seed: 1 });
 * const { scores } = await baselineEdgeScores(clean, { method: 'degree' });
 * scores.length; // one score per edge
 * ```
 * @see Xu et al., "EDoG: Adversarial Edge Detection For Graph Neural Networks", SaTML 2023 (arXiv 2212.13607), baselines.
 */
export async function baselineEdgeScores(
  graph: LabeledGraph,
  options: BaselineEdgeScoresOptions,
): Promise<BaselineEdgeScoresResult> {
  const fn = 'baselineEdgeScores';
  const t = performance.now();
  const o = readOptions(fn, options, ['method', 'seed', 'rng', 'linkPredictor', 'classProbabilities']);
  const method = o.oneOf('method', BASELINE_METHODS);
  // A given seed is used as is (so published numbers stay reproducible); an rng yields one.
  const rng = resolveRng(fn, {
    seed: o.raw('seed') as number | string | undefined,
    rng: o.raw('rng') as Rng | undefined,
  });
  const seed = o.has('rng')
    ? rng.nextSeed()
    : ((o.raw('seed') as number | string | undefined) ?? DEFAULT_SEED);
  const linkPredictor = o.raw('linkPredictor') as BaselineEdgeScoresOptions['linkPredictor'];
  const classProbabilities = o.raw('classProbabilities') as Float32Array | undefined;
  const a = graphArrays(graph, fn);
  let scores: Float64Array;
  switch (method) {
    case 'featureJaccard':
      scores = featureJaccardScores(a);
      break;
    case 'degree':
      scores = degreeScores(a);
      break;
    case 'gaeWholeGraph':
      scores = gaeWholeGraphScores(a, { seed, linkPredictor: linkPredictor ?? {} });
      break;
    case 'neighbourhoodLabelOutlier':
      scores = await neighbourhoodLabelOutlierScores(
        a,
        classProbabilities === undefined ? { seed } : { seed, classProbabilities },
      );
      break;
    default:
      throw new LabInputError(fn, 'options.method', `must be one of ${BASELINE_METHODS.join(', ')}`, method);
  }
  const edges: EdgeRef[] = [];
  for (let e = 0; e < a.numEdges; e++)
    edges.push({ source: a.nodes[a.edges[2 * e]], target: a.nodes[a.edges[2 * e + 1]] });
  return { method, edges, scores, ms: performance.now() - t };
}
