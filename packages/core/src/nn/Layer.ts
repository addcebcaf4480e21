import type * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import type { ParameterStore } from './ParameterStore.js';

/** Options every layer's `apply` takes. */
export interface ApplyOptions {
  /** Training mode: enables dropout. Default `false` (inference). */
  training?: boolean;
}

/**
 * The shape of every layer in this toolkit: parameters live in a {@link ParameterStore} under
 * `name` (e.g. `enc.fc1.kernel`), and `apply` is an explicit, side-effect-free forward pass.
 * Call `apply` inside `tf.tidy` / a gradient function; it reads the weights through the store
 * (so store transforms apply) and never disposes its inputs.
 */
export interface Layer<In = tf.Tensor, Out = tf.Tensor, Opts extends ApplyOptions = ApplyOptions> {
  /** Prefix of this layer's parameter names. */
  readonly name: string;
  /** Full names of the parameters this layer created in the store. */
  readonly paramNames: readonly string[];
  /** Forward pass. */
  apply(x: In, options?: Opts): Out;
}

/** @internal Validates a layer constructor's store/name arguments. */
export function checkLayerArgs(fn: string, store: ParameterStore, name: string): void {
  if (store === null || typeof store !== 'object' || typeof (store as ParameterStore).create !== 'function') {
    throw new LabInputError(fn, 'store', 'must be a ParameterStore', store);
  }
  if (typeof name !== 'string' || name.length === 0) {
    throw new LabInputError(fn, 'name', 'must be a non-empty string', name);
  }
}

/** @internal Validates a positive integer option. */
export function checkPositiveInt(fn: string, arg: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new LabInputError(fn, arg, 'must be a positive integer', v);
  }
}

/** @internal Validates the last dimension of a tensor input. */
export function checkLastDim(fn: string, arg: string, x: tf.Tensor, dim: number, minRank = 2): void {
  if (x === null || typeof x !== 'object' || !Array.isArray((x as tf.Tensor).shape)) {
    throw new LabInputError(fn, arg, 'must be a tf.Tensor', x);
  }
  if (x.isDisposed) throw new LabInputError(fn, arg, 'must not be disposed', x);
  if (x.rank < minRank || x.shape[x.rank - 1] !== dim) {
    throw new LabInputError(fn, arg, `must have rank >= ${minRank} and last dimension ${dim}`, x);
  }
}
