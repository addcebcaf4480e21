import { checkNumber, LabInputError, type OptionReader, readOptions } from '@lab/core';

/** Budget options shared by the global attacks: a perturbation rate or an absolute number of flips. */
export interface AttackBudgetOptions {
  /** Fraction of the graph's edges to flip, budget = round(rate * |E|) (default 0.05). */
  rate?: number;
  /** Absolute number of flips (overrides `rate`; give one or the other). */
  budget?: number;
}

/**
 * The number of edge flips an attack may make: `budget` if given, else `round(rate * |E|)` with
 * `rate` 0.05 by default (DeepRobust's `n_perturbations = int(ptb_rate * |E|)` rounds down; we
 * round to nearest so 5% of 5069 Cora-LCC edges is 253).
 *
 * @param numEdges - |E| of the clean graph.
 * @param options - `rate` or `budget`.
 * @param fn - calling function, for error messages.
 * @throws LabInputError for both or neither valid, a negative or non-integer budget, a rate outside [0, 1].
 * @see Zügner & Günnemann, "Adversarial Attacks on Graph Neural Networks via Meta Learning", ICLR 2019.
 */
export function attackBudget(
  numEdges: number,
  options: AttackBudgetOptions = {},
  fn = 'attackBudget',
): number {
  return readAttackBudget(readOptions(fn, options, ATTACK_BUDGET_KEYS), numEdges);
}

/** The option names of {@link AttackBudgetOptions}, for the attacks' own `readOptions` lists. */
export const ATTACK_BUDGET_KEYS = ['rate', 'budget'] as const;

/**
 * {@link attackBudget} from an attack's already-checked options reader (which also holds the
 * attack's other options).
 */
export function readAttackBudget(r: OptionReader, numEdges: number): number {
  checkNumber(r.fn, 'numEdges', numEdges, { integer: true, min: 0 });
  if (r.has('rate') && r.has('budget')) {
    throw new LabInputError(r.fn, r.path, 'must give rate or budget, not both', {
      rate: r.raw('rate'),
      budget: r.raw('budget'),
    });
  }
  const budget = r.optionalNumber('budget', { integer: true, min: 0 });
  if (budget !== undefined) return budget;
  return Math.round(r.number('rate', 0.05, { min: 0, max: 1 }) * numEdges);
}
