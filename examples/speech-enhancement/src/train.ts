// Training loop of the mask estimator on the phase-sensitive magnitude loss.
import { Adam, type LrSchedule, createRng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import type { MaskEstimator } from './model.js';

/** The training pool: fixed-length segments, features already normalised. */
export interface TrainingPool {
  readonly frames: number;
  readonly bins: number;
  readonly features: readonly Float32Array[];
  readonly magnitude: readonly Float32Array[];
  readonly target: readonly Float32Array[];
}

/** Options of {@link trainMaskEstimator}. */
export interface TrainMaskEstimatorOptions {
  readonly seed: number | string;
  readonly steps: number;
  readonly batchSize: number;
  readonly lr: number | LrSchedule;
  /** Called before every step with its 0-based index (e.g. to update pruning masks). */
  readonly beforeStep?: (step: number) => void;
  /** Called after every step with the loss. */
  readonly onStep?: (step: number, loss: number) => void;
}

/** Result of {@link trainMaskEstimator}. */
export interface TrainMaskEstimatorResult {
  /** Loss of every step. */
  readonly losses: number[];
}

/** Phase-sensitive loss: mean over bins of `(mask |Y| - target)^2`, scaled by the mean |Y|^2. */
function psaLoss(mask: tf.Tensor, magnitude: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.div(tf.mean(tf.square(tf.sub(tf.mul(mask, magnitude), target))), tf.mean(tf.square(magnitude))) as tf.Scalar);
}

/**
 * Adam on the phase-sensitive spectrum-approximation loss, random mini-batches from the pool
 * (deterministic given `seed`), gradients clipped to global norm 5.
 */
export function trainMaskEstimator(
  model: MaskEstimator,
  pool: TrainingPool,
  options: TrainMaskEstimatorOptions,
): TrainMaskEstimatorResult {
  const rng = createRng(`${String(options.seed)}:batches`);
  const opt = new Adam(model.store, { lr: options.lr, clipNorm: 5 });
  const { frames: T, bins: F } = pool;
  const B = options.batchSize;
  const n = T * F;
  const losses: number[] = [];
  const xb = new Float32Array(B * n);
  const mb = new Float32Array(B * n);
  const tb = new Float32Array(B * n);
  try {
    for (let step = 0; step < options.steps; step++) {
      options.beforeStep?.(step);
      for (let b = 0; b < B; b++) {
        const k = rng.int(pool.features.length);
        xb.set(pool.features[k] as Float32Array, b * n);
        mb.set(pool.magnitude[k] as Float32Array, b * n);
        tb.set(pool.target[k] as Float32Array, b * n);
      }
      const [x, m, t] = [xb, mb, tb].map((a) => tf.tensor3d(a, [B, T, F])) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const { value, grads } = model.store.valueAndGrads(() => psaLoss(model.apply(x, true), m, t));
      opt.step(grads);
      const loss = value.dataSync()[0] as number;
      tf.dispose([x, m, t, value, ...Object.values(grads)]);
      losses.push(loss);
      options.onStep?.(step, loss);
    }
  } finally {
    opt.dispose();
  }
  return { losses };
}
