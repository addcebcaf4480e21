import { checkInteger, readOptions } from '@lab/core';
import { checkSparsity } from './polynomialDecay.js';
import { type PruningSchedule, inPruningTurn } from './PruningSchedule.js';

/** Options of {@link constantSparsity} (tfmot `ConstantSparsity`'s arguments). */
export interface ConstantSparsityOptions {
  /** The sparsity at every update, in [0, 1). */
  targetSparsity: number;
  /** First mask update (default 0). */
  beginStep?: number;
  /** Last mask update (default -1: keep updating for ever). */
  endStep?: number;
  /** Masks are updated every `frequency` steps (default 100, as tfmot). */
  frequency?: number;
}

/**
 * Constant-sparsity schedule with tfmot's `ConstantSparsity` semantics: `sparsityAt(step)` is
 * always `targetSparsity`; masks are recomputed (from the current magnitudes) at steps
 * `beginStep <= step` (`<= endStep` unless `endStep` is -1) with
 * `(step - beginStep) % frequency == 0`.
 *
 * @see https://www.tensorflow.org/model_optimization/api_docs/python/tfmot/sparsity/keras/ConstantSparsity
 * @see Stamenovic et al., NeurIPS 2021 ENLSP, arXiv 2111.02351.
 */
export function constantSparsity(options: ConstantSparsityOptions): PruningSchedule {
  const fn = 'constantSparsity';
  readOptions(fn, options, ['targetSparsity', 'beginStep', 'endStep', 'frequency']);
  checkSparsity(fn, 'options.targetSparsity', options.targetSparsity);
  const beginStep = options.beginStep ?? 0;
  checkInteger(fn, 'options.beginStep', beginStep, 0);
  const endStep = options.endStep ?? -1;
  if (endStep !== -1) checkInteger(fn, 'options.endStep', endStep, beginStep);
  const frequency = options.frequency ?? 100;
  checkInteger(fn, 'options.frequency', frequency, 1);
  const s = options.targetSparsity;
  return Object.freeze({
    kind: 'constant' as const,
    finalSparsity: s,
    beginStep,
    endStep,
    frequency,
    sparsityAt: (_step: number) => s,
    shouldUpdate: (step: number) => inPruningTurn(step, beginStep, endStep, frequency),
  });
}
