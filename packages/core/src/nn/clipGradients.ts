import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';

function checkGrads(fn: string, grads: Record<string, tf.Tensor>): void {
  if (grads === null || typeof grads !== 'object') {
    throw new LabInputError(fn, 'grads', 'must be a Record<string, tf.Tensor>', grads);
  }
  for (const [k, g] of Object.entries(grads)) {
    if (!(g instanceof tf.Tensor) || g.isDisposed)
      throw new LabInputError(fn, `grads.${k}`, 'must be a live tf.Tensor', g);
  }
}

/** Global L2 norm `sqrt(sum_p ||g_p||^2)` over every gradient in the record. */
export function globalNorm(grads: Record<string, tf.Tensor>): number {
  checkGrads('globalNorm', grads);
  const list = Object.values(grads);
  if (list.length === 0) return 0;
  return tf.tidy(() => tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))).dataSync()[0]!);
}

/**
 * Scales all gradients by `min(1, maxNorm / globalNorm)` so their joint L2 norm is at most
 * `maxNorm` (PyTorch's `clip_grad_norm_`, which adds 1e-6 to the norm). Returns new tensors
 * (caller disposes; inputs untouched) and the norm before clipping.
 * @see Pascanu, Mikolov & Bengio, "On the difficulty of training recurrent neural networks", ICML 2013.
 */
export function clipByGlobalNorm(
  grads: Record<string, tf.Tensor>,
  maxNorm: number,
): { grads: Record<string, tf.Tensor>; norm: number } {
  checkGrads('clipByGlobalNorm', grads);
  if (typeof maxNorm !== 'number' || !(maxNorm > 0) || !Number.isFinite(maxNorm)) {
    throw new LabInputError('clipByGlobalNorm', 'maxNorm', 'must be a finite number > 0', maxNorm);
  }
  const norm = globalNorm(grads);
  const scale = Math.min(1, maxNorm / (norm + 1e-6));
  const out: Record<string, tf.Tensor> = {};
  for (const [k, g] of Object.entries(grads))
    out[k] = scale === 1 ? tf.clone(g) : tf.tidy(() => tf.mul(g, scale));
  return { grads: out, norm };
}

/** Clips every gradient element to `[-clipValue, clipValue]`. Returns new tensors. */
export function clipByValue(grads: Record<string, tf.Tensor>, clipValue: number): Record<string, tf.Tensor> {
  checkGrads('clipByValue', grads);
  if (typeof clipValue !== 'number' || !(clipValue > 0) || !Number.isFinite(clipValue)) {
    throw new LabInputError('clipByValue', 'clipValue', 'must be a finite number > 0', clipValue);
  }
  const out: Record<string, tf.Tensor> = {};
  for (const [k, g] of Object.entries(grads)) out[k] = tf.clipByValue(g, -clipValue, clipValue);
  return out;
}
