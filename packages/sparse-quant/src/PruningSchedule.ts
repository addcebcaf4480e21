/**
 * A pruning schedule: which sparsity a pruned weight should have at a training step, and at
 * which steps its mask is recomputed. Build one with {@link polynomialDecay} or
 * {@link constantSparsity}; both follow TensorFlow Model Optimization's `PruningSchedule`
 * semantics (see their docs).
 */
export interface PruningSchedule {
  /** `'polynomial'` ({@link polynomialDecay}) or `'constant'` ({@link constantSparsity}). */
  readonly kind: 'polynomial' | 'constant';
  /** Sparsity reached at (and kept after) `endStep`. */
  readonly finalSparsity: number;
  /** First step at which masks are updated. */
  readonly beginStep: number;
  /** Last step at which masks are updated (`-1`: never stop; constant schedules only). */
  readonly endStep: number;
  /** Masks are updated every `frequency` steps from `beginStep`. */
  readonly frequency: number;
  /** Target sparsity at `step` (any integer step, clamped to the schedule's range). */
  sparsityAt(step: number): number;
  /** Whether the masks are recomputed at `step`. */
  shouldUpdate(step: number): boolean;
}

/** @internal tfmot's `_should_prune_in_step`. */
export function inPruningTurn(step: number, beginStep: number, endStep: number, frequency: number): boolean {
  const inRange = step >= beginStep && (step <= endStep || endStep < 0);
  return inRange && (((step - beginStep) % frequency) + frequency) % frequency === 0;
}

/** @internal Validates a schedule object (from this package or hand-written). */
export function isPruningSchedule(s: unknown): s is PruningSchedule {
  if (s === null || typeof s !== 'object') return false;
  const o = s as PruningSchedule;
  return (
    (o.kind === 'polynomial' || o.kind === 'constant') &&
    typeof o.finalSparsity === 'number' &&
    typeof o.sparsityAt === 'function' &&
    typeof o.shouldUpdate === 'function'
  );
}
