import {
  fitLogisticRegression,
  type GraphArrays,
  graphArrays,
  LabInputError,
  type LabeledGraph,
  rocAuc,
} from '@lab/core';
import type { DetectAdversarialEdgesResult } from '../detectAdversarialEdges.js';
import { rankNormalize, topIndices } from '../detectionUtils.js';
import { featureMatrix } from '../linkPredictor.js';
import { nodePairKey } from '../nodePairKey.js';
import type { EdgeFlip } from '../graphTypes.js';
import { computeSignals, type Signals } from './computeSignals.js';
import type { ResolvedDetectOptions } from './resolveDetectOptions.js';

const FN = 'detectAdversarialEdges';

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

/** Per-edge labels of the attacked copy: 1 for the edges the attack's `add` flips inserted. */
function injectedEdges(ca: GraphArrays, flips: readonly EdgeFlip[]): Uint8Array {
  const added = new Set<string>();
  for (const f of flips) {
    if (f.op !== 'add') continue;
    const i = ca.index.get(f.source);
    const j = ca.index.get(f.target);
    if (i === undefined || j === undefined) continue;
    added.add(i < j ? `${i},${j}` : `${j},${i}`);
  }
  const yc = new Uint8Array(ca.numEdges);
  for (let e = 0; e < ca.numEdges; e++) if (added.has(`${ca.edges[2 * e]},${ca.edges[2 * e + 1]}`)) yc[e] = 1;
  return yc;
}

/**
 * The calibration step: removes the uncalibrated score's top `suspects` edges from a copy of
 * `graph` (none that would strand a node), attacks the copy with the caller's attack, computes
 * the signals there and fits a logistic regression telling the injected edges from the others
 * (suspects still present are left out of the fit); returns the calibrated scores of `signals`.
 */
export async function calibrate(
  graph: LabeledGraph,
  a: GraphArrays,
  signals: Signals,
  o: ResolvedDetectOptions & { calibration: NonNullable<ResolvedDetectOptions['calibration']> },
): Promise<{
  scores: Float64Array;
  calibration: NonNullable<DetectAdversarialEdgesResult['detailed']['calibration']>;
}> {
  // The graph may already hold an attack's edges; left in the copy as negatives they would teach
  // the calibration that attack-like edges are clean. So the copy first loses the suspects, and
  // any suspect still present in the attacked copy is left out of the fit.
  const nSuspects = o.calibration.suspects ?? o.budget ?? Math.round(0.05 * a.numEdges);
  const suspects = new Set<string>();
  const pruned = graph.copy();
  for (const e of topIndices(signals.combined, Math.min(nSuspects, a.numEdges))) {
    const u = a.nodes[a.edges[2 * e]];
    const v = a.nodes[a.edges[2 * e + 1]];
    suspects.add(nodePairKey(u, v));
    if (pruned.degree(u) > 1 && pruned.degree(v) > 1) pruned.dropEdge(u, v);
  }
  const res = await o.calibration.attack(pruned);
  if (
    res === null ||
    typeof res !== 'object' ||
    !Array.isArray(res.flips) ||
    typeof res.graph?.forEachNode !== 'function'
  ) {
    throw new LabInputError(
      FN,
      'options.calibration.attack',
      'must return an AttackResult { graph, flips, budget }',
      res,
    );
  }
  const ca = graphArrays(res.graph, FN);
  const yc = injectedEdges(ca, res.flips);
  const injected = yc.reduce((s, v) => s + v, 0);
  if (injected === 0 || injected === ca.numEdges) {
    throw new LabInputError(
      FN,
      'options.calibration.attack',
      'must inject at least one edge (and leave some clean ones) to calibrate on',
      injected,
    );
  }
  const cs = await computeSignals(ca, featureMatrix(ca.features, ca.numNodes, ca.numFeatures), o, {
    probabilities: undefined,
    needLabels: true,
    seed: `${o.seed}-cal`,
    report: () => {},
  });
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
  return {
    scores: model.score(design(signals).x),
    calibration: {
      injected,
      excluded,
      aucBefore: rocAuc(cs.combined, yc),
      aucAfter: rocAuc(model.score(dc.x), yc),
      featureNames: dc.names,
      weights: model.weights,
    },
  };
}
