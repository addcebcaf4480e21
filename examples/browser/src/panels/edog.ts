import { createRng, rocAuc } from '@lab/core';
import { contextualSbm, detectAdversarialEdges, diceAttack, nodePairKey } from '@lab/graph-defense';
import type { Progress } from './progress.js';

/** Settings of the EDoG panel: a small synthetic graph generated in the page. */
export interface EdogPanelSettings {
  seed: number;
  nodes: number;
  classes: number;
  avgDegree: number;
  /** Edges flipped by DICE (insertions between classes, deletions within). */
  flips: number;
  /** Subgraphs EDoG samples (one link predictor each). */
  numSubgraphs: number;
  /** How many top-scored edges are highlighted as suspects. */
  suspects: number;
}

export const EDOG_DEFAULTS: Omit<EdogPanelSettings, 'seed'> = {
  nodes: 90,
  classes: 3,
  avgDegree: 5,
  flips: 16,
  numSubgraphs: 4,
  suspects: 10,
};

interface ScoredEdge {
  source: string;
  target: string;
  score: number;
  /** Whether the attack inserted this edge. */
  injected: boolean;
}

/** What the panel computes. */
export interface EdogPanelResult {
  nodes: number;
  edges: number;
  injected: number;
  /** ROC-AUC of the EDoG scores for "inserted by the attack" over every edge of the attacked graph. */
  auc: number;
  /** Injected edges among the `suspects` highest-scored ones. */
  hitsAtSuspects: number;
  suspects: ScoredEdge[];
  /** Every edge of the attacked graph with its score, in the graph's edge order. */
  scored: ScoredEdge[];
  /** Class and a deterministic layout position (in [0, 1]^2) per node, for drawing. */
  layout: Array<{ id: string; label: number; x: number; y: number }>;
}

/**
 * A contextual SBM graph attacked with DICE; EDoG (@lab/graph-defense) scores every edge of the
 * attacked graph and the highest-scored ones are the suspects.
 */
export async function runEdogPanel(
  settings: EdogPanelSettings,
  progress: Progress = () => {},
): Promise<EdogPanelResult> {
  progress(0, 'generating the graph');
  const clean = contextualSbm({
    nodes: settings.nodes,
    classes: settings.classes,
    avgDegree: settings.avgDegree,
    homophily: 0.9,
    featureDim: 16,
    featureSignal: 3,
    seed: settings.seed,
  });
  const attack = diceAttack(clean, { budget: settings.flips, removeFraction: 0, seed: settings.seed });
  const graph = attack.graph;
  const injectedKeys = new Set(
    attack.flips.filter((f) => f.op === 'add').map((f) => nodePairKey(f.source, f.target)),
  );
  const stages = { labels: 0.1, outliers: 0.2, subgraphs: 0.3, calibration: 0 } as const;
  const result = await detectAdversarialEdges(graph, {
    numSubgraphs: settings.numSubgraphs,
    seed: settings.seed,
    onProgress: (p) =>
      progress(
        p.stage === 'subgraphs' ? 0.3 + (0.7 * p.done) / Math.max(1, p.total) : stages[p.stage],
        `${p.stage} ${p.done}/${p.total}`,
      ),
  });
  const scored: ScoredEdge[] = result.edges.map((e, k) => ({
    source: e.source,
    target: e.target,
    score: result.scores[k]!,
    injected: injectedKeys.has(nodePairKey(e.source, e.target)),
  }));
  const suspects = [...scored].sort((a, b) => b.score - a.score).slice(0, settings.suspects);
  // Layout: classes on a circle, nodes jittered around their class centre (seeded).
  const rng = createRng(settings.seed).fork('layout');
  const layout = graph.mapNodes((id, attrs) => {
    const angle = (2 * Math.PI * attrs.label) / settings.classes;
    const r = 0.17 * Math.sqrt(rng.next());
    const t = 2 * Math.PI * rng.next();
    return {
      id,
      label: attrs.label,
      x: 0.5 + 0.28 * Math.cos(angle) + r * Math.cos(t),
      y: 0.5 + 0.28 * Math.sin(angle) + r * Math.sin(t),
    };
  });
  progress(1, 'done');
  return {
    nodes: graph.order,
    edges: graph.size,
    injected: injectedKeys.size,
    auc: rocAuc(
      scored.map((e) => e.score),
      scored.map((e) => (e.injected ? 1 : 0)),
    ),
    hitsAtSuspects: suspects.filter((e) => e.injected).length,
    suspects,
    scored,
    layout,
  };
}
