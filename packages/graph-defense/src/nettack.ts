import {
  LabInputError,
  type GraphArrays,
  type LabeledGraph,
  type OptionReader,
  readOptions,
  type SeedOptions,
} from '@lab/core';
import {
  type DegreeStats,
  degreeLikelihoodRatio,
  degreeStats,
  type LinearSurrogate,
  readAttackGraph,
  statsAfterFlip,
  trainLinearSurrogate,
} from './denseSurrogate.js';
import { applyEdgeFlips } from './applyEdgeFlips.js';
import {
  classMargin,
  currentTargetLogits,
  refreshPropagation,
  type TargetState,
  targetLogitsAfterFlip,
} from './nettack/targetLogits.js';
import type { AttackResult, EdgeFlip } from './graphTypes.js';

const FN = 'nettack';

/** Options of {@link nettack}. */
export interface NettackOptions extends SeedOptions {
  /** Key of the target node. */
  target: string;
  /** Number of flips (default: degree of the target + 2, as in Nettack's evaluation). */
  budget?: number;
  /** Direct attack: only pairs incident to the target are flipped (default true; the only mode implemented). */
  directOnly?: boolean;
  /** Perturb the structure (default true; the only perturbation implemented). */
  structure?: boolean;
  /** Perturb features (default false; not implemented: `true` throws). */
  features?: boolean;
  /** Reject flips that fail the power-law degree likelihood-ratio test (default true, as Nettack). */
  llConstraint?: boolean;
  /** Critical value of the likelihood-ratio test (default 0.004, Nettack's). */
  llCutoff?: number;
  /** Surrogate hidden width (default 16). */
  hidden?: number;
}

/** What {@link nettack} returns. */
export interface NettackResult extends AttackResult {
  target: string;
  /** Class whose margin is attacked: the target's label, or the surrogate's prediction if unlabelled. */
  label: number;
  /** Surrogate margin `logit[label] - max other logit` at the target before the attack. */
  marginBefore: number;
  /** The same margin after all flips (negative: the surrogate now misclassifies the target). */
  marginAfter: number;
  /** Surrogate margin after each flip. */
  margins: number[];
}

interface PreparedGraph {
  arrays: GraphArrays;
  surrogate: LinearSurrogate;
  xw: Float64Array;
}

function prepare(fn: string, graph: LabeledGraph, surrogateSeed: number, hidden: number): PreparedGraph {
  const arrays = readAttackGraph(fn, graph);
  if (arrays.train.length === 0) {
    throw new LabInputError(
      fn,
      'graph',
      "must have nodes with split 'train' (the surrogate is trained on them)",
    );
  }
  for (const i of arrays.train) {
    if ((arrays.labels[i] as number) < 0) {
      throw new LabInputError(
        fn,
        'graph',
        `must label every train node (node ${JSON.stringify(arrays.nodes[i])})`,
        -1,
      );
    }
  }
  if (arrays.numClasses < 2)
    throw new LabInputError(fn, 'graph', 'must have at least 2 classes', arrays.numClasses);
  const surrogate = trainLinearSurrogate(arrays, { seed: surrogateSeed, hidden });
  const { numNodes: n, numFeatures: f, numClasses: c } = arrays;
  const xw = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < f; k++) {
      const x = arrays.features[i * f + k] as number;
      if (x === 0) continue;
      for (let q = 0; q < c; q++) xw[i * c + q] += x * (surrogate.w[k * c + q] as number);
    }
  }
  return { arrays, surrogate, xw };
}

/** The checked settings shared by {@link nettack} and {@link nettackTargets}. */
interface NettackSettings {
  /** Seed of the surrogate (one draw of the caller's generator). */
  surrogateSeed: number;
  hidden: number;
  budget: number | undefined;
  llConstraint: boolean;
  llCutoff: number;
}

const COMMON_KEYS = [
  'budget',
  'directOnly',
  'structure',
  'features',
  'llConstraint',
  'llCutoff',
  'hidden',
  'seed',
  'rng',
] as const;

/** Reads the settings common to both entry points from their `readOptions` reader. */
function readSettings(fn: string, o: OptionReader): NettackSettings {
  if (!o.boolean('directOnly', true)) {
    throw new LabInputError(
      fn,
      'options.directOnly',
      'must be true (influencer attacks are not implemented)',
      false,
    );
  }
  if (!o.boolean('structure', true)) {
    throw new LabInputError(
      fn,
      'options.structure',
      'must be true (only structure perturbations are implemented)',
      false,
    );
  }
  if (o.boolean('features', false)) {
    throw new LabInputError(
      fn,
      'options.features',
      'must be false (feature perturbations are not implemented)',
      true,
    );
  }
  return {
    hidden: o.integer('hidden', 16, { min: 1 }),
    llCutoff: o.number('llCutoff', 0.004, { min: 0, open: { min: true } }),
    llConstraint: o.boolean('llConstraint', true),
    budget: o.optionalNumber('budget', { integer: true, min: 0 }),
    surrogateSeed: o.rng().nextSeed(),
  };
}

function attackTarget(
  fn: string,
  graph: LabeledGraph,
  prepared: PreparedGraph,
  target: string,
  options: NettackSettings,
): NettackResult {
  const { arrays, surrogate, xw } = prepared;
  const n = arrays.numNodes;
  const c = arrays.numClasses;
  const u = arrays.index.get(target);
  if (typeof target !== 'string' || u === undefined) {
    throw new LabInputError(fn, 'options.target', 'must be a node of the graph', target);
  }
  const neighbors: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  for (let e = 0; e < arrays.numEdges; e++) {
    const i = arrays.edges[2 * e] as number;
    const j = arrays.edges[2 * e + 1] as number;
    (neighbors[i] as Set<number>).add(j);
    (neighbors[j] as Set<number>).add(i);
  }
  const budget = options.budget ?? (neighbors[u] as Set<number>).size + 2;
  if (budget > n - 1) {
    throw new LabInputError(
      fn,
      'options.budget',
      `must be at most the ${n - 1} pairs incident to the target`,
      budget,
    );
  }
  const known = arrays.labels[u] as number;
  const label = known >= 0 ? known : (surrogate.predictions[u] as number);
  const state: TargetState = { n, c, neighbors, xw, m: new Float64Array(0) };
  refreshPropagation(state);
  const marginBefore = classMargin(currentTargetLogits(state, u), label);
  const llConstraint = options.llConstraint;
  const dMin = 2;
  const cutoff = options.llCutoff;
  const degrees = Float64Array.from(neighbors, (s) => s.size);
  const original: DegreeStats = degreeStats(degrees, dMin);
  let current = original;
  const flipped = new Uint8Array(n);
  const flips: EdgeFlip[] = [];
  const margins: number[] = [];
  for (let step = 0; step < budget; step++) {
    let bestV = -1;
    let bestMargin = Number.POSITIVE_INFINITY;
    const du = (neighbors[u] as Set<number>).size;
    for (let v = 0; v < n; v++) {
      if (v === u || flipped[v]) continue;
      const present = (neighbors[u] as Set<number>).has(v);
      const dv = (neighbors[v] as Set<number>).size;
      if (present && (du <= 1 || dv <= 1)) continue; // would leave a node without edges
      if (llConstraint) {
        const after = statsAfterFlip(current, du, dv, present ? -1 : 1, dMin);
        if (!(degreeLikelihoodRatio(original, after, dMin) < cutoff)) continue;
      }
      const margin = classMargin(targetLogitsAfterFlip(state, u, v), label);
      if (margin < bestMargin) {
        bestMargin = margin;
        bestV = v;
      }
    }
    if (bestV < 0) {
      throw new LabInputError(
        fn,
        'options.budget',
        `exceeds the flips the constraints allow at target ${JSON.stringify(target)} (only ${flips.length} were possible)`,
        budget,
      );
    }
    const present = (neighbors[u] as Set<number>).has(bestV);
    current = statsAfterFlip(current, du, (neighbors[bestV] as Set<number>).size, present ? -1 : 1, dMin);
    if (present) {
      (neighbors[u] as Set<number>).delete(bestV);
      (neighbors[bestV] as Set<number>).delete(u);
    } else {
      (neighbors[u] as Set<number>).add(bestV);
      (neighbors[bestV] as Set<number>).add(u);
    }
    flipped[bestV] = 1;
    refreshPropagation(state);
    flips.push({ source: target, target: arrays.nodes[bestV] as string, op: present ? 'remove' : 'add' });
    margins.push(classMargin(currentTargetLogits(state, u), label));
  }
  return {
    graph: applyEdgeFlips(graph, flips),
    flips,
    budget,
    target,
    label,
    marginBefore,
    marginAfter: margins.length > 0 ? (margins[margins.length - 1] as number) : marginBefore,
    margins,
  };
}

/**
 * Nettack (Zügner, Akbarnejad & Günnemann, KDD 2018), direct structure attack on one target
 * node. Trains the linearised GCN surrogate `Â² X W` on the training nodes, then flips, one at
 * a time, the pair `(target, v)` that most lowers the surrogate's classification margin
 * `logit[label] - max other logit` at the target. Each candidate's new logits come from an
 * incremental update of row `target` of `Â²` (no recomputation of the graph), and candidates
 * that would fail the power-law degree likelihood-ratio test (unnoticeability) or leave a node
 * without edges are skipped. Pairs are never flipped twice.
 *
 * @param graph - undirected graph with `features`, `label` and `split` ('train' nodes needed).
 * @returns the perturbed copy, the flips in order, and the surrogate margins before/after.
 * @throws LabInputError for an unknown target, unsupported modes, or a budget larger than the
 *   constraints allow.
 * @see Zügner, Akbarnejad & Günnemann, "Adversarial Attacks on Neural Networks for Graph Data", KDD 2018.
 * @example
 * ```ts
 * const graph = contextualSbm({ nodes: 60, classes: 2, avgDegree: 4, homophily: 0.9, featureDim: 8, featureSignal: 2, seed: 1 });
 * const { flips, marginAfter } = nettack(graph, { target: '42', seed: 1 });
 * ```
 */
export function nettack(graph: LabeledGraph, options: NettackOptions): NettackResult {
  const o = readOptions(FN, options, [...COMMON_KEYS, 'target']);
  const settings = readSettings(FN, o);
  const target = o.raw('target') as string;
  const prepared = prepare(FN, graph, settings.surrogateSeed, settings.hidden);
  return attackTarget(FN, graph, prepared, target, settings);
}

/** Options of {@link nettackTargets}. */
export interface NettackTargetsOptions extends Omit<NettackOptions, 'target' | 'budget'> {
  targets: readonly string[];
  /** Flips per target (default: each target's degree + 2). */
  budget?: number;
}

/** One row of {@link NettackTargetsResult}. */
export interface NettackTargetOutcome {
  target: string;
  label: number;
  budget: number;
  flips: EdgeFlip[];
  marginBefore: number;
  marginAfter: number;
  /** Surrogate prediction after the attack differs from `label`. */
  misclassified: boolean;
}

/** What {@link nettackTargets} returns. */
export interface NettackTargetsResult {
  outcomes: NettackTargetOutcome[];
  /** Fraction of targets whose surrogate margin became negative. */
  successRate: number;
}

/**
 * Runs {@link nettack} on several targets independently (each on the clean graph, the usual
 * Nettack evaluation), sharing one surrogate, and reports the surrogate margins. The perturbed
 * graphs are not kept; rebuild one with `applyEdgeFlips(graph, outcome.flips)`.
 *
 * @see Zügner, Akbarnejad & Günnemann, "Adversarial Attacks on Neural Networks for Graph Data", KDD 2018.
 */
export function nettackTargets(graph: LabeledGraph, options: NettackTargetsOptions): NettackTargetsResult {
  const fn = 'nettackTargets';
  const o = readOptions(fn, options, [...COMMON_KEYS, 'targets']);
  const settings = readSettings(fn, o);
  const targets = o.raw('targets') as readonly string[];
  if (!Array.isArray(targets) || targets.length === 0) {
    throw new LabInputError(fn, 'options.targets', 'must be a non-empty array of node keys', targets);
  }
  const prepared = prepare(fn, graph, settings.surrogateSeed, settings.hidden);
  const outcomes: NettackTargetOutcome[] = targets.map((target) => {
    const r = attackTarget(fn, graph, prepared, target, settings);
    return {
      target,
      label: r.label,
      budget: r.budget,
      flips: r.flips,
      marginBefore: r.marginBefore,
      marginAfter: r.marginAfter,
      misclassified: r.marginAfter < 0,
    };
  });
  return { outcomes, successRate: outcomes.filter((o) => o.misclassified).length / outcomes.length };
}
