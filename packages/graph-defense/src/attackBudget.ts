import { LabInputError } from '@lab/core';

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
  if (!Number.isInteger(numEdges) || numEdges < 0) {
    throw new LabInputError(fn, 'numEdges', 'must be an integer >= 0', numEdges);
  }
  if (options === null || typeof options !== 'object')
    throw new LabInputError(fn, 'options', 'must be an object', options);
  const { rate, budget } = options;
  if (rate !== undefined && budget !== undefined) {
    throw new LabInputError(fn, 'options', 'must give rate or budget, not both', { rate, budget });
  }
  if (budget !== undefined) {
    if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 0) {
      throw new LabInputError(fn, 'options.budget', 'must be an integer >= 0', budget);
    }
    return budget;
  }
  const r = rate ?? 0.05;
  if (typeof r !== 'number' || !Number.isFinite(r) || r < 0 || r > 1) {
    throw new LabInputError(fn, 'options.rate', 'must be a number in [0, 1]', r);
  }
  return Math.round(r * numEdges);
}
