import { Adam, Dense, ParameterStore, initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CompressionPlan,
  applyCompression,
  dequantizeModel,
  polynomialDecay,
  pruneInt8Model,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

/** Student MLP 12 -> 32 (tanh) -> 4. */
function student(seed: number) {
  const store = new ParameterStore({ seed });
  const a = new Dense(store, 'a', { inputDim: 12, units: 32, activation: 'tanh' });
  const b = new Dense(store, 'b', { inputDim: 32, units: 4 });
  return { store, forward: (x: tf.Tensor) => b.apply(a.apply(x)) };
}

function mse(forward: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, y: tf.Tensor): number {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(forward(x), y))).dataSync()[0]!);
}

describe("joint pruning + QAT vs the offline int8 baseline (the paper's comparison, in miniature)", () => {
  it('at 85% weight sparsity, fine-tuning with the plan beats pruning the int8 model offline', () => {
    // Teacher: a random dense MLP of the same shape; data: its outputs on Gaussian inputs.
    const teacher = student(100);
    const x = tf.randomNormal([128, 12], 0, 1, 'float32', 1);
    const y = tf.tidy(() => teacher.forward(x));
    const { store, forward } = student(1);
    const opt = new Adam(store, { lr: 1e-2 });
    const loss = () => tf.mean(tf.square(tf.sub(forward(x), y))) as tf.Scalar;
    for (let i = 0; i < 120; i++) opt.minimize(loss);
    const layers = [{ layer: 'a' }, { layer: 'b' }];
    // Dense int8 (no pruning), then the baseline: magnitude pruning of the integers.
    const dense = applyCompression(store, { layers });
    const denseInt8 = dense.toInt8Model();
    dense.dispose();
    const plan: CompressionPlan = {
      structure: 'weight',
      layers,
      schedule: polynomialDecay({ finalSparsity: 0.85, endStep: 60, frequency: 10 }),
    };
    const baseline = pruneInt8Model(denseInt8, plan);
    // Joint: continue training with the plan (gradual pruning + int8 QAT), then export.
    const c = applyCompression(store, plan);
    for (let i = 0; i < 90; i++) {
      c.step(i);
      opt.minimize(loss);
    }
    expect(c.sparsity().total.sparsity).toBeCloseTo(0.85, 2);
    const joint = c.toInt8Model();
    c.dispose();
    const evalStore = student(2);
    const errorOf = (m: typeof joint) => {
      const rec = dequantizeModel(m);
      evalStore.store.loadRecord(rec);
      tf.dispose(Object.values(rec));
      return mse(evalStore.forward, x, y);
    };
    const eJoint = errorOf(joint);
    const eBase = errorOf(baseline);
    const eDense = errorOf(denseInt8);
    // Measured here (wasm): dense int8 0.011, joint 0.11, offline baseline 0.38.
    expect(eJoint).toBeLessThan(eBase);
    expect(eDense).toBeLessThan(eBase);
    tf.dispose([x, y]);
    opt.dispose();
    for (const s of [teacher.store, store, evalStore.store]) s.dispose();
  });
});
