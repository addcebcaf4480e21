import { type GraphArrays, LabInputError } from '@lab/core';
import type { DetectionProgress } from '../../detectAdversarialEdges.js';
import { probabilityDistance } from '../../detectionUtils.js';
import { edgeFeatures, type EdgeFeaturesResult } from '../../edgeFeatures.js';
import { fitGcnVictim } from '../../victims.js';
import type { ResolvedDetectOptions } from '../resolveDetectOptions.js';

/** The signals derived from predicted node labels. */
export interface LabelSignals {
  /** Total-variation distance of the endpoints' predicted class probabilities, per edge. */
  labelDistance: Float64Array;
  /** Edge features (neighbourhood labels, degrees, feature and embedding similarity). */
  features: EdgeFeaturesResult;
  /** Share of edges whose endpoints get different predicted labels. */
  heterophily: number;
}

/** Arg-max class per node; known training labels override the prediction. */
/** Arg-max class per node, with the known training labels kept. Internal (also the label-outlier baseline). */
export function predictedLabels(a: GraphArrays, probs: Float32Array): Int32Array {
  const c = a.numClasses;
  const y = new Int32Array(a.numNodes);
  for (let i = 0; i < a.numNodes; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (probs[i * c + k] > probs[i * c + best]) best = k;
    y[i] = best;
  }
  for (const i of a.train) if (a.labels[i] >= 0) y[i] = a.labels[i];
  return y;
}

/**
 * Class probabilities from `o.labelModel` (a features-only GCN, i.e. an MLP, or a GCN on the
 * observed graph), unless the caller gave them.
 */
export async function classProbabilities(
  a: GraphArrays,
  o: Pick<ResolvedDetectOptions, 'labelModel'>,
  given: Float32Array | undefined,
  seed: string,
  report: (p: DetectionProgress) => void,
): Promise<Float32Array> {
  if (given !== undefined) return given;
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
  let probs: Float32Array;
  try {
    probs = gcn.probabilities();
  } finally {
    gcn.dispose();
  }
  report({ stage: 'labels', done: 1, total: 1 });
  return probs;
}

/** Label distance, edge features and heterophily of the predicted labels `probs` (`N x C`). */
export function labelSignals(a: GraphArrays, probs: Float32Array): LabelSignals {
  const c = a.numClasses;
  const m = a.numEdges;
  const y = predictedLabels(a, probs);
  const labelDistance = probabilityDistance(probs, c, a.edges);
  const features = edgeFeatures({
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
  return { labelDistance, features, heterophily: m === 0 ? 0 : hetero / m };
}
