import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/index.js';

describe('smoke', () => {
  it('grad works on wasm', async () => {
    expect((await initBackend()).backend).toBe('wasm');
    const g = tf.grad((a: tf.Tensor) => a.square().sum())(tf.tensor1d([1, 2, 3]));
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6]);
  });
});
