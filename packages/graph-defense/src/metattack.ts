import { LabInputError, type LabeledGraph, readOptions, type SeedOptions } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  degreesOf,
  degreeStats,
  denseAdjacency,
  readAttackGraph,
  trainLinearSurrogate,
} from './denseSurrogate.js';
import { applyEdgeFlips } from './applyEdgeFlips.js';
import { ATTACK_BUDGET_KEYS, readAttackBudget } from './attackBudget.js';
import { applyFlip, bestFlip, createFlipState } from './metattack/flipSelection.js';
import { createMetaObjective } from './metattack/metaObjective.js';
import type { AttackResult, EdgeFlip } from './graphTypes.js';

const FN = 'metattack';

/** Progress report of {@link metattack}, once per meta-gradient. */
export interface MetattackProgress {
  /** Meta-gradient steps done. */
  step: number;
  /** Meta-gradient steps planned. */
  steps: number;
  /** Flips chosen so far. */
  flips: number;
  budget: number;
  /** Attack loss of the surrogate after inner training, before this step's flips. */
  loss: number;
}

/** Settings of the approximate mode of {@link metattack}. */
export interface MetattackApproximation {
  /**
   * Flips taken greedily from one meta-gradient (default: `ceil(budget / 20)`, i.e. about 20
   * meta-gradients for the whole budget). 1 is the exact greedy attack.
   */
  flipsPerStep?: number;
}

/** Options of {@link metattack}. */
export interface MetattackOptions extends SeedOptions {
  /** Fraction of the edge count to flip (default 0.05); budget = `round(rate * |E|)` (`attackBudget`). */
  rate?: number;
  /** Number of flips (instead of `rate`). */
  budget?: number;
  /**
   * `'self'` (Meta-Self, lambda = 0: self-training loss on the unlabelled nodes, the default),
   * `'train'` (Meta-Train, lambda = 1: loss on the labelled nodes), or a lambda in [0, 1].
   */
  variant?: 'self' | 'train' | number;
  /** Inner training steps unrolled per meta-gradient (default 100, as DeepRobust). */
  trainIters?: number;
  /** Inner SGD learning rate (default 0.1). */
  lr?: number;
  /** Inner SGD momentum (default 0.9). */
  momentum?: number;
  /** Surrogate hidden width (default 16). */
  hidden?: number;
  /**
   * Take several flips per meta-gradient (see {@link MetattackApproximation}); `true` uses the
   * defaults. Default `false`: one flip per meta-gradient, the exact greedy attack.
   */
  approximate?: boolean | MetattackApproximation;
  /**
   * Reject flips that make the degree sequence fail the power-law likelihood-ratio test
   * (Zügner et al.; DeepRobust's `ll_constraint`). Default `false`, as DeepRobust's and
   * Pro-GNN's attacked-graph scripts run it.
   */
  llConstraint?: boolean;
  /** Critical value of the likelihood-ratio test (default 0.004, DeepRobust's `ll_cutoff`). */
  llCutoff?: number;
  onProgress?: (progress: MetattackProgress) => void;
}

/** What {@link metattack} returns. */
export interface MetattackResult extends AttackResult {
  /** Attack loss of the inner-trained surrogate at each meta-gradient step. */
  losses: number[];
  /** Number of meta-gradients computed. */
  metaSteps: number;
  /** Labels used for the self-training loss (surrogate predictions; true labels on train nodes). */
  selfTrainingLabels: Int32Array;
}

function resolveLambda(variant: MetattackOptions['variant']): number {
  if (variant === undefined || variant === 'self') return 0;
  if (variant === 'train') return 1;
  if (typeof variant === 'number' && Number.isFinite(variant) && variant >= 0 && variant <= 1) return variant;
  throw new LabInputError(FN, 'options.variant', "must be 'self', 'train' or a lambda in [0, 1]", variant);
}

/** Option names of {@link MetattackOptions}. */
const KNOWN = [
  ...ATTACK_BUDGET_KEYS,
  'seed',
  'rng',
  'variant',
  'trainIters',
  'lr',
  'momentum',
  'hidden',
  'approximate',
  'llConstraint',
  'llCutoff',
  'onProgress',
] as const;

/**
 * Metattack (Zügner & Günnemann, ICLR 2019): a global poisoning attack on the graph structure.
 * At each step it trains a linearised two-layer GCN surrogate (`Â² X W1 W2`, no ReLU, as
 * DeepRobust's example) for `trainIters` steps of SGD with momentum from a fresh random
 * initialisation, differentiates the attack loss through the whole unrolled training with
 * respect to the dense adjacency (the meta-gradient), scores every pair by
 * `meta-grad (1 - 2A)` (symmetrised), masks self loops, already-flipped pairs and removals that
 * would leave a node without edges, and flips the best pair. Meta-Self (default) uses the
 * surrogate's own predictions on the unlabelled nodes (val ∪ test, or every non-train node when
 * the graph has no val/test split) as labels.
 *
 * Memory: dense N x N adjacency (Cora LCC: 2485² floats, 25 MB, a few copies on the tape).
 *
 * @param graph - undirected graph with `features`, `label` and `split` ('train' nodes needed).
 * @returns the perturbed copy, the flips in the order chosen, and the loss per meta step.
 * @throws LabInputError for a directed graph, missing features/labels/train split, or a budget
 *   larger than the flips the constraints allow.
 * @see Zügner & Günnemann, "Adversarial Attacks on Graph Neural Networks via Meta Learning", ICLR 2019.
 * @example
 * ```ts
 * const graph = contextualSbm({ nodes: 60, classes: 2, avgDegree: 4, homophily: 0.9, featureDim: 8, featureSignal: 2, seed: 1 });
 * const { graph: poisoned, flips } = metattack(graph, { rate: 0.05, seed: 1 });
 * ```
 */
export function metattack(graph: LabeledGraph, options?: MetattackOptions): MetattackResult {
  const o = readOptions(FN, options, KNOWN);
  const rng = o.rng();
  const trainIters = o.integer('trainIters', 100, { min: 1 });
  const lr = o.number('lr', 0.1, { min: 0, open: { min: true } });
  const momentum = o.number('momentum', 0.9, { min: 0, max: 1, open: { max: true } });
  const hidden = o.integer('hidden', 16, { min: 1 });
  const llConstraint = o.boolean('llConstraint', false);
  const llCutoff = o.number('llCutoff', 0.004, { min: 0, open: { min: true } });
  const onProgress = o.optionalFunction<(p: MetattackProgress) => void>('onProgress');
  const lambda = resolveLambda(o.raw('variant') as MetattackOptions['variant']);
  const approximate = o.raw('approximate');
  const arrays = readAttackGraph(FN, graph);
  const n = arrays.numNodes;
  const budget = readAttackBudget(o, arrays.numEdges);
  const maxPairs = (n * (n - 1)) / 2;
  if (budget > maxPairs) {
    throw new LabInputError(
      FN,
      'options.budget',
      `must be at most the ${maxPairs} node pairs of the graph`,
      budget,
    );
  }
  if (arrays.train.length === 0) {
    throw new LabInputError(
      FN,
      'graph',
      "must have nodes with split 'train' (the surrogate is trained on them)",
    );
  }
  for (const i of arrays.train) {
    if ((arrays.labels[i] as number) < 0) {
      throw new LabInputError(
        FN,
        'graph',
        `must label every train node (node ${JSON.stringify(arrays.nodes[i])})`,
        -1,
      );
    }
  }
  if (arrays.numClasses < 2)
    throw new LabInputError(FN, 'graph', 'must have at least 2 classes', arrays.numClasses);
  let unlabeled = Int32Array.from([...arrays.val, ...arrays.test]).sort();
  if (unlabeled.length === 0) {
    const isTrain = new Uint8Array(n);
    for (const i of arrays.train) isTrain[i] = 1;
    unlabeled = Int32Array.from({ length: n }, (_, i) => i).filter((i) => !isTrain[i]);
  }
  if (lambda < 1 && unlabeled.length === 0) {
    throw new LabInputError(FN, 'graph', 'must have unlabelled (non-train) nodes for the self-training loss');
  }

  let flipsPerStep = 1;
  if (approximate === true) flipsPerStep = Math.max(1, Math.ceil(budget / 20));
  else if (approximate !== null && typeof approximate === 'object' && !Array.isArray(approximate)) {
    flipsPerStep = o
      .nested('approximate', ['flipsPerStep'])
      .integer('flipsPerStep', Math.max(1, Math.ceil(budget / 20)), { min: 1 });
  } else if (approximate !== undefined && approximate !== false) {
    throw new LabInputError(FN, 'options.approximate', 'must be a boolean or { flipsPerStep }', approximate);
  }

  const surrogate = trainLinearSurrogate(arrays, { seed: rng.nextSeed(), hidden });
  const selfTrainingLabels = surrogate.predictions.slice();
  for (const i of arrays.train) selfTrainingLabels[i] = arrays.labels[i] as number;

  const adjacency0 = denseAdjacency(arrays);
  const state = createFlipState(adjacency0, n, degreesOf(adjacency0, n));
  if (llConstraint) {
    const stats = degreeStats(state.degrees, 2);
    state.likelihood = { original: stats, current: stats, dMin: 2, cutoff: llCutoff };
  }
  const f = arrays.numFeatures;
  const c = arrays.numClasses;
  const features = tf.tensor2d(arrays.features, [n, f]);
  const objective = createMetaObjective({
    numNodes: n,
    numFeatures: f,
    numClasses: c,
    hidden,
    features,
    train: arrays.train,
    unlabeled,
    labels: arrays.labels,
    selfTrainingLabels,
    trainIters,
    lr,
    momentum,
    lambda,
  });
  const initRng = rng.fork('inner-init');
  const flips: EdgeFlip[] = [];
  const losses: number[] = [];
  const steps = Math.ceil(budget / flipsPerStep);
  try {
    // DeepRobust re-initialises the inner weights uniformly in ±1/sqrt(fan_out) every step.
    const lim1 = 1 / Math.sqrt(hidden);
    const lim2 = 1 / Math.sqrt(c);
    for (let step = 0; step < steps; step++) {
      const w1 = initRng.fillUniform(new Float32Array(f * hidden), -lim1, lim1);
      const w2 = initRng.fillUniform(new Float32Array(hidden * c), -lim2, lim2);
      const { grad, loss } = objective.gradient(state.adjacency, w1, w2);
      losses.push(loss);
      const take = Math.min(flipsPerStep, budget - flips.length);
      for (let k = 0; k < take; k++) {
        const best = bestFlip(grad, state);
        if (best === null) {
          throw new LabInputError(
            FN,
            'options.budget',
            `exceeds the flips the constraints allow (only ${flips.length} were possible)`,
            budget,
          );
        }
        const op = applyFlip(state, best.i, best.j);
        flips.push({ source: arrays.nodes[best.i] as string, target: arrays.nodes[best.j] as string, op });
      }
      onProgress?.({ step: step + 1, steps, flips: flips.length, budget, loss });
    }
  } finally {
    objective.dispose();
    features.dispose();
  }
  return {
    graph: applyEdgeFlips(graph, flips),
    flips,
    budget,
    losses,
    metaSteps: losses.length,
    selfTrainingLabels,
  };
}
