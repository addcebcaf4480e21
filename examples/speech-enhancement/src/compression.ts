// The bridge to @lab/sparse-quant: plans for the mask estimator, joint fine-tuning, offline pruning.
import {
  type ActivationQuantParams,
  type CompressionPlan,
  type Int8Model,
  applyCompression,
  dequantizeModel,
  polynomialDecay,
  pruneInt8Model,
  shrinkUnits,
} from '@lab/sparse-quant';
import { createRng } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import type { RunSpec } from './config.js';
import { MaskEstimator } from './model.js';
import { type TrainingPool, trainMaskEstimator } from './train.js';

/** A compressed model: its integers (exported, estimated on the NPU) and a float twin for scoring. */
export interface CompressedModel {
  /** As exported: int8 weights with their zeros; unit runs physically shrunk. */
  readonly int8: Int8Model;
  /** Computes exactly with the int8 weights (dequantised), for SDR evaluation. Caller disposes. */
  readonly estimator: MaskEstimator;
}

/**
 * The compression plan of the mask estimator for one run: both LSTMs and the mask layer,
 * int8 per-tensor weights; pruning per `spec` with Zhu & Gupta's cubic schedule reaching the
 * target after `rampSteps` (masks updated `updates` times). Unit pruning removes LSTM hidden
 * units (their gate columns, recurrent rows and the consumer's input rows); the mask layer's 128
 * outputs are the bins, so it is never unit-pruned.
 *
 * @see Stamenovic et al., arXiv 2111.02351.
 */
export function maskEstimatorPlan(spec: RunSpec, rampSteps: number, updates = 10): CompressionPlan {
  const frequency = Math.max(1, Math.floor(rampSteps / updates));
  const endStep = Math.max(frequency, frequency * Math.floor(rampSteps / frequency));
  const pruned = spec.structure !== 'none' && spec.sparsity > 0;
  const schedule = pruned
    ? polynomialDecay({ initialSparsity: 0, finalSparsity: spec.sparsity, beginStep: 0, endStep, frequency })
    : undefined;
  return {
    structure: spec.structure,
    block: [8, 8],
    // Per-tensor scales, as TFLite's integer LSTM and fully connected kernels; per-channel scales
    // would add 4 bytes per output channel (4.6 kB here, a quarter of a 95 %-sparse model).
    perChannel: false,
    ...(schedule ? { schedule } : {}),
    layers: [
      { layer: 'lstm1', ...(spec.structure === 'unit' ? { consumers: ['lstm2.kernel'] } : {}) },
      { layer: 'lstm2', ...(spec.structure === 'unit' ? { consumers: ['mask.kernel'] } : {}) },
      { layer: 'mask', exclude: spec.structure === 'unit' || !pruned },
    ],
  };
}

/** The int8 model of a float estimator (per-tensor int8 weights, no pruning). */
export function toInt8(model: MaskEstimator): Int8Model {
  const c = applyCompression(model.store, maskEstimatorPlan({ key: 'int8', method: 'qat', structure: 'none', sparsity: 0 }, 1));
  try {
    return c.toInt8Model();
  } finally {
    c.dispose();
  }
}

/** The activation quantisation parameters of both LSTMs (observed ranges and fixed grids). */
function activationParams(model: MaskEstimator): ActivationQuantParams[] {
  return [...model.lstm1.quantParams(), ...model.lstm2.quantParams()];
}

/** Writes the dequantised weights (and float tensors) of `int8` into `model`'s parameters. */
export function loadInt8(model: MaskEstimator, int8: Int8Model): void {
  const record = dequantizeModel(int8);
  try {
    model.store.loadRecord(record);
  } finally {
    tf.dispose(Object.values(record));
  }
}

/** Options of {@link fineTuneCompressed}. */
export interface FineTuneCompressedOptions {
  readonly seed: number;
  readonly hidden: number;
  readonly steps: number;
  readonly batchSize: number;
  readonly lr: number;
  /** Fraction of the steps over which the sparsity ramps up; the rest recovers at the target. */
  readonly rampFraction: number;
  readonly onStep?: (step: number, loss: number) => void;
}

/**
 * Joint run: the dense checkpoint fine-tuned with masks and int8 fake quantisation installed
 * through the store's weight-transform hook (sparse-quant's `applyCompression`), then exported as
 * int8 (unit runs shrunk). Dense int8 QAT is the same with structure `none`.
 */
export function fineTuneCompressed(
  denseRecord: Record<string, tf.Tensor>,
  spec: RunSpec,
  pool: TrainingPool,
  options: FineTuneCompressedOptions,
): CompressedModel {
  const model = new MaskEstimator({ bins: pool.bins, hidden: options.hidden, seed: options.seed, quantizeActivations: true });
  model.store.loadRecord(denseRecord);
  const plan = maskEstimatorPlan(spec, Math.round(options.steps * options.rampFraction));
  const c = applyCompression(model.store, plan);
  try {
    trainMaskEstimator(model, pool, {
      seed: `${options.seed}:${spec.key}`,
      steps: options.steps,
      batchSize: options.batchSize,
      lr: options.lr,
      beforeStep: (step) => {
        c.step(step);
      },
      onStep: options.onStep,
    });
    const int8 = c.toInt8Model({ activations: activationParams(model) });
    c.dispose();
    // The float twin computes with the exported integers (zeroed units give h = 0 exactly, so the
    // unshrunk twin equals the shrunk model).
    loadInt8(model, int8);
    return { int8: spec.structure === 'unit' ? shrinkUnits(int8, plan).model : int8, estimator: model };
  } catch (err) {
    c.dispose();
    model.dispose();
    throw err;
  }
}

/**
 * Offline baseline: the dense model's int8 weights magnitude-pruned to the run's structure and
 * sparsity (sparse-quant's `pruneInt8Model`), no retraining.
 */
export function compressOffline(dense: MaskEstimator, denseInt8: Int8Model, spec: RunSpec, pool: TrainingPool, seed: number): CompressedModel {
  const plan = maskEstimatorPlan({ ...spec, method: 'offline' }, 1);
  const pruned = pruneInt8Model(denseInt8, plan);
  const model = new MaskEstimator({ bins: dense.bins, hidden: dense.hidden, seed: 0, quantizeActivations: true });
  loadInt8(model, pruned);
  calibrate(model, pool, seed);
  const withRanges: Int8Model = { ...pruned, activations: activationParams(model) };
  return { int8: spec.structure === 'unit' ? shrinkUnits(withRanges, plan).model : withRanges, estimator: model };
}

/**
 * Post-training calibration of the activation ranges (the QuantLSTM observers): forward passes
 * over `batches` training batches with `training: true`, no weight update.
 */
function calibrate(model: MaskEstimator, pool: TrainingPool, seed: number, batches = 8, batchSize = 16): void {
  const rng = createRng(`${seed}:calibration`);
  const n = pool.frames * pool.bins;
  const x = new Float32Array(batchSize * n);
  for (let k = 0; k < batches; k++) {
    for (let b = 0; b < batchSize; b++) x.set(pool.features[rng.int(pool.features.length)] as Float32Array, b * n);
    tf.tidy(() => {
      model.apply(tf.tensor3d(x, [batchSize, pool.frames, pool.bins]), true);
    });
  }
}
