import * as tf from '@tensorflow/tfjs-core';
import { LabInputError, checkFinite, checkRange } from '../errors.js';
import { readOptions } from '../validation/readOptions.js';
import type { Rng } from './createRng.js';
import type { SeedOptions } from '../validation/resolveRng.js';

/**
 * Where the randomness comes from: the house {@link SeedOptions} convention, a `seed` (a fresh
 * `createRng(seed)` per call) or an existing `rng` (advanced by the call), at most one; with
 * neither the seed is `DEFAULT_SEED`, so every sample is reproducible.
 */
export type RandomSource = SeedOptions;

/** Options for {@link randomNormalTensor}. */
export interface RandomNormalTensorOptions extends RandomSource {
  mean?: number;
  /** Standard deviation, >= 0 (default 1). */
  std?: number;
}

/** Options for {@link randomUniformTensor}. */
export interface RandomUniformTensorOptions extends RandomSource {
  /** Lower bound, inclusive (default 0). */
  low?: number;
  /** Upper bound, exclusive (default 1); must be > `low`. */
  high?: number;
  /** `'float32'` (default) or `'int32'` (integers in [ceil(low), ceil(high)) ). */
  dtype?: 'float32' | 'int32';
}

/** Options for {@link truncatedNormal}. */
export interface TruncatedNormalOptions extends RandomSource {
  mean?: number;
  /** Standard deviation of the untruncated normal, >= 0 (default 1). */
  std?: number;
}

/** Options for {@link bernoulliMask}. */
export interface BernoulliMaskOptions extends RandomSource {
  /** Probability of a 1, in [0, 1]. */
  p: number;
  /** `'float32'` (default), `'int32'` or `'bool'`. */
  dtype?: 'float32' | 'int32' | 'bool';
}

function checkShape(fn: string, shape: unknown): number {
  if (!Array.isArray(shape))
    throw new LabInputError(fn, 'shape', 'must be an array of non-negative integers', shape);
  let size = 1;
  shape.forEach((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new LabInputError(fn, `shape[${i}]`, 'must be a non-negative integer', d);
    }
    size *= d;
  });
  if (size > 2 ** 31 - 1) throw new LabInputError(fn, 'shape', 'must have fewer than 2^31 elements', shape);
  return size;
}

/**
 * The generator of a call's `{ seed, rng }` ({@link resolveRng}: at most one; neither means
 * `DEFAULT_SEED`), after checking the options object and rejecting keys other than `keys`.
 */
function sourceRng(fn: string, options: RandomSource | undefined, keys: readonly string[]): Rng {
  return readOptions(fn, options, ['seed', 'rng', ...keys]).rng();
}

/**
 * A tensor of independent normal samples N(mean, std^2), drawn on the JS side from
 * {@link createRng} (Box-Muller) and uploaded, so the values are bit-identical on every backend
 * for a given seed (unlike `tf.randomNormal`, whose stream depends on the backend).
 *
 * @param shape - tensor shape.
 * @param options - `{ seed }` or `{ rng }`, plus `mean` (0) and `std` (1).
 * @returns a new float32 tensor owned by the caller.
 * @example
 * ```ts
 * const w = randomNormalTensor([784, 128], { seed: 1, std: 0.05 });
 * ```
 * @see https://en.wikipedia.org/wiki/Box%E2%80%93Muller_transform
 */
export function randomNormalTensor(shape: number[], options: RandomNormalTensorOptions = {}): tf.Tensor {
  const fn = 'randomNormalTensor';
  const size = checkShape(fn, shape);
  const rng = sourceRng(fn, options, ['mean', 'std']);
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  checkFinite(fn, 'options.mean', mean);
  checkRange(fn, 'options.std', std, 0, Number.MAX_VALUE);
  const values = rng.fillNormal(new Float32Array(size), mean, std);
  return tf.tensor(values, shape.slice(), 'float32');
}

/**
 * A tensor of independent uniform samples in [low, high), drawn from {@link createRng}; identical
 * on every backend for a given seed. With `dtype: 'int32'`, integers uniform on
 * `ceil(low) .. ceil(high) - 1`.
 *
 * @param shape - tensor shape.
 * @param options - `{ seed }` or `{ rng }`, plus `low` (0), `high` (1), `dtype`.
 * @returns a new tensor owned by the caller.
 */
export function randomUniformTensor(shape: number[], options: RandomUniformTensorOptions = {}): tf.Tensor {
  const fn = 'randomUniformTensor';
  const size = checkShape(fn, shape);
  const rng = sourceRng(fn, options, ['low', 'high', 'dtype']);
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  checkFinite(fn, 'options.low', low);
  checkFinite(fn, 'options.high', high);
  if (!(high > low)) throw new LabInputError(fn, 'options.high', `must be > low (${low})`, high);
  const dtype = options.dtype ?? 'float32';
  if (dtype === 'int32') {
    const lo = Math.ceil(low);
    const n = Math.ceil(high) - lo;
    if (n < 1 || lo < -(2 ** 31) || lo + n - 1 > 2 ** 31 - 1) {
      throw new LabInputError(
        fn,
        'options',
        'must contain at least one int32 in [low, high)',
        `[${low}, ${high})`,
      );
    }
    const values = new Int32Array(size);
    for (let i = 0; i < size; i++) values[i] = lo + Math.floor(rng.next() * n);
    return tf.tensor(values, shape.slice(), 'int32');
  }
  if (dtype !== 'float32')
    throw new LabInputError(fn, 'options.dtype', "must be 'float32' or 'int32'", dtype);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let v = Math.fround(low + (high - low) * rng.next());
    // Rounding to float32 can land exactly on `high`; redraw to keep the interval half-open.
    while (v >= high) v = Math.fround(low + (high - low) * rng.next());
    values[i] = v;
  }
  return tf.tensor(values, shape.slice(), 'float32');
}

/**
 * A tensor of truncated normal samples: N(mean, std^2) conditioned on lying within two standard
 * deviations of the mean (samples outside are redrawn), the initializer of `tf.truncatedNormal`
 * and Keras' `TruncatedNormal`, but deterministic across backends. The variance is
 * `std^2 * (1 - 4 phi(2) / (2 Phi(2) - 1)) ~ 0.7737 std^2`.
 *
 * @param shape - tensor shape.
 * @param options - `{ seed }` or `{ rng }`, plus `mean` (0) and `std` (1).
 * @returns a new float32 tensor owned by the caller.
 * @see https://js.tensorflow.org/api/latest/#truncatedNormal
 */
export function truncatedNormal(shape: number[], options: TruncatedNormalOptions = {}): tf.Tensor {
  const fn = 'truncatedNormal';
  const size = checkShape(fn, shape);
  const rng = sourceRng(fn, options, ['mean', 'std']);
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  checkFinite(fn, 'options.mean', mean);
  checkRange(fn, 'options.std', std, 0, Number.MAX_VALUE);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let z = rng.normal();
    while (z < -2 || z > 2) z = rng.normal();
    values[i] = mean + std * z;
  }
  return tf.tensor(values, shape.slice(), 'float32');
}

/**
 * A 0/1 mask with independent Bernoulli(p) entries (1 with probability `p`), e.g. a dropout
 * keep-mask (`p` = keep probability), identical on every backend for a given seed.
 *
 * @param shape - tensor shape.
 * @param options - `{ p, seed }` or `{ p, rng }`, and `dtype` (`'float32'` default, `'int32'`, `'bool'`).
 * @returns a new tensor owned by the caller.
 * @see Srivastava et al. (2014), "Dropout: A Simple Way to Prevent Neural Networks from Overfitting".
 */
export function bernoulliMask(shape: number[], options: BernoulliMaskOptions): tf.Tensor {
  const fn = 'bernoulliMask';
  const size = checkShape(fn, shape);
  if (options === undefined) throw new LabInputError(fn, 'options', 'is required (an options object with p)');
  const rng = sourceRng(fn, options, ['p', 'dtype']);
  checkRange(fn, 'options.p', options.p, 0, 1);
  const p = options.p;
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
    throw new LabInputError(fn, 'options.dtype', "must be 'float32', 'int32' or 'bool'", dtype);
  }
  const values =
    dtype === 'float32'
      ? new Float32Array(size)
      : dtype === 'int32'
        ? new Int32Array(size)
        : new Uint8Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.next() < p ? 1 : 0;
  return tf.tensor(values, shape.slice(), dtype);
}
