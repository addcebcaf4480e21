import * as tf from '@tensorflow/tfjs-core';
import { Dense, LabInputError } from '@lab/core';
import { DLINEAR_KEYS, FORECASTER_LIMITS, readKernel } from './forecasterConfig.js';
import { NeuralForecaster, type NeuralForecasterOptions } from './NeuralForecaster.js';

/**
 * The moving average of DLinear as an `L x L` matrix `A` (row-major, row t = weights of output
 * t): the series is padded by replicating its first and last values `(k - 1) / 2` times, then
 * averaged over windows of `k`, so `trend = A x` keeps length L.
 *
 * @param length - series length L (at most `FORECASTER_LIMITS.lookback`).
 * @param kernel - odd window length k (DLinear: 25; at most `FORECASTER_LIMITS.kernel`).
 * @see Zeng et al., "Are Transformers Effective for Time Series Forecasting?", AAAI 2023 (series_decomp).
 */
export function movingAverageMatrix(length: number, kernel: number): Float32Array {
  const fn = 'movingAverageMatrix';
  if (!Number.isInteger(length) || length < 1 || length > FORECASTER_LIMITS.lookback) {
    throw new LabInputError(fn, 'length', `must be an integer in [1, ${FORECASTER_LIMITS.lookback}]`, length);
  }
  if (!Number.isInteger(kernel) || kernel < 1 || kernel > FORECASTER_LIMITS.kernel || kernel % 2 === 0) {
    throw new LabInputError(
      fn,
      'kernel',
      `must be an odd integer in [1, ${FORECASTER_LIMITS.kernel}]`,
      kernel,
    );
  }
  const pad = (kernel - 1) / 2;
  const a = new Float64Array(length * length);
  for (let t = 0; t < length; t++) {
    for (let j = t - pad; j <= t + pad; j++) {
      const s = Math.min(length - 1, Math.max(0, j));
      a[t * length + s]! += 1 / kernel;
    }
  }
  return Float32Array.from(a);
}

/** Options of {@link DLinearForecaster}. */
export interface DLinearForecasterOptions extends NeuralForecasterOptions {
  /** Moving-average window, odd, at most `FORECASTER_LIMITS.kernel` (default 25, as DLinear). */
  kernel?: number;
}

/**
 * DLinear, shared variant: decompose each look-back into a trend (moving average, kernel 25,
 * replicate padding) and a remainder; forecast each with its own `L -> H` linear layer shared
 * by all series, and add. No instance normalisation by default, as the paper.
 *
 * @see Zeng et al., "Are Transformers Effective for Time Series Forecasting?", AAAI 2023.
 */
export class DLinearForecaster extends NeuralForecaster {
  readonly name: string = 'DLinear';
  readonly kernel: number;
  private readonly avgT: tf.Tensor2D;
  private readonly seasonal: Dense;
  private readonly trend: Dense;

  constructor(options: DLinearForecasterOptions) {
    const kernel = readKernel('DLinearForecaster', options);
    super('DLinearForecaster', options, 'none', DLINEAR_KEYS);
    this.kernel = kernel;
    const a = movingAverageMatrix(this.lookback, this.kernel);
    // trend rows = x rows A^T; keep the transpose.
    this.avgT = tf.tidy(() => tf.transpose(tf.tensor2d(a, [this.lookback, this.lookback])));
    this.seasonal = new Dense(this.store, 'seasonal', { inputDim: this.lookback, units: this.horizon });
    this.trend = new Dense(this.store, 'trend', { inputDim: this.lookback, units: this.horizon });
  }

  protected forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [b, l, n] = x.shape as [number, number, number];
      const rows = tf.reshape(tf.transpose(x, [0, 2, 1]), [b * n, l]);
      const trend = tf.matMul(rows, this.avgT);
      const out = tf.add(this.seasonal.apply(tf.sub(rows, trend)), this.trend.apply(trend));
      return tf.transpose(tf.reshape(out, [b, n, this.horizon]), [0, 2, 1]);
    });
  }

  config(): Record<string, unknown> {
    return {
      ...this.baseConfig(),
      kernel: this.kernel,
    };
  }

  override dispose(): void {
    this.avgT.dispose();
    super.dispose();
  }
}
