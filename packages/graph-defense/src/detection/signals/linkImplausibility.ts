import type { GraphArrays, SparseMatrix } from '@lab/core';
import type { DetectionProgress, SubgraphDiagnostics } from '../../detectAdversarialEdges.js';
import { edgesAt } from '../../detectionUtils.js';
import { trainLinkPredictor } from '../../linkPredictor.js';
import { sampleSubgraphs } from '../../sampleSubgraphs.js';
import type { ResolvedDetectOptions } from '../resolveDetectOptions.js';

/** Link-prediction implausibility per edge, with the per-subgraph diagnostics. */
export interface LinkImplausibility {
  /** `1 - aggregated link probability` over the models whose subgraph did not contain the edge. */
  linkScores: Float64Array;
  /** Models that scored each edge (held out of their subgraph). */
  heldOutCount: Int32Array;
  subgraphs: SubgraphDiagnostics[];
}

/** The observed edges without those at `exclude` (EDoG's `pruned` scoring graph). */
function withoutEdges(edges: Int32Array, m: number, exclude: Int32Array): Int32Array {
  if (exclude.length === 0) return edges;
  const drop = new Uint8Array(m);
  for (const e of exclude) drop[e] = 1;
  const kept: number[] = [];
  for (let e = 0; e < m; e++) if (!drop[e]) kept.push(e);
  return edgesAt(edges, kept);
}

/**
 * EDoG's link signal: samples `k` node-induced subgraphs (rate `r`, never containing the
 * `exclude` edges), trains a GAE link predictor on each and scores every edge by the models that
 * did not see it: `1 - mean` (or `min`) of their predicted link probabilities. An edge every
 * subgraph contained falls back on the mean over all models.
 */
export function linkImplausibility(
  a: GraphArrays,
  x: SparseMatrix,
  o: Pick<ResolvedDetectOptions, 'k' | 'rate' | 'lp' | 'aggregation' | 'scoringGraph'>,
  exclude: Int32Array,
  seed: string,
  report: (p: DetectionProgress) => void,
): LinkImplausibility {
  const m = a.numEdges;
  const { subgraphs, heldOutCount } = sampleSubgraphs(a.numNodes, a.edges, {
    numSubgraphs: o.k,
    rate: o.rate,
    exclude,
    seed: `${seed}-subgraphs`,
  });
  const prunedEdges = o.scoringGraph === 'pruned' ? withoutEdges(a.edges, m, exclude) : a.edges;
  const messagePassing =
    o.scoringGraph === 'full' ? a.edges : o.scoringGraph === 'pruned' ? prunedEdges : undefined;
  const sum = new Float64Array(m);
  const min = new Float64Array(m).fill(1);
  const cnt = new Int32Array(m);
  const allSum = new Float64Array(m);
  const diag: SubgraphDiagnostics[] = [];
  subgraphs.forEach((sg, s) => {
    const t0 = performance.now();
    report({ stage: 'subgraphs', done: s, total: o.k });
    let scored = 0;
    let finalLoss = Number.NaN;
    if (sg.edgeIndex.length > 0 && sg.nodes.length >= 2) {
      const model = trainLinkPredictor(
        { numNodes: a.numNodes, features: x, edges: edgesAt(a.edges, sg.edgeIndex), negativeNodes: sg.nodes },
        { ...o.lp, seed: `${seed}-lp-${s}` },
      );
      finalLoss = model.finalLoss;
      const logits = model.logits(model.embed(messagePassing), a.edges);
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
    const plaus = cnt[e] === 0 ? allSum[e] / o.k : o.aggregation === 'mean' ? sum[e] / cnt[e] : min[e];
    linkScores[e] = 1 - plaus;
  }
  return { linkScores, heldOutCount, subgraphs: diag };
}
