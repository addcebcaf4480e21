import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { isLabError } from './fuzz.js';

/**
 * Named tolerances. Every numerical assertion in the monorepo uses one of these (or a local
 * constant with its own justification) so the reason for each tolerance is written once.
 */
export const TOL = {
  /** float32 arithmetic reordered (e.g. wasm vs cpu kernels, blocked vs naive sums): ~1e4 ulp at O(1) values. */
  F32_REORDER: 1e-4,
  /** float32 results of long reductions (thousands of terms) or FFTs of size ~1e3. */
  F32_LONG_SUM: 1e-3,
  /** Central finite differences in float64 with h ~ 1e-4: truncation O(h^2), rounding O(eps/h). */
  FD_F64: 1e-6,
  /** Central finite differences on float32 tensors with h ~ 1e-2: truncation and rounding ~1e-3 relative. */
  FD_F32: 2e-2,
  /** Exact integer / bit-identical comparisons. */
  EXACT: 0,
} as const;

/**
 * Runs `fn` and asserts that it neither leaks tensors nor frees the caller's tensors:
 * `tf.memory().numTensors` is the same before and after, once the returned value (if any
 * tensors) is disposed. Returns whatever `fn` returned (tensors already disposed are not returned).
 */
export async function expectNoLeaks<T>(
  fn: () => T | Promise<T>,
  options: { keepResult?: boolean } = {},
): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const owned = collectTensors(result);
  const after = tf.memory().numTensors;
  expect(after - owned.length, `tensor count changed by ${after - owned.length - before}`).toBe(before);
  if (!options.keepResult) for (const t of owned) t.dispose();
  return result;
}

/** All distinct tensors reachable from a value (arrays, plain objects, Maps), for leak accounting. */
export function collectTensors(value: unknown, seen = new Set<tf.Tensor>()): tf.Tensor[] {
  if (value instanceof tf.Tensor) {
    if (!value.isDisposed) seen.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectTensors(v, seen);
  } else if (value instanceof Map) {
    for (const v of value.values()) collectTensors(v, seen);
  } else if (
    value !== null &&
    typeof value === 'object' &&
    (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)
  ) {
    // Plain and null-prototype records (decoders return the latter for names read from files).
    for (const v of Object.values(value)) collectTensors(v, seen);
  }
  return [...seen];
}

/** Asserts element-wise |a - b| <= atol + rtol * |b| and reports the worst index. */
export function expectAllClose(
  actual: ArrayLike<number> | tf.Tensor,
  expected: ArrayLike<number> | tf.Tensor,
  { atol = 0, rtol = 0 }: { atol?: number; rtol?: number },
): void {
  const a = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  const b = expected instanceof tf.Tensor ? expected.dataSync() : expected;
  expect(a.length, 'length').toBe(b.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const ai = a[i] as number;
    const bi = b[i] as number;
    const excess = Math.abs(ai - bi) - (atol + rtol * Math.abs(bi));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `arrays differ at index ${worst}: actual ${a[worst]}, expected ${b[worst]} (atol ${atol}, rtol ${rtol})`,
    );
  }
}

export { fc, fuzzDecoder, fuzzRuns, isLabError, LONG_TESTS } from './fuzz.js';
export type { FuzzDecoderOptions } from './fuzz.js';
export { extractDocSnippets, extractReadmeUsage, extractTsdocExamples } from './docSnippets.js';
export type { DocSnippet } from './docSnippets.js';
export {
  indexExports,
  packageScopes,
  runDocSnippets,
  snippetModule,
  typecheckSnippetModules,
} from './runDocSnippets.js';
export type { RunDocSnippetsOptions, SnippetScope } from './runDocSnippets.js';

/**
 * Runs `f` and asserts that it throws one of the house errors (`LabInputError` or
 * `LabFormatError`, by name) whose message matches `pattern`; returns the error. For the
 * input-boundary tests of every package (`fn: argument 'arg' must ...`).
 *
 * @example
 * ```ts
 * const err = expectLabError(() => {
 *   // what a LabInputError carries: name, fn, arg
 *   throw Object.assign(new Error("f: argument 'x' must be a number"), { name: 'LabInputError', fn: 'f', arg: 'x' });
 * }, /argument 'x'/);
 * if (err.name !== 'LabInputError') throw new Error('name');
 * ```
 */
export function expectLabError(f: () => unknown, pattern?: RegExp): Error {
  let caught: unknown;
  try {
    f();
  } catch (err) {
    caught = err;
  }
  expect(isLabError(caught), `expected a LabInputError or LabFormatError, got ${String(caught)}`).toBe(true);
  if (pattern !== undefined) expect((caught as Error).message).toMatch(pattern);
  return caught as Error;
}
