import { LabInputError } from '@lab/core';

/** Validates an (estimate, reference) signal pair of equal non-zero length. */
export function checkPair(fn: string, estimate: ArrayLike<number>, reference: ArrayLike<number>): void {
  const ok = (a: unknown) => a instanceof Float32Array || a instanceof Float64Array;
  if (!ok(reference) || reference.length === 0) {
    throw new LabInputError(fn, 'reference', 'must be a non-empty Float32Array or Float64Array', reference);
  }
  if (!ok(estimate) || estimate.length !== reference.length) {
    throw new LabInputError(fn, 'estimate', `must be a Float32Array or Float64Array of length ${reference.length}`, estimate);
  }
}
