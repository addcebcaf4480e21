import { LabInputError, checkTensor } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

/** An affine integer grid: `real = scale * (q - zeroPoint)`, `q` in `[qmin, qmax]`. */
export interface QuantGrid {
  /** Positive step between representable values. */
  scale: number;
  /** Integer that represents real 0. */
  zeroPoint: number;
  /** Smallest integer (e.g. -128 for int8, -127 for narrow-range int8 weights). */
  qmin: number;
  /** Largest integer (e.g. 127). */
  qmax: number;
}

/** @internal Validates a grid. */
function checkGrid(fn: string, arg: string, g: QuantGrid): void {
  if (g === null || typeof g !== 'object')
    throw new LabInputError(fn, arg, 'must be { scale, zeroPoint, qmin, qmax }', g);
  if (!(typeof g.scale === 'number' && Number.isFinite(g.scale) && g.scale > 0)) {
    throw new LabInputError(fn, `${arg}.scale`, 'must be a positive finite number', g.scale);
  }
  for (const k of ['zeroPoint', 'qmin', 'qmax'] as const) {
    if (!Number.isInteger(g[k])) throw new LabInputError(fn, `${arg}.${k}`, 'must be an integer', g[k]);
  }
  if (!(g.qmin < g.qmax && g.zeroPoint >= g.qmin && g.zeroPoint <= g.qmax)) {
    throw new LabInputError(fn, arg, 'must satisfy qmin < qmax and qmin <= zeroPoint <= qmax', [
      g.qmin,
      g.zeroPoint,
      g.qmax,
    ]);
  }
}

/**
 * Fake quantisation onto an affine integer grid with a clipped straight-through estimator:
 *
 * ```
 * q = clamp(round(x / scale) + zeroPoint, qmin, qmax)   (round half to even, float32)
 * y = (q - zeroPoint) * scale
 * dy/dx = 1 where (qmin - zeroPoint) * scale <= x <= (qmax - zeroPoint) * scale, else 0
 * ```
 *
 * This is the forward/backward of TensorFlow's `fake_quant_with_min_max_vars` on an
 * already-nudged range. Use {@link ActivationObserver} for moving-average activation ranges
 * and {@link fakeQuantWeight} for weights.
 *
 * @returns A new tensor (the caller owns it).
 * @see Jacob et al., "Quantization and Training of Neural Networks for Efficient
 *   Integer-Arithmetic-Only Inference", CVPR 2018 (arXiv 1712.05877).
 */
export function fakeQuantize(x: tf.Tensor, grid: QuantGrid): tf.Tensor {
  checkTensor('fakeQuantize', 'x', x);
  checkGrid('fakeQuantize', 'grid', grid);
  return fakeQuantizeUnchecked(x, grid);
}

/** @internal {@link fakeQuantize} without the checks (hot loops). */
export function fakeQuantizeUnchecked(x: tf.Tensor, grid: QuantGrid): tf.Tensor {
  const { scale, zeroPoint, qmin, qmax } = grid;
  const lo = (qmin - zeroPoint) * scale;
  const hi = (qmax - zeroPoint) * scale;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([input]);
    const q = tf.clipByValue(tf.add(tf.round(tf.div(input, scale)), zeroPoint), qmin, qmax);
    return {
      value: tf.mul(tf.sub(q, zeroPoint), scale),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const s = saved[0]!;
        return tf.mul(
          dy as tf.Tensor,
          tf.cast(tf.logicalAnd(tf.greaterEqual(s, lo), tf.lessEqual(s, hi)), 'float32'),
        );
      },
    };
  });
  return tf.tidy(() => f(x) as tf.Tensor);
}
