import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import type { Rng } from '../random/createRng.js';
import { readOptions } from '../validation/readOptions.js';
import type { Optimizer } from './Optimizer.js';
import type { ParameterStore } from './ParameterStore.js';

/** A mini-batch: named tensors sharing their first (example) dimension. */
export type Batch = Record<string, tf.Tensor>;

/** Context passed to the loss and metric functions. */
export interface FitContext {
  /** True for training steps, false for validation. */
  training: boolean;
  /** 0-based epoch. */
  epoch: number;
}

/** A progress report (see {@link FitOptions.onProgress}). */
export interface FitProgress {
  /** `batch` after each optimizer step (if `progressEvery: 'batch'`), `epoch` after each epoch. */
  phase: 'batch' | 'epoch';
  /** 0-based epoch. */
  epoch: number;
  /** Optimizer steps taken so far in the whole run. */
  step: number;
  /** Batch loss (`phase: 'batch'`) or the epoch's mean training loss. */
  loss: number;
  /** Validation loss of the epoch (NaN without validation data or in batch reports). */
  valLoss: number;
  /** Epoch metrics on the validation data (or the training data without it). */
  metrics: Record<string, number>;
  /** Learning rate of the last step. */
  lr: number;
  /** Milliseconds since `fit` started. */
  elapsedMs: number;
}

/** Early-stopping configuration. */
export interface EarlyStoppingOptions {
  /** Stop after this many consecutive epochs without improvement (0: at the first one). */
  patience: number;
  /** An epoch improves when `value < best - minDelta` (default 0). */
  minDelta?: number;
  /** Load the best epoch's parameters at the end (default true). */
  restoreBestWeights?: boolean;
  /** Quantity to monitor (default `valLoss` when there is validation data, else `loss`). */
  monitor?: 'valLoss' | 'loss';
}

/** Options of {@link fit}. */
export interface FitOptions {
  /** Parameters being trained (the optimizer must update this store). */
  store: ParameterStore;
  /** Optimizer over the store's variables. */
  optimizer: Optimizer;
  /** Mean loss of a batch; called inside a gradient tape (training) or a tidy (validation). */
  loss: (batch: Batch, ctx: FitContext) => tf.Scalar;
  /**
   * Training examples: tensors sharing their first dimension N. Pass `{}` for full-batch
   * problems whose loss closes over its own data (e.g. a GCN on one graph): one step per epoch.
   */
  trainData: Batch;
  /** Validation examples (same structure). Validation loss is the size-weighted batch mean. */
  valData?: Batch;
  /** Passes over the training data. */
  epochs: number;
  /** Examples per step (default N: full batch). The last batch may be smaller. */
  batchSize?: number;
  /** Shuffle examples each epoch with the seeded generator (default true). */
  shuffle?: boolean;
  /** Seed of the shuffling (default `DEFAULT_SEED`, 0; at most one of `seed` and `rng`). */
  seed?: number | string;
  /** Generator for the shuffling, advanced in place (instead of `seed`). */
  rng?: Rng;
  /** Extra epoch metrics on the validation (else training) data, size-weighted over batches. */
  metrics?: Record<string, (batch: Batch, ctx: FitContext) => tf.Scalar | number>;
  /** Early stopping (default: none). */
  earlyStopping?: EarlyStoppingOptions;
  /**
   * Progress callback (may be async; it is awaited). Returning `false` stops training after
   * this report (`stopReason: 'callback'`), e.g. for a time budget.
   */
  onProgress?: (p: FitProgress) => boolean | undefined | Promise<boolean | undefined> | void | Promise<void>;
  /** Report after every epoch (default) or also after every batch. */
  progressEvery?: 'epoch' | 'batch';
}

/** Result of {@link fit}. */
export interface FitHistory {
  /** Mean training loss per epoch. */
  loss: number[];
  /** Validation loss per epoch (empty without validation data). */
  valLoss: number[];
  /** Metric values per epoch. */
  metrics: Record<string, number[]>;
  /** Learning rate at the last step of each epoch. */
  lr: number[];
  /** Epoch with the best monitored value (-1 if none was finite). */
  bestEpoch: number;
  /** Best monitored value. */
  bestValue: number;
  /** Epochs run. */
  epochsRun: number;
  /** Optimizer steps taken. */
  steps: number;
  /** Why training ended. */
  stopReason: 'completed' | 'earlyStopping' | 'nonFiniteLoss' | 'callback';
  /** Whether the best epoch's weights were restored at the end. */
  restoredBestWeights: boolean;
  /** Wall time in milliseconds. */
  elapsedMs: number;
}

function numExamples(fn: string, arg: string, data: Batch): number {
  if (data === null || typeof data !== 'object')
    throw new LabInputError(fn, arg, 'must be a Record<string, tf.Tensor>', data);
  let n = -1;
  for (const [k, t] of Object.entries(data)) {
    if (!(t instanceof tf.Tensor) || t.isDisposed || t.rank < 1) {
      throw new LabInputError(fn, `${arg}.${k}`, 'must be a live tf.Tensor of rank >= 1', t);
    }
    if (n >= 0 && t.shape[0] !== n)
      throw new LabInputError(fn, `${arg}.${k}`, `must have ${n} rows like the others`, t);
    n = t.shape[0]!;
  }
  return n; // -1: no tensors
}

function sliceBatch(data: Batch, idx: Int32Array | null, start: number, end: number): Batch {
  const out: Batch = {};
  if (idx === null) {
    for (const [k, t] of Object.entries(data)) out[k] = tf.slice(t, start, end - start);
  } else {
    const sel = tf.tensor1d(idx.subarray(start, end), 'int32');
    for (const [k, t] of Object.entries(data)) out[k] = tf.gather(t, sel);
    sel.dispose();
  }
  return out;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Mini-batch training loop on a {@link ParameterStore}: seeded shuffling, one optimizer step
 * per batch on `loss` (gradients with respect to the store's trainable parameters, through
 * its transforms), validation and metrics every epoch, early stopping with best-weight
 * restoration, and a progress callback. Non-finite training loss stops the run.
 * Tensors created by the loop are freed; the caller's data is untouched.
 *
 * @example
 * ```ts
 * // Linear regression y = x0 + x1 with a held-out validation set.
 * const [x, xv] = [tf.randomNormal([64, 2], 0, 1, 'float32', 1), tf.randomNormal([32, 2], 0, 1, 'float32', 2)];
 * const [y, yv] = [tf.sum(x, 1, true), tf.sum(xv, 1, true)];
 * const store = new ParameterStore({ seed: 0 });
 * const fc = new Dense(store, 'fc', { inputDim: 2, units: 1 });
 * const model = (input: tf.Tensor, training: boolean) => fc.apply(input, { training });
 * const history = await fit({
 *   store, optimizer: new AdamW(store, { lr: 1e-3 }), seed: 0, epochs: 50, batchSize: 32,
 *   trainData: { x, y }, valData: { x: xv, y: yv },
 *   loss: (b, { training }) => tf.losses.meanSquaredError(b.y, model(b.x, training)) as tf.Scalar,
 *   earlyStopping: { patience: 5 },
 * });
 * ```
 * @see Prechelt, "Early Stopping - But When?", Neural Networks: Tricks of the Trade, 1998.
 */
/** The option names {@link fit} reads (anything else is rejected as a misspelling). */
const FIT_KEYS = [
  'store',
  'optimizer',
  'loss',
  'trainData',
  'valData',
  'epochs',
  'batchSize',
  'shuffle',
  'seed',
  'rng',
  'metrics',
  'earlyStopping',
  'onProgress',
  'progressEvery',
] as const;

export async function fit(options: FitOptions): Promise<FitHistory> {
  const fn = 'fit';
  if (options === undefined) throw new LabInputError(fn, 'options', 'is required (an options object)');
  const o = readOptions(fn, options, FIT_KEYS);
  const { store, optimizer, loss } = options;
  if (store === null || typeof store !== 'object' || typeof store.valueAndGrads !== 'function') {
    throw new LabInputError(fn, 'options.store', 'must be a ParameterStore', store);
  }
  if (optimizer === null || typeof optimizer !== 'object' || typeof optimizer.step !== 'function') {
    throw new LabInputError(fn, 'options.optimizer', 'must be an Optimizer', optimizer);
  }
  if (typeof loss !== 'function')
    throw new LabInputError(fn, 'options.loss', 'must be a function (batch, ctx) => scalar', loss);
  const epochs = options.epochs;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new LabInputError(fn, 'options.epochs', 'must be a positive integer', epochs);
  const n = numExamples(fn, 'options.trainData', options.trainData);
  const nVal = options.valData === undefined ? -1 : numExamples(fn, 'options.valData', options.valData);
  if (options.valData !== undefined && nVal < 1) {
    throw new LabInputError(fn, 'options.valData', 'must hold at least one example tensor', options.valData);
  }
  if (n === 0)
    throw new LabInputError(fn, 'options.trainData', 'must have at least one example', options.trainData);
  const batchSize = options.batchSize ?? Math.max(n, 1);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new LabInputError(fn, 'options.batchSize', 'must be a positive integer', batchSize);
  }
  const es = options.earlyStopping;
  if (es !== undefined) {
    o.nested('earlyStopping', ['patience', 'minDelta', 'restoreBestWeights', 'monitor']);
    if (!Number.isInteger(es.patience) || es.patience < 0) {
      throw new LabInputError(fn, 'options.earlyStopping.patience', 'must be an integer >= 0', es.patience);
    }
    if (es.minDelta !== undefined && (typeof es.minDelta !== 'number' || !(es.minDelta >= 0))) {
      throw new LabInputError(fn, 'options.earlyStopping.minDelta', 'must be a number >= 0', es.minDelta);
    }
    if (es.monitor === 'valLoss' && options.valData === undefined) {
      throw new LabInputError(
        fn,
        'options.earlyStopping.monitor',
        'valLoss requires options.valData',
        es.monitor,
      );
    }
  }
  const metricFns = options.metrics ?? {};
  for (const [k, m] of Object.entries(metricFns)) {
    if (typeof m !== 'function') throw new LabInputError(fn, `options.metrics.${k}`, 'must be a function', m);
  }
  const rng = o.rng();
  const shuffle = o.boolean('shuffle', true);
  const monitor = es?.monitor ?? (options.valData !== undefined ? 'valLoss' : 'loss');
  const restoreBest = es !== undefined && (es.restoreBestWeights ?? true);
  const minDelta = es?.minDelta ?? 0;
  const progressEvery = o.oneOf('progressEvery', ['epoch', 'batch'], 'epoch');
  const onProgress = o.optionalFunction<NonNullable<FitOptions['onProgress']>>('onProgress');

  const history = emptyFitHistory(Object.keys(metricFns));
  const t0 = now();
  let best: Record<string, tf.Tensor> | null = null;
  let sinceBest = 0;
  let lastLr = Number.NaN;
  let stopRequested = false;

  /** Size-weighted mean of loss and metrics over `data` in batches, inference mode. */
  const evaluate = (data: Batch, count: number, epoch: number, withLoss: boolean) => {
    const ctx: FitContext = { training: false, epoch };
    const sums: Record<string, number> = { __loss: 0 };
    for (const k of Object.keys(metricFns)) sums[k] = 0;
    const chunks = count < 0 ? [[0, 0]] : [];
    for (let s = 0; s < count; s += batchSize) chunks.push([s, Math.min(count, s + batchSize)]);
    const total = count < 0 ? 1 : count;
    for (const [s, e] of chunks) {
      const w = count < 0 ? 1 : e! - s!;
      tf.tidy(() => {
        const b = count < 0 ? data : sliceBatch(data, null, s!, e!);
        if (withLoss) sums.__loss! += w * loss(b, ctx).dataSync()[0]!;
        for (const [k, m] of Object.entries(metricFns)) {
          const v = m(b, ctx);
          sums[k]! += w * (typeof v === 'number' ? v : v.dataSync()[0]!);
        }
      });
    }
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(sums)) out[k] = v / total;
    return out;
  };

  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const ctx: FitContext = { training: true, epoch };
      const order = n > 0 && shuffle ? rng.permutation(n) : null;
      let lossSum = 0;
      let seen = 0;
      let nonFinite = false;
      const starts: number[] = [];
      if (n < 0) starts.push(0);
      else for (let s = 0; s < n; s += batchSize) starts.push(s);
      for (const s of starts) {
        const e = n < 0 ? 0 : Math.min(n, s + batchSize);
        const w = n < 0 ? 1 : e - s;
        const batch = n < 0 ? options.trainData : sliceBatch(options.trainData, order, s, e);
        let value: number;
        try {
          const { value: v, grads } = store.valueAndGrads(() => loss(batch, ctx));
          value = v.dataSync()[0]!;
          v.dispose();
          try {
            if (Number.isFinite(value)) lastLr = optimizer.step(grads).lr;
          } finally {
            tf.dispose(Object.values(grads));
          }
        } finally {
          if (n >= 0) tf.dispose(Object.values(batch));
        }
        if (!Number.isFinite(value)) {
          nonFinite = true;
          break;
        }
        history.steps++;
        lossSum += w * value;
        seen += w;
        if (progressEvery === 'batch' && onProgress) {
          const verdict = await onProgress({
            phase: 'batch',
            epoch,
            step: history.steps,
            loss: value,
            valLoss: Number.NaN,
            metrics: {},
            lr: lastLr,
            elapsedMs: now() - t0,
          });
          if (verdict === false) {
            stopRequested = true;
            break;
          }
        }
      }
      if (nonFinite) {
        history.stopReason = 'nonFiniteLoss';
        break;
      }
      const trainLoss = lossSum / seen;
      history.loss.push(trainLoss);
      history.lr.push(lastLr);
      let valLoss = Number.NaN;
      let metrics: Record<string, number> = {};
      if (options.valData !== undefined) {
        const r = evaluate(options.valData, nVal, epoch, true);
        valLoss = r.__loss!;
        history.valLoss.push(valLoss);
        delete r.__loss;
        metrics = r;
      } else if (Object.keys(metricFns).length > 0) {
        const r = evaluate(options.trainData, n, epoch, false);
        delete r.__loss;
        metrics = r;
      }
      for (const [k, v] of Object.entries(metrics)) history.metrics[k]!.push(v);
      history.epochsRun = epoch + 1;

      const monitored = monitor === 'valLoss' ? valLoss : trainLoss;
      if (Number.isFinite(monitored) && monitored < history.bestValue - minDelta) {
        history.bestValue = monitored;
        history.bestEpoch = epoch;
        sinceBest = 0;
        if (restoreBest) {
          if (best) tf.dispose(Object.values(best));
          best = store.toRecord();
        }
      } else {
        sinceBest++;
      }
      if (onProgress) {
        const verdict = await onProgress({
          phase: 'epoch',
          epoch,
          step: history.steps,
          loss: trainLoss,
          valLoss,
          metrics,
          lr: lastLr,
          elapsedMs: now() - t0,
        });
        if (verdict === false) stopRequested = true;
      }
      if (stopRequested) {
        history.stopReason = 'callback';
        break;
      }
      if (es !== undefined && sinceBest > 0 && sinceBest >= es.patience) {
        history.stopReason = 'earlyStopping';
        break;
      }
    }
    // Restore unless the final weights are the best ones (a non-finite partial epoch changed them).
    const finalIsBest = history.bestEpoch === history.epochsRun - 1 && history.stopReason !== 'nonFiniteLoss';
    if (restoreBest && best !== null && !finalIsBest) {
      store.loadRecord(best);
      history.restoredBestWeights = true;
    }
  } finally {
    if (best) tf.dispose(Object.values(best));
  }
  history.elapsedMs = now() - t0;
  return history;
}

/**
 * A {@link FitHistory} before the first epoch, with an empty series per metric name: what
 * {@link fit} starts from, and what a model with nothing to train (a naive forecaster, a model
 * fitted in closed form) returns from its `fit` under the training contract.
 *
 * @example
 * ```ts
 * const h = emptyFitHistory(['accuracy']);
 * if (h.epochsRun !== 0 || h.stopReason !== 'completed' || h.metrics.accuracy?.length !== 0) throw new Error('empty');
 * ```
 */
export function emptyFitHistory(metricNames: readonly string[] = []): FitHistory {
  return {
    loss: [],
    valLoss: [],
    metrics: Object.fromEntries(metricNames.map((k) => [k, [] as number[]])),
    lr: [],
    bestEpoch: -1,
    bestValue: Number.POSITIVE_INFINITY,
    epochsRun: 0,
    steps: 0,
    stopReason: 'completed',
    restoredBestWeights: false,
    elapsedMs: 0,
  };
}
