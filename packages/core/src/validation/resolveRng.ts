import { LabInputError, describeValue } from '../errors.js';
import { createRng, type Rng } from '../random/createRng.js';

/** A seed: any finite number or any string. Equal seeds give equal streams. */
export type Seed = number | string;

/**
 * The one seed convention of every `@lab/*` API: stochastic functions and classes take
 * `{ seed?, rng? }` among their options. Give a `seed` for a fresh generator, or an `rng` to draw
 * from a stream you already own (it is advanced, never reset); not both. With neither, the seed
 * is {@link DEFAULT_SEED}: results are deterministic unless you ask otherwise.
 */
export interface SeedOptions {
  /** Seed of a fresh generator (default {@link DEFAULT_SEED}). */
  seed?: Seed;
  /** An existing generator to draw from instead (advanced by the call). */
  rng?: Rng;
}

/** The seed used when neither `seed` nor `rng` is given. */
export const DEFAULT_SEED = 0;

/** True when `value` is a finite number or a string. */
export function isSeed(value: unknown): value is Seed {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** True when `value` looks like an {@link Rng} (has `next` and `fork`). */
export function isRng(value: unknown): value is Rng {
  const r = value as Partial<Rng> | null;
  return r !== null && typeof r === 'object' && typeof r.next === 'function' && typeof r.fork === 'function';
}

/**
 * Resolves the `{ seed, rng }` pair of an options object into one generator, checking both.
 *
 * @param fn - name of the public function, for error messages.
 * @param options - the caller's options (or `undefined`); only `seed` and `rng` are read.
 * @param path - how the options object is named in messages (default `'options'`).
 * @returns `options.rng` itself when given, else `createRng(options.seed ?? DEFAULT_SEED)`.
 * @throws LabInputError when both are given, or either has the wrong type.
 * @example
 * ```ts
 * import { createRng, resolveRng } from '@lab/core';
 * const a = resolveRng('demo', { seed: 7 }).next();
 * const b = resolveRng('demo', { rng: createRng(7) }).next();
 * if (a !== b) throw new Error('same seed, same stream');
 * ```
 */
export function resolveRng(fn: string, options: SeedOptions | undefined, path = 'options'): Rng {
  const seed = options?.seed;
  const rng = options?.rng;
  if (seed !== undefined && rng !== undefined) {
    throw new LabInputError(
      fn,
      path,
      `must give at most one of seed and rng; got seed ${describeValue(seed)} and an rng`,
    );
  }
  if (rng !== undefined) {
    if (!isRng(rng)) throw new LabInputError(fn, `${path}.rng`, 'must be an Rng from createRng', rng);
    return rng;
  }
  if (seed === undefined) return createRng(DEFAULT_SEED);
  if (!isSeed(seed)) throw new LabInputError(fn, `${path}.seed`, 'must be a finite number or a string', seed);
  return createRng(seed);
}
