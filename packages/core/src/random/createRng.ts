import seedrandom from 'seedrandom';
import { LabInputError } from '../errors.js';

/**
 * A seeded pseudo-random number generator. Same seed, same sequence, on every platform.
 *
 * It is also callable-compatible with graphology's `rng` option through {@link Rng.next}.
 */
export interface Rng {
  /** The seed this generator was created with. */
  readonly seed: number | string;
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform float in [low, high). */
  uniform(low?: number, high?: number): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Gaussian sample (Box-Muller). */
  normal(mean?: number, std?: number): number;
  /** Fills `out` with uniform floats in [low, high) and returns it. */
  fillUniform<T extends Float32Array | Float64Array>(out: T, low?: number, high?: number): T;
  /** Fills `out` with Gaussian samples and returns it. */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean?: number, std?: number): T;
  /** A new array with the elements of `items` in random order (Fisher-Yates); input untouched. */
  shuffle<T>(items: readonly T[]): T[];
  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array;
  /** `k` distinct indices from [0, n), in random order. */
  sample(n: number, k: number): Int32Array;
  /** An integer seed for APIs that take one (e.g. `tf.randomNormal`), drawn from this stream. */
  nextSeed(): number;
  /** An independent child generator, deterministic given this generator's seed and `label`. */
  fork(label: string | number): Rng;
}

/**
 * Creates a seeded random number generator (Alea, via `seedrandom`).
 *
 * @param seed - any finite number or string; equal seeds give equal streams.
 * @example
 * ```ts
 * const rng = createRng(42);
 * rng.next(); // same value on every run
 * ```
 */
export function createRng(seed: number | string): Rng {
  if (!(typeof seed === 'string' || (typeof seed === 'number' && Number.isFinite(seed)))) {
    throw new LabInputError('createRng', 'seed', 'must be a finite number or a string', seed);
  }
  const prng = seedrandom.alea(String(seed));
  let spare: number | null = null;

  const next = (): number => prng();
  const standardNormal = (): number => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = prng();
    const v = prng();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const int = (n: number): number => {
    if (!Number.isInteger(n) || n <= 0) {
      throw new LabInputError('Rng.int', 'n', 'must be a positive integer', n);
    }
    return Math.floor(prng() * n);
  };

  const rng: Rng = {
    seed,
    next,
    uniform: (low = 0, high = 1) => low + (high - low) * prng(),
    int,
    normal: (mean = 0, std = 1) => mean + std * standardNormal(),
    fillUniform(out, low = 0, high = 1) {
      for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * prng();
      return out;
    },
    fillNormal(out, mean = 0, std = 1) {
      for (let i = 0; i < out.length; i++) out[i] = mean + std * standardNormal();
      return out;
    },
    shuffle(items) {
      const out = items.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(prng() * (i + 1));
        const tmp = out[i] as (typeof out)[number];
        out[i] = out[j] as (typeof out)[number];
        out[j] = tmp;
      }
      return out;
    },
    permutation(n) {
      if (!Number.isInteger(n) || n < 0) {
        throw new LabInputError('Rng.permutation', 'n', 'must be a non-negative integer', n);
      }
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(prng() * (i + 1));
        const tmp = out[i] as number;
        out[i] = out[j] as number;
        out[j] = tmp;
      }
      return out;
    },
    sample(n, k) {
      if (!Number.isInteger(k) || k < 0 || k > n) {
        throw new LabInputError('Rng.sample', 'k', `must be an integer in [0, ${n}]`, k);
      }
      return rng.permutation(n).slice(0, k);
    },
    nextSeed: () => Math.floor(prng() * 2 ** 31),
    fork: (label) => createRng(`${String(seed)}/${String(label)}`),
  };
  return rng;
}
