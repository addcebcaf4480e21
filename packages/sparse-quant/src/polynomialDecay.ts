import { checkInteger, LabInputError, readOptions } from '@lab/core';
import { type PruningSchedule, inPruningTurn } from './PruningSchedule.js';

/** Options of {@link polynomialDecay} (tfmot `PolynomialDecay`'s arguments). */
export interface PolynomialDecayOptions {
  /** Sparsity at `beginStep` (default 0), in [0, 1). */
  initialSparsity?: number;
  /** Sparsity at and after `endStep`, in [0, 1). */
  finalSparsity: number;
  /** First mask update (default 0), an integer >= 0. */
  beginStep?: number;
  /** Last mask update, an integer > `beginStep`. */
  endStep: number;
  /** Exponent of the decay (default 3: Zhu & Gupta's cubic schedule). */
  power?: number;
  /** Masks are updated every `frequency` steps (default 100, as tfmot). */
  frequency?: number;
}

/** @internal Checks a sparsity in [0, 1). */
export function checkSparsity(fn: string, arg: string, s: unknown): asserts s is number {
  if (typeof s !== 'number' || !Number.isFinite(s) || s < 0 || s >= 1) {
    throw new LabInputError(fn, arg, 'must be a sparsity in [0, 1)', s);
  }
}

/**
 * Gradual pruning schedule of Zhu & Gupta (2017), with tfmot's `PolynomialDecay` semantics:
 *
 * ```
 * p   = clamp((step - beginStep) / (endStep - beginStep), 0, 1)
 * s_t = finalSparsity + (initialSparsity - finalSparsity) * (1 - p)^power
 * ```
 *
 * Masks are recomputed at steps `beginStep <= step <= endStep` with
 * `(step - beginStep) % frequency == 0` (so the last update may fall before `endStep`: choose
 * `endStep - beginStep` as a multiple of `frequency` to reach `finalSparsity` exactly).
 * After `endStep` the masks stay fixed (pruned weights stay pruned).
 *
 * @example
 * ```ts
 * const s = polynomialDecay({ initialSparsity: 0, finalSparsity: 0.9, beginStep: 0, endStep: 1000, frequency: 100 });
 * s.sparsityAt(500); // 0.9 + (0 - 0.9) * 0.5^3 = 0.7875
 * ```
 * @see Zhu & Gupta, "To prune, or not to prune", arXiv 1710.01878 (eq. 1).
 * @see https://www.tensorflow.org/model_optimization/api_docs/python/tfmot/sparsity/keras/PolynomialDecay
 */
export function polynomialDecay(options: PolynomialDecayOptions): PruningSchedule {
  const fn = 'polynomialDecay';
  const o = readOptions(fn, options, [
    'initialSparsity',
    'finalSparsity',
    'beginStep',
    'endStep',
    'power',
    'frequency',
  ]);
  const initialSparsity = options.initialSparsity ?? 0;
  checkSparsity(fn, 'options.initialSparsity', initialSparsity);
  checkSparsity(fn, 'options.finalSparsity', options.finalSparsity);
  const beginStep = options.beginStep ?? 0;
  checkInteger(fn, 'options.beginStep', beginStep, 0);
  checkInteger(fn, 'options.endStep', options.endStep, beginStep + 1);
  const power = o.number('power', 3, { min: 0, open: { min: true } });
  const frequency = options.frequency ?? 100;
  checkInteger(fn, 'options.frequency', frequency, 1);
  const { finalSparsity, endStep } = options;
  return Object.freeze({
    kind: 'polynomial' as const,
    finalSparsity,
    beginStep,
    endStep,
    frequency,
    sparsityAt(step: number): number {
      const p = Math.min(1, Math.max(0, (step - beginStep) / (endStep - beginStep)));
      return finalSparsity + (initialSparsity - finalSparsity) * (1 - p) ** power;
    },
    shouldUpdate(step: number): boolean {
      return inPruningTurn(step, beginStep, endStep, frequency);
    },
  });
}
