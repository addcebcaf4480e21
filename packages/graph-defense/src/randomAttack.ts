import { LabInputError, graphArrays, type LabeledGraph, readOptions, type SeedOptions } from '@lab/core';
import { ATTACK_BUDGET_KEYS, type AttackBudgetOptions, readAttackBudget } from './attackBudget.js';
import { FlipConstraints } from './flipConstraints.js';
import { randomPairs } from './randomPairs.js';
import type { AttackResult } from './graphTypes.js';

/** Options of {@link randomAttack}. */
export interface RandomAttackOptions extends AttackBudgetOptions, SeedOptions {
  /**
   * `'add'` (default, as DeepRobust's `Random`): insert uniformly random absent edges;
   * `'remove'`: delete uniformly random edges; `'flip'`: flip uniformly random node pairs.
   */
  mode?: 'add' | 'remove' | 'flip';
}

/**
 * The random structure attack: `budget` (= round(rate x |E|), 5% by default) uniformly random
 * insertions, deletions or flips, under the constraints of {@link FlipConstraints} (no self loops,
 * no pair twice, no node left without neighbours).
 *
 * @param graph - an undirected graph (not modified).
 * @param options - budget, mode and seed.
 * @returns the perturbed copy, the exact flips in order and the budget.
 * @throws LabInputError when the budget exceeds what the mode and constraints allow.
 * @example
 * ```ts
 * const cora = await loadGraphFolder(resolveDataDir('graphs', 'cora'));
 * const { graph: attacked, flips } = randomAttack(cora, { rate: 0.05, mode: 'add', seed: 1 });
 * ```
 * @see Zügner & Günnemann, ICLR 2019, and DeepRobust `deeprobust/graph/global_attack/random.py`.
 */
export function randomAttack(graph: LabeledGraph, options?: RandomAttackOptions): AttackResult {
  const fn = 'randomAttack';
  const r = readOptions(fn, options, [...ATTACK_BUDGET_KEYS, 'mode', 'seed', 'rng']);
  const a = graphArrays(graph, fn);
  const budget = readAttackBudget(r, a.numEdges);
  const mode = r.oneOf('mode', ['add', 'remove', 'flip'], 'add');
  const n = a.numNodes;
  const pairs = (n * (n - 1)) / 2;
  const limit = mode === 'add' ? pairs - a.numEdges : mode === 'remove' ? a.numEdges : pairs;
  if (budget > limit) {
    throw new LabInputError(
      fn,
      'options',
      `must ask for at most ${limit} flips in mode '${mode}' on this graph`,
      budget,
    );
  }
  const rng = r.rng();
  const c = new FlipConstraints(a);
  if (mode === 'remove') {
    for (const e of rng.permutation(a.numEdges)) {
      if (c.count === budget) break;
      const i = a.edges[2 * e] as number;
      const j = a.edges[2 * e + 1] as number;
      if (c.canFlip(i, j)) c.flip(i, j);
    }
  } else {
    for (const [i, j] of randomPairs(n, rng)) {
      if (c.count === budget) break;
      if (mode === 'add' && c.hasEdge(i, j)) continue;
      if (c.canFlip(i, j)) c.flip(i, j);
    }
  }
  if (c.count < budget) {
    throw new LabInputError(
      fn,
      'options',
      `must ask for at most ${c.count} flips: no more are possible without leaving a node with no neighbours`,
      budget,
    );
  }
  return c.result(graph, budget);
}
