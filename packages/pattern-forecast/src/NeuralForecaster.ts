import * as tf from '@tensorflow/tfjs-core';
import {
  Adam,
  fit,
  ParameterStore,
  readOptions,
  type SaveParametersResult,
  type Seed,
  type SeedOptions,
  saveParameters,
} from '@lab/core';
import {
  checkDataFor,
  checkPredictInput,
  type EvaluateOptions,
  type EvaluateResult,
  evaluateForecaster,
  type Forecaster,
  type ForecasterFitOptions,
  type ForecasterFitResult,
  gatherWindows,
} from './Forecaster.js';
import type { ForecastData } from './prepareForecastData.js';

const FIT_KEYS = [
  'epochs',
  'batchSize',
  'lr',
  'patience',
  'seed',
  'rng',
  'onProgress',
  'progressEvery',
] as const;
import { FORECASTER_FORMAT, INSTANCE_NORMS, NEURAL_KEYS, readSizes } from './forecasterConfig.js';

/**
 * Instance normalisation of each look-back window and series before the model, undone on the
 * forecast: `'last'` subtracts the last value (NLinear), `'mean'` the window mean, `'revin'`
 * subtracts the mean and divides by the standard deviation (RevIN without affine parameters).
 */
export type InstanceNorm = 'none' | 'last' | 'mean' | 'revin';

/**
 * Options every trainable forecaster's constructor takes (architecture only; training options go
 * to `fit`). `seed`/`rng` ({@link SeedOptions}) seed the parameter initialisation (default seed 0).
 * Sizes are limited by `FORECASTER_LIMITS`.
 */
export interface NeuralForecasterOptions extends SeedOptions {
  lookback: number;
  horizon: number;
  numSeries: number;
  /** Instance normalisation (default depends on the model). */
  instanceNorm?: InstanceNorm;
}

const REVIN_EPS = 1e-5; // variance floor of RevIN, as in Kim et al. (ICLR 2022)

/**
 * Base of the trainable forecasters: a {@link ParameterStore}, instance normalisation,
 * training with Adam and early stopping on validation MSE (`fit` of `@lab/core`), evaluation
 * and saving. Subclasses implement `forward` on normalised windows.
 */
export abstract class NeuralForecaster implements Forecaster {
  abstract readonly name: string;
  readonly lookback: number;
  readonly horizon: number;
  readonly numSeries: number;
  readonly instanceNorm: InstanceNorm;
  /** Seed of the initialisation (`undefined` when an `rng` was given); saved with the model. */
  readonly seed: Seed | undefined;
  /** The model's parameters. */
  readonly store: ParameterStore;

  /**
   * @param fn - the subclass name, for error messages.
   * @param options - the caller's options (read with `readOptions`; unknown keys are rejected).
   * @param defaultNorm - the model's default instance normalisation.
   * @param known - every option name the subclass reads.
   */
  protected constructor(
    fn: string,
    options: NeuralForecasterOptions,
    defaultNorm: InstanceNorm,
    known: readonly string[] = NEURAL_KEYS,
  ) {
    const o = readOptions(fn, options, known);
    const sizes = readSizes(o);
    this.lookback = sizes.lookback;
    this.horizon = sizes.horizon;
    this.numSeries = sizes.numSeries;
    this.instanceNorm = o.oneOf('instanceNorm', INSTANCE_NORMS, defaultNorm);
    const rng = o.rng();
    this.seed = o.has('rng') ? undefined : ((o.raw('seed') as Seed | undefined) ?? 0);
    this.store = new ParameterStore({ seed: rng });
  }

  /** `[B, L, N]` (instance-normalised) to `[B, H, N]`. */
  protected abstract forward(x: tf.Tensor, training: boolean): tf.Tensor;

  /** Extra training loss (e.g. a diversity penalty), or null. */
  protected regularizer(): tf.Scalar | null {
    return null;
  }

  /** Constructor options needed to rebuild this model (saved with the weights). */
  abstract config(): Record<string, unknown>;

  /** The constructor options every neural forecaster has; subclasses' `config()` adds its own. */
  protected baseConfig(): Record<string, unknown> {
    return {
      lookback: this.lookback,
      horizon: this.horizon,
      numSeries: this.numSeries,
      seed: this.seed,
      instanceNorm: this.instanceNorm,
    };
  }

  /** Number of trainable scalars. */
  numParameters(): number {
    return this.store.numParameters({ trainableOnly: true });
  }

  /** Forward pass with instance normalisation; no input checks. Internal. */
  protected run(x: tf.Tensor, training: boolean): tf.Tensor {
    return tf.tidy(() => {
      if (this.instanceNorm === 'none') return this.forward(x, training);
      if (this.instanceNorm === 'last') {
        const last = tf.slice(x, [0, this.lookback - 1, 0], [-1, 1, -1]);
        return tf.add(this.forward(tf.sub(x, last), training), last);
      }
      const mean = tf.mean(x, 1, true);
      if (this.instanceNorm === 'mean') return tf.add(this.forward(tf.sub(x, mean), training), mean);
      const std = tf.sqrt(tf.add(tf.mean(tf.square(tf.sub(x, mean)), 1, true), REVIN_EPS));
      return tf.add(tf.mul(this.forward(tf.div(tf.sub(x, mean), std), training), std), mean);
    });
  }

  predict(x: tf.Tensor): tf.Tensor {
    checkPredictInput(`${this.name}.predict`, this, x);
    return this.run(x, false);
  }

  /**
   * Trains with Adam on every stride-1 training window (shuffled, seeded), MSE loss (plus the
   * model's regulariser), early stopping on validation MSE with the best weights restored.
   * Options are checked with `readOptions` (unknown keys rejected); `seed`/`rng` seed the
   * shuffling (default seed 0).
   *
   * @returns core's `FitHistory` (`loss`, `valLoss`, `epochsRun`, `stopReason`, ...) plus
   *   `epochs` (= `epochsRun`) and `msPerEpoch`.
   */
  async fit(data: ForecastData, options: ForecasterFitOptions = {}): Promise<ForecasterFitResult> {
    const fn = `${this.name}.fit`;
    checkDataFor(fn, this, data);
    const o = readOptions(fn, options, FIT_KEYS);
    const epochs = o.integer('epochs', 10, { min: 1 });
    const batchSize = o.integer('batchSize', 32, { min: 1 });
    const lr = o.number('lr', 1e-3, { min: 0, open: { min: true } });
    const patience = o.integer('patience', 3, { min: 0 });
    const onProgress = o.optionalFunction<NonNullable<ForecasterFitOptions['onProgress']>>('onProgress');
    const progressEvery = o.oneOf('progressEvery', ['epoch', 'batch'] as const, 'epoch');
    // The shuffling's generator: the caller's seed (default 0) or their rng, passed on to core's fit.
    const rng = o.rng();
    const series = tf.tensor2d(data.values, [data.rows, data.cols]);
    const trainIdx = tf.tensor1d(data.windows.train, 'int32');
    const valIdx = tf.tensor1d(data.windows.val, 'int32');
    const optimizer = new Adam(this.store, { lr });
    try {
      const history = await fit({
        store: this.store,
        optimizer,
        trainData: { s: trainIdx },
        valData: { s: valIdx },
        epochs,
        batchSize,
        rng,
        loss: (b, ctx) => {
          const { x, y } = gatherWindows(series, b.s!, this.lookback, this.horizon);
          const mse = tf.mean(tf.squaredDifference(this.run(x, ctx.training), y)) as tf.Scalar;
          const reg = ctx.training ? this.regularizer() : null;
          return reg === null ? mse : tf.add(mse, reg);
        },
        earlyStopping: { patience, restoreBestWeights: true },
        onProgress,
        progressEvery,
      });
      return {
        ...history,
        epochs: history.epochsRun,
        msPerEpoch: history.epochsRun > 0 ? history.elapsedMs / history.epochsRun : 0,
      };
    } finally {
      optimizer.dispose();
      tf.dispose([series, trainIdx, valIdx]);
    }
  }

  /** {@link evaluateForecaster} of this forecaster. */
  evaluate(data: ForecastData, options?: EvaluateOptions): EvaluateResult {
    return evaluateForecaster(this, data, options);
  }

  /**
   * Saves the weights and the configuration (`saveParameters` of `@lab/core`): a JSON manifest
   * at `path` and `<name>.weights.bin` next to it. Load with {@link loadForecaster}.
   */
  async save(path: string, metadata: Record<string, unknown> = {}): Promise<SaveParametersResult> {
    const record = this.store.toRecord();
    try {
      return await saveParameters(path, record, {
        ...metadata,
        format: FORECASTER_FORMAT,
        kind: this.name,
        config: this.config(),
      });
    } finally {
      tf.dispose(Object.values(record));
    }
  }

  dispose(): void {
    this.store.dispose();
  }
}
