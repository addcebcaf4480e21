// The README's Usage snippet, run as a test so the documented API cannot drift.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Adam, accuracy, createRng, Dense, fit, initBackend, ParameterStore } from '../src/index.js';

describe('README usage', () => {
  it('trains a seeded MLP with fit and reaches high accuracy on a separable toy problem', async () => {
    await initBackend(); // { backend: 'wasm', simd: true, ... }

    // Toy data: 3 Gaussian blobs in 4-D, drawn from a seeded generator.
    const rng = createRng(0);
    const n = 300;
    const xs = new Float32Array(n * 4);
    const ys = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      ys[i] = i % 3;
      for (let j = 0; j < 4; j++) xs[i * 4 + j] = rng.normal(j === ys[i] ? 2 : 0, 0.5);
    }
    const x = tf.tensor2d(xs, [n, 4]);
    const y = tf.oneHot(tf.tensor1d(ys, 'int32'), 3);

    const store = new ParameterStore({ seed: 42 });
    const hidden = new Dense(store, 'mlp.hidden', { inputDim: 4, units: 16, activation: 'relu' });
    const out = new Dense(store, 'mlp.out', { inputDim: 16, units: 3 });
    const optimizer = new Adam(store, { lr: 1e-2, weightDecay: 5e-4 });
    const logits = (input: tf.Tensor, training: boolean) =>
      out.apply(hidden.apply(input, { training }), { training });

    const history = await fit({
      store,
      optimizer,
      trainData: { x, y },
      epochs: 30,
      batchSize: 32,
      seed: 1,
      loss: (batch, ctx) => tf.losses.softmaxCrossEntropy(batch.y!, logits(batch.x!, ctx.training)) as tf.Scalar,
    });
    expect(history.loss.at(-1)!).toBeLessThan(history.loss[0]!);

    const predicted = tf.tidy(() => logits(x, false));
    // Blobs 4 standard deviations apart: a trained classifier separates nearly all points.
    expect(accuracy(predicted, ys)).toBeGreaterThan(0.95);

    tf.dispose([x, y, predicted]);
    store.dispose();
    optimizer.dispose();
  });
});
