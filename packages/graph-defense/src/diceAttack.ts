import { LabInputError, graphArrays, type LabeledGraph, readOptions, type SeedOptions } from '@lab/core';
import { ATTACK_BUDGET_KEYS, type AttackBudgetOptions, readAttackBudget } from './attackBudget.js';
import { FlipConstraints } from './flipConstraints.js';
import { randomPairs } from './randomPairs.js';
import type { AttackResult } from './graphTypes.js';

/** Options of {@link diceAttack}. */
export interface DiceAttackOptions extends AttackBudgetOptions, SeedOptions {
  /**
   * Class per node in `graph.nodes()` order (-1 = unknown). Default: every node's `label`
   * attribute, i.e. all true labels (train and test), as DeepRobust's DICE assumes. Pass
   * predictions or train-only labels for a weaker attacker.
   */
  labels?: ArrayLike<number>;
  /** Probability that a flip is a deletion rather than an insertion (default 0.5). */
  removeFraction?: number;
}

/**
 * DICE, "delete internally, connect externally": for each of the `budget` flips choose at random
 * (probability `removeFraction`) to delete an edge between two nodes of the same class or to insert
 * an edge between two nodes of different classes. Deletions are uniform over intra-class edges,
 * insertions uniform over absent inter-class pairs; nodes with unknown label (-1) are never
 * touched. When one side runs out (e.g. no more deletable intra-class edges without leaving a node
 * isolated), the other side makes up the budget. Deletions come first in the flip list.
 *
 * @param graph - an undirected labelled graph (not modified).
 * @param options - budget, labels, deletion probability and seed.
 * @returns the perturbed copy, the exact flips and the budget.
 * @throws LabInputError when fewer than `budget` DICE flips exist under the constraints.
 * @see Waniek, Michalak, Wooldridge & Rahwan, "Hiding individuals and communities in a social
 *   network", Nature Human Behaviour 2018; the DICE baseline of Zügner & Günnemann, ICLR 2019.
 */
export function diceAttack(graph: LabeledGraph, options?: DiceAttackOptions): AttackResult {
  const fn = 'diceAttack';
  const r = readOptions(fn, options, [...ATTACK_BUDGET_KEYS, 'labels', 'removeFraction', 'seed', 'rng']);
  const a = graphArrays(graph, fn);
  const budget = readAttackBudget(r, a.numEdges);
  const n = a.numNodes;
  let labels: Int32Array = a.labels;
  if (r.has('labels')) {
    const l = r.raw('labels') as ArrayLike<number> | null;
    if (l === null || typeof l !== 'object' || l.length !== n) {
      throw new LabInputError(fn, 'options.labels', `must hold one class per node (${n})`, l);
    }
    labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = l[i] as number;
      if (!Number.isInteger(v) || v < -1)
        throw new LabInputError(fn, 'options.labels', 'must hold integers >= -1', v);
      labels[i] = v;
    }
  }
  const removeFraction = r.number('removeFraction', 0.5, { min: 0, max: 1 });
  const rng = r.rng();
  let wantRemove = 0;
  const coin = rng.fork('coin');
  for (let k = 0; k < budget; k++) if (coin.next() < removeFraction) wantRemove++;
  const c = new FlipConstraints(a);
  const known = (i: number) => (labels[i] as number) >= 0;

  const removals = (limit: number) => {
    for (const e of rng.fork('remove').permutation(a.numEdges)) {
      if (c.count >= limit) return;
      const i = a.edges[2 * e] as number;
      const j = a.edges[2 * e + 1] as number;
      if (known(i) && labels[i] === labels[j] && c.canFlip(i, j)) c.flip(i, j);
    }
  };
  removals(wantRemove);
  const removed = c.count;
  for (const [i, j] of randomPairs(n, rng.fork('insert'))) {
    if (c.count >= budget) break;
    if (known(i) && known(j) && labels[i] !== labels[j] && !c.hasEdge(i, j) && c.canFlip(i, j)) c.flip(i, j);
  }
  // Not enough absent inter-class pairs: make up with more deletions.
  if (c.count < budget && removed === wantRemove) removals(budget);
  if (c.count < budget) {
    throw new LabInputError(
      fn,
      'options',
      `must ask for at most ${c.count} flips: no more intra-class deletions or inter-class insertions are possible`,
      budget,
    );
  }
  return c.result(graph, budget);
}
