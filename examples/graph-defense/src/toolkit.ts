import { Gcn, graphArrays, type LabeledGraph, loadGraphFolder } from '@lab/core';
import {
  type AttackResult,
  applyEdgeFlips,
  type ContextualSbmOptions,
  contextualSbm,
  type DetectAdversarialEdgesOptions,
  type DetectAdversarialEdgesResult,
  detectAdversarialEdges,
  diceAttack,
  type EdgeFlip,
  metattack,
  pgdAttack,
  randomAttack,
} from '@lab/graph-defense';
import { baselineDetection } from './baselines.js';
import type { AttackName, DetectContext, Detection, DetectorName, Toolkit, VictimResult } from './grid.js';

export type Graph = LabeledGraph;

/** One synthetic graph family of the grid. */
export interface CsbmFamily {
  name: string;
  description: string;
  options: Omit<ContextualSbmOptions, 'seed'>;
}

/**
 * The two CSBM families: high homophily with strong features, and lower homophily with weaker
 * features. Binary (bag-of-words-like) features so the feature-Jaccard baseline has something
 * to compare; 4 balanced classes, mean degree 5, 10 % of nodes labelled for training.
 */
export const CSBM_FAMILIES: CsbmFamily[] = [
  {
    name: 'csbmHigh',
    description: 'CSBM, homophily 0.9, strong binary features (signal 4)',
    options: {
      nodes: 1000,
      classes: 4,
      avgDegree: 5,
      homophily: 0.9,
      featureDim: 400,
      features: 'binary',
      featureSignal: 4,
      featureDensity: 0.03,
    },
  },
  {
    name: 'csbmLow',
    description: 'CSBM, homophily 0.6, weak binary features (signal 1)',
    options: {
      nodes: 1000,
      classes: 4,
      avgDegree: 5,
      homophily: 0.6,
      featureDim: 400,
      features: 'binary',
      featureSignal: 1,
      featureDensity: 0.03,
    },
  },
];

/** Builds one CSBM graph of a family (seeded); `nodes` overrides the family's size. */
export function makeCsbm(family: CsbmFamily, seed: number, nodes?: number): Graph {
  return contextualSbm({
    ...family.options,
    nodes: nodes ?? family.options.nodes,
    seed: `${family.name}-${seed}`,
  });
}

/** Loads a graph folder (optionally its largest connected component). */
export async function loadDataset(dir: string, options: { largestComponent: boolean }): Promise<Graph> {
  return loadGraphFolder(dir, { largestComponent: options.largestComponent });
}

/** Applies a perturbation made elsewhere (a copy; the clean graph is untouched). */
export function applyFlips(graph: Graph, flips: readonly EdgeFlip[]): Graph {
  return applyEdgeFlips(graph, flips);
}

/** Settings of the toolkit per mode; `describe` goes into report.json `settings`. */
export interface ToolkitSettings {
  quick: boolean;
  /** EDoG subgraphs K in this mode. */
  edogSubgraphs: number;
  /** Projected gradient steps of PGD (the package default, 200, in full mode). */
  pgdEpochs: number;
  metattack: { approximate: boolean | { flipsPerStep: number } };
  describe: Record<string, unknown>;
}

export function toolkitSettings(quick: boolean): ToolkitSettings {
  const edogSubgraphs = 4;
  const pgdEpochs = quick ? 30 : 200;
  return {
    quick,
    edogSubgraphs,
    pgdEpochs,
    metattack: { approximate: true },
    describe: {
      victim:
        'GCN (Kipf & Welling: 16 hidden, dropout 0.5, Adam 0.01, wd 5e-4, 200 epochs), poisoning: trained and tested on the attacked graph',
      edogSubgraphs,
      edogLabels:
        "EDoG's default label model: a features-only classifier (Kipf's GCN settings on the graph without edges), trained inside every EDoG run; the victim GCN's predictions feed only the label-outlier baseline",
      edogCalibration:
        "the same attack with the same settings at the same rate, another seed, on a copy without the uncalibrated score's top round(rate x |E|) edges (attack knowledge)",
      trueLabels:
        "reference, not a detector: 1 when the endpoints' true classes differ (knows every node's class); the Bayes-optimal score for Random insertions on a CSBM",
      edogNoOutlier: "outlier: 'off' (ablation of the outlier step, which is on by default); full mode only",
      defence: 'remove the round(rate * |E|) edges EDoG (no knowledge) scores highest, retrain the GCN',
      random: 'random edge additions',
      dice: 'DICE: delete intra-class, insert inter-class edges (labels known to the attacker)',
      pgd: `PGD topology attack (Xu et al. 2019), CE loss, ${pgdEpochs} projected-gradient steps, 20 samples; the flips are computed against a GCN trained on the clean graph (evasion) and evaluated by poisoning`,
      metattack: 'Meta-Self, approximate (several flips per meta-gradient)',
    },
  };
}

/** `graph` without the given edges (a copy). */
function removeEdges(graph: Graph, edges: Array<{ source: string; target: string }>): Graph {
  const out = graph.copy();
  for (const e of edges) if (out.hasEdge(e.source, e.target)) out.dropEdge(e.source, e.target);
  return out;
}

function fromEdog(r: DetectAdversarialEdgesResult): Detection {
  return {
    scores: r.edges.map((e, i) => ({ source: e.source, target: e.target, score: r.scores[i] as number })),
    flagged: r.flagged,
  };
}

/**
 * The true-label reference: an edge scores 1 when its endpoints' true classes (the `label`
 * attribute, known here for every node) differ, else 0. Not a detector: an upper bound for
 * class-based detection, and the Bayes-optimal score for Random insertions on a CSBM.
 */
export function trueLabelReference(graph: Graph): Detection {
  const scores: Detection['scores'] = [];
  graph.forEachEdge((_e, _attr, s, t, sa, ta) => {
    scores.push({ source: s, target: t, score: sa.label !== ta.label ? 1 : 0 });
  });
  return { scores, flagged: [] };
}

/** The grid's operations over @lab/graph-defense. */
export function createToolkit(settings: ToolkitSettings): Toolkit<Graph> {
  const edogCache = new WeakMap<Graph, DetectAdversarialEdgesResult>();

  const runAttack = async (
    name: AttackName,
    graph: Graph,
    rate: number,
    seed: number | string,
  ): Promise<AttackResult> => {
    switch (name) {
      case 'random':
        return randomAttack(graph, { rate, seed, mode: 'add' });
      case 'dice':
        return diceAttack(graph, { rate, seed });
      case 'pgd':
        return pgdAttack(graph, { rate, seed, epochs: settings.pgdEpochs });
      case 'metattack':
        return metattack(graph, {
          rate,
          seed,
          approximate: settings.metattack.approximate,
        });
    }
  };

  const edogOptions = (graph: Graph, context: DetectContext): DetectAdversarialEdgesOptions => {
    const k = settings.edogSubgraphs;
    const o: DetectAdversarialEdgesOptions = {
      seed: `edog-${context.seed}`,
      numSubgraphs: k,
      budget: Math.round(context.rate * graph.size),
    };
    return o;
  };

  return {
    async attack(name, graph, { rate, seed }) {
      const r = await runAttack(name, graph, rate, `${name}-${seed}`);
      return { graph: r.graph, flips: r.flips };
    },
    async detect(name: DetectorName, graph: Graph, context: DetectContext): Promise<Detection> {
      switch (name) {
        case 'edog': {
          const r = await detectAdversarialEdges(graph, edogOptions(graph, context));
          edogCache.set(graph, r);
          return fromEdog(r);
        }
        case 'edogNoOutlier': {
          const prev = edogCache.get(graph);
          if (prev && !prev.detailed.outlier.enabled) return fromEdog(prev);
          return fromEdog(
            await detectAdversarialEdges(graph, { ...edogOptions(graph, context), outlier: 'off' }),
          );
        }
        case 'edogCalibrated': {
          if (context.attack === 'given') throw new Error('edogCalibrated needs a known attack');
          const attack = context.attack;
          const calibration = {
            attack: (g: Graph) => runAttack(attack, g, context.rate, `calibration-${attack}-${context.seed}`),
          };
          return fromEdog(
            await detectAdversarialEdges(graph, { ...edogOptions(graph, context), calibration }),
          );
        }
        case 'trueLabels':
          return trueLabelReference(graph);
        default:
          return baselineDetection(name, graph, {
            seed: context.seed,
            budget: Math.round(context.rate * graph.size),
            ...(context.probabilities ? { probabilities: context.probabilities } : {}),
          });
      }
    },
    async victim(graph: Graph, seed: number): Promise<VictimResult> {
      const { numFeatures, numClasses } = graphArrays(graph);
      const model = new Gcn({ numFeatures, numClasses, seed: `victim-${seed}` });
      try {
        const r = await model.fit(graph, { seed: `victim-${seed}` });
        return { accuracy: r.testAccuracy, probabilities: model.probabilities() };
      } finally {
        model.dispose();
      }
    },
    removeEdges,
    numEdges: (g: Graph) => g.size,
  };
}
