import * as tf from '@tensorflow/tfjs-core';
import { expectAllClose, expectNoLeaks, TOL } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { Adam } from '../src/nn/Adam.js';
import { Dense } from '../src/nn/Dense.js';
import { type Batch, type FitProgress, fit } from '../src/nn/fit.js';
import { ParameterStore } from '../src/nn/ParameterStore.js';
import { SGD } from '../src/nn/SGD.js';
import { createRng } from '../src/random/createRng.js';

const N = 32;

/** y = x . [1, -2, 0.5] + 0.3 + small noise, seeded. */
function regression(seed: string, n = N) {
  const r = createRng(seed);
  const x = r.fillNormal(new Float32Array(n * 3));
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++)
    y[i] = x[3 * i]! - 2 * x[3 * i + 1]! + 0.5 * x[3 * i + 2]! + 0.3 + r.normal(0, 0.01);
  return { x: tf.tensor2d(x, [n, 3]), y: tf.tensor2d(y, [n, 1]) };
}

const mse = (fc: Dense) => (b: Batch) => tf.losses.meanSquaredError(b.y!, fc.apply(b.x!)) as tf.Scalar;

describe('fit', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('mini-batch training decreases the loss, is reproducible by seed, reports progress, and does not leak', async () => {
    const train = regression('train');
    const val = regression('val', 16);
    const runOnce = async (seed: number) => {
      const store = new ParameterStore({ seed: 1 });
      const fc = new Dense(store, 'fc', { inputDim: 3, units: 1 });
      const optimizer = new Adam(store, { lr: 0.05 });
      const events: FitProgress[] = [];
      // The optimizer's moments are the only tensors fit leaves behind: disposed inside the check.
      const history = await expectNoLeaks(async () => {
        const h = await fit({
          store,
          optimizer,
          loss: mse(fc),
          trainData: train,
          valData: val,
          epochs: 30,
          batchSize: 8,
          seed,
          metrics: { mae: (b) => tf.mean(tf.abs(tf.sub(fc.apply(b.x!), b.y!))) as tf.Scalar },
          onProgress: (p) => {
            events.push(p);
          },
        });
        optimizer.dispose();
        return h;
      });
      const w = Array.from(store.variable('fc.kernel').dataSync());
      store.dispose();
      return { history, events, w };
    };
    const a = await runOnce(3);
    const b = await runOnce(3);
    const c = await runOnce(4);
    expect(a.history.steps).toBe(30 * 4);
    expect(a.history.loss[29]!).toBeLessThan(a.history.loss[0]! / 10);
    expect(a.history.valLoss[29]!).toBeLessThan(0.01);
    expect(a.history.metrics.mae!.length).toBe(30);
    expectAllClose(a.w, [1, -2, 0.5], { atol: 0.05 });
    // Same seed: identical trajectory; different shuffling seed: different trajectory.
    expect(b.history.loss).toEqual(a.history.loss);
    expect(b.w).toEqual(a.w);
    expect(c.history.loss).not.toEqual(a.history.loss);
    expect(a.events.length).toBe(30);
    const e = a.events[4]!;
    expect(e.phase).toBe('epoch');
    expect(e.epoch).toBe(4);
    expect(e.step).toBe(20);
    expect(e.loss).toBe(a.history.loss[4]);
    expect(e.valLoss).toBe(a.history.valLoss[4]);
    expect(e.metrics.mae).toBe(a.history.metrics.mae![4]);
    expect(e.lr).toBe(0.05);
    expect(e.elapsedMs).toBeGreaterThanOrEqual(0);
    tf.dispose([train.x, train.y, val.x, val.y]);
  });

  it('early stopping: stops after `patience` epochs without improvement and restores the best weights', async () => {
    // Train on y = 2x, validate on y = x: from w = 0 the validation loss falls until w passes 1, then rises.
    const x = tf.tensor2d([1, 2, -1, 0.5, -2, 1.5], [6, 1]);
    const trainData = { x, y: tf.mul(x, 2) };
    const valData = { x, y: tf.clone(x) };
    const store = new ParameterStore({ seed: 0 });
    const fc = new Dense(store, 'fc', { inputDim: 1, units: 1, useBias: false, kernelInit: 'zeros' });
    const optimizer = new SGD(store, { lr: 0.02 });
    const history = await expectNoLeaks(() =>
      fit({
        store,
        optimizer,
        loss: mse(fc),
        trainData,
        valData,
        epochs: 200,
        seed: 0,
        earlyStopping: { patience: 3, minDelta: 1e-4 },
      }),
    );
    expect(history.stopReason).toBe('earlyStopping');
    for (let i = 1; i < history.loss.length; i++) expect(history.loss[i]!).toBeLessThan(history.loss[i - 1]!);
    const best = history.valLoss.indexOf(Math.min(...history.valLoss));
    expect(history.bestEpoch).toBe(best);
    expect(history.epochsRun).toBe(best + 4);
    expect(history.restoredBestWeights).toBe(true);
    // The restored weights reproduce the best validation loss, and w is near 1.
    const restored = tf.tidy(() => mse(fc)(valData).dataSync()[0]!);
    expect(Math.abs(restored - history.valLoss[best]!)).toBeLessThan(
      TOL.F32_REORDER * history.valLoss[best]! + 1e-9,
    );
    expect(Math.abs(store.variable('fc.kernel').dataSync()[0]! - 1)).toBeLessThan(0.1);
    optimizer.dispose();
    store.dispose();
    tf.dispose([x, trainData.y, valData.y]);
  });

  it('full-batch mode ({} data), batch-level progress, and non-finite loss handling', async () => {
    const store = new ParameterStore({ seed: 0 });
    store.create('w', [2], 'ones');
    const opt = new SGD(store, { lr: 0.1 });
    const phases: string[] = [];
    const h = await expectNoLeaks(() =>
      fit({
        store,
        optimizer: opt,
        loss: () => tf.sum(tf.square(store.get('w'))) as tf.Scalar,
        trainData: {},
        epochs: 5,
        seed: 0,
        progressEvery: 'batch',
        onProgress: async (p) => {
          phases.push(p.phase);
        },
      }),
    );
    expect(h.steps).toBe(5);
    expect(phases).toEqual([
      'batch',
      'epoch',
      'batch',
      'epoch',
      'batch',
      'epoch',
      'batch',
      'epoch',
      'batch',
      'epoch',
    ]);
    // w <- 0.8 w each step: loss 2 * 0.8^(2k) before step k.
    expect(h.loss[4]!).toBeCloseTo(2 * 0.8 ** 8, 5);
    const stopped = await fit({
      store,
      optimizer: opt,
      loss: () => tf.sum(tf.square(store.get('w'))) as tf.Scalar,
      trainData: {},
      epochs: 50,
      seed: 0,
      onProgress: (p) => p.epoch < 2,
    });
    expect(stopped.stopReason).toBe('callback');
    expect(stopped.epochsRun).toBe(3);
    let calls = 0;
    const bad = await fit({
      store,
      optimizer: opt,
      loss: () =>
        (calls++ < 2 ? tf.sum(store.get('w')) : tf.mul(tf.sum(store.get('w')), Number.NaN)) as tf.Scalar,
      trainData: {},
      epochs: 10,
      seed: 0,
      earlyStopping: { patience: 5, monitor: 'loss' },
    });
    expect(bad.stopReason).toBe('nonFiniteLoss');
    expect(bad.epochsRun).toBe(2);
    opt.dispose();
    store.dispose();
  });

  it('rejects bad options with named arguments', async () => {
    const store = new ParameterStore({ seed: 0 });
    store.create('w', [1]);
    const opt = new SGD(store, { lr: 0.1 });
    const base = {
      store,
      optimizer: opt,
      loss: () => tf.sum(store.get('w')) as tf.Scalar,
      trainData: {},
      epochs: 1,
      seed: 0,
    };
    const a = tf.zeros([4, 1]);
    const b = tf.zeros([3, 1]);
    await expect(fit({ ...base, epochs: 0 })).rejects.toThrow(/fit: argument 'options.epochs'/);
    await expect(fit({ ...base, trainData: { a, b } })).rejects.toThrow(
      /fit: argument 'options.trainData.b' must have 4 rows/,
    );
    await expect(fit({ ...base, trainData: { a }, batchSize: 0 })).rejects.toThrow(/options.batchSize/);
    await expect(fit({ ...base, earlyStopping: { patience: 1, monitor: 'valLoss' } })).rejects.toThrow(
      /options.earlyStopping.monitor/,
    );
    await expect(fit({ ...base, optimizer: {} as never })).rejects.toThrow(/options.optimizer/);
    tf.dispose([a, b]);
    opt.dispose();
    store.dispose();
  });
});
