import { LabInputError } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { expectedNormCore } from './expectedNorm.js';

/**
 * Differentiable tfjs version of {@link expectedNorm}: E||x|| for x ~ N(mu, s^2 I_dim), element-wise
 * over tensors of variances s^2 and squared mean norms ||mu||^2 (same shape). The forward pass runs
 * the float64 Poisson-mixture evaluation in JS (so it is exact to float32 output precision for every
 * D) and a `tf.customGrad` supplies the analytic partial derivatives, so Finsler curve energies built
 * on it can be differentiated with tfjs. Negative variances from float32 rounding are clamped to 0.
 * Where both inputs are 0 (a zero velocity) the gradient is set to 0 instead of +Infinity.
 *
 * @param dim Output dimension D (integer >= 1).
 * @param variance Tensor of s^2 >= 0.
 * @param meanSquaredNorm Tensor of ||mu||^2 >= 0, same shape.
 * @returns float32 tensor of E||x||, same shape.
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010)
 */
export function expectedNormTf<T extends tf.Tensor>(dim: number, variance: T, meanSquaredNorm: T): T {
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1) {
    throw new LabInputError('expectedNormTf', 'dim', 'must be an integer >= 1', dim);
  }
  if (!(variance instanceof tf.Tensor))
    throw new LabInputError('expectedNormTf', 'variance', 'must be a tf.Tensor', variance);
  if (!(meanSquaredNorm instanceof tf.Tensor)) {
    throw new LabInputError('expectedNormTf', 'meanSquaredNorm', 'must be a tf.Tensor', meanSquaredNorm);
  }
  if (!tf.util.arraysEqual(variance.shape, meanSquaredNorm.shape)) {
    throw new LabInputError(
      'expectedNormTf',
      'meanSquaredNorm',
      `must have the shape of variance [${variance.shape.join(', ')}]`,
      meanSquaredNorm,
    );
  }
  return expectedNormOp(dim)(variance, meanSquaredNorm) as T;
}

/** The customGrad op for one D (unchecked; used inside energies). */
export function expectedNormOp(dim: number): (variance: tf.Tensor, meanSquaredNorm: tf.Tensor) => tf.Tensor {
  const f = (variance: tf.Tensor, meanSquaredNorm: tf.Tensor) => {
    const vs = variance.dataSync();
    const ms = meanSquaredNorm.dataSync();
    const n = vs.length;
    const value = new Float32Array(n);
    const dV = new Float32Array(n);
    const dM = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = Math.max(0, vs[i]!);
      const m = Math.max(0, ms[i]!);
      if (!Number.isFinite(v) || !Number.isFinite(m)) {
        value[i] = Number.NaN;
        dV[i] = Number.NaN;
        dM[i] = Number.NaN;
        continue;
      }
      const r = expectedNormCore(dim, v, m, true);
      value[i] = r.value;
      dV[i] = Number.isFinite(r.dVariance) ? r.dVariance : 0;
      dM[i] = Number.isFinite(r.dMeanSquaredNorm) ? r.dMeanSquaredNorm : 0;
    }
    const shape = variance.shape;
    return {
      value: tf.tensor(value, shape, 'float32'),
      gradFunc: (dy: tf.Tensor) => [tf.mul(dy, tf.tensor(dV, shape)), tf.mul(dy, tf.tensor(dM, shape))],
    };
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
    variance: tf.Tensor,
    meanSquaredNorm: tf.Tensor,
  ) => tf.Tensor;
}
