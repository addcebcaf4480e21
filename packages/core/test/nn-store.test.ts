import * as tf from '@tensorflow/tfjs-core';
import { expectAllClose, expectNoLeaks, TOL } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { LabInputError } from '../src/errors.js';
import { Dense } from '../src/nn/Dense.js';
import {
  computeFans,
  getInitializer,
  glorotNormal,
  glorotUniform,
  heNormal,
  heUniform,
  normal,
  ones,
  orthogonal,
  zeros,
} from '../src/nn/initializers.js';
import { ParameterStore } from '../src/nn/ParameterStore.js';
import { createRng } from '../src/random/createRng.js';
import { decodeParameters } from '../src/serialization/decodeParameters.js';
import { encodeParameters } from '../src/serialization/encodeParameters.js';

/** Sample moments of n = 40k draws: std error of the variance estimate ~ sqrt(2/n) ~ 0.7%; 5% is > 6 sigma. */
const MOMENT_TOL = 0.05;

function stats(a: Float32Array): { mean: number; variance: number; min: number; max: number } {
  let s = 0;
  let s2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of a) {
    s += v;
    s2 += v * v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = s / a.length;
  return { mean, variance: s2 / a.length - mean * mean, min, max };
}

describe('initializers', () => {
  it('computes fans like Keras/PyTorch', () => {
    expect(computeFans([3, 5])).toEqual({ fanIn: 3, fanOut: 5 });
    expect(computeFans([3, 4, 2, 8])).toEqual({ fanIn: 24, fanOut: 96 });
    expect(computeFans([7])).toEqual({ fanIn: 7, fanOut: 7 });
  });

  it('draws the documented distributions', () => {
    const rng = createRng('init');
    const shape = [200, 200];
    const fanIn = 200;
    const fanOut = 200;
    const gu = stats(glorotUniform(shape, rng));
    const lim = Math.sqrt(6 / (fanIn + fanOut));
    expect(gu.max).toBeLessThanOrEqual(lim);
    expect(gu.min).toBeGreaterThanOrEqual(-lim);
    expect(Math.abs(gu.variance / ((lim * lim) / 3) - 1)).toBeLessThan(MOMENT_TOL);
    const gn = stats(glorotNormal(shape, rng));
    expect(Math.abs(gn.variance / (2 / (fanIn + fanOut)) - 1)).toBeLessThan(MOMENT_TOL);
    const hn = stats(heNormal(shape, rng));
    expect(Math.abs(hn.variance / (2 / fanIn) - 1)).toBeLessThan(MOMENT_TOL);
    const hu = stats(heUniform(shape, rng));
    expect(hu.max).toBeLessThanOrEqual(Math.sqrt(6 / fanIn));
    expect(Math.abs(hu.variance / (2 / fanIn) - 1)).toBeLessThan(MOMENT_TOL);
    const nn = stats(normal(0.5, 2)(shape, rng));
    expect(Math.abs(nn.mean - 2)).toBeLessThan(0.02);
    expect(Math.abs(nn.variance / 0.25 - 1)).toBeLessThan(MOMENT_TOL);
    expect(Array.from(zeros([2, 2], rng))).toEqual([0, 0, 0, 0]);
    expect(Array.from(ones([3], rng))).toEqual([1, 1, 1]);
  });

  it('orthogonal gives orthonormal rows (wide) or columns (tall)', () => {
    for (const [r, c] of [
      [4, 16],
      [16, 4],
      [6, 6],
    ] as const) {
      const w = orthogonal()([r, c], createRng(`o${r}x${c}`));
      const small = Math.min(r, c);
      for (let a = 0; a < small; a++) {
        for (let b = 0; b < small; b++) {
          let dot = 0;
          if (r <= c) for (let k = 0; k < c; k++) dot += w[a * c + k]! * w[b * c + k]!;
          else for (let k = 0; k < r; k++) dot += w[k * c + a]! * w[k * c + b]!;
          expect(Math.abs(dot - (a === b ? 1 : 0))).toBeLessThan(TOL.F32_REORDER);
        }
      }
    }
  });

  it('rejects unknown initializer names', () => {
    expect(() => getInitializer('xavier' as never)).toThrow(LabInputError);
    expect(() => orthogonal()([5], createRng(1))).toThrow(/orthogonal: argument 'shape'/);
  });
});

describe('ParameterStore', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('same seed, same weights; weights depend on name, not creation order', async () => {
    await expectNoLeaks(() => {
      const a = new ParameterStore({ seed: 7 });
      a.create('w1', [3, 4]);
      a.create('w2', [4, 2], 'heNormal');
      const b = new ParameterStore({ seed: 7 });
      b.create('w2', [4, 2], 'heNormal');
      b.create('w1', [3, 4]);
      const c = new ParameterStore({ seed: 8 });
      c.create('w1', [3, 4]);
      expectAllClose(a.variable('w1'), b.variable('w1'), { atol: TOL.EXACT });
      expectAllClose(a.variable('w2'), b.variable('w2'), { atol: TOL.EXACT });
      expect(Array.from(c.variable('w1').dataSync())).not.toEqual(Array.from(a.variable('w1').dataSync()));
      expect(a.names()).toEqual(['w1', 'w2']);
      expect(a.numParameters()).toBe(20);
      a.dispose();
      b.dispose();
      c.dispose();
    });
  });

  it('toRecord / loadRecord round trip with name and shape checks', async () => {
    await expectNoLeaks(() => {
      const s = new ParameterStore({ seed: 1 });
      new Dense(s, 'fc', { inputDim: 3, units: 2 });
      const rec = s.toRecord();
      expect(Object.keys(rec).sort()).toEqual(['fc.bias', 'fc.kernel']);
      expect(s.shapes()).toEqual({ 'fc.kernel': [3, 2], 'fc.bias': [2] });
      const t = new ParameterStore({ seed: 2 });
      new Dense(t, 'fc', { inputDim: 3, units: 2 });
      expect(t.loadRecord(rec).sort()).toEqual(['fc.bias', 'fc.kernel']);
      expectAllClose(t.variable('fc.kernel'), rec['fc.kernel']!, { atol: TOL.EXACT });
      // The record is still owned by the caller and intact.
      expect(rec['fc.kernel']!.isDisposed).toBe(false);
      const bad = { 'fc.kernel': tf.zeros([2, 3]), 'fc.bias': tf.zeros([2]) };
      expect(() => t.loadRecord(bad)).toThrow(
        /ParameterStore.loadRecord: argument 'record.fc.kernel' must have shape \[3, 2\]/,
      );
      const missing = { 'fc.kernel': tf.zeros([3, 2]) };
      expect(() => t.loadRecord(missing)).toThrow(/missing/);
      expect(t.loadRecord(missing, { strict: false })).toEqual(['fc.kernel']);
      const extra = { ...rec, other: tf.zeros([1]) };
      expect(() => t.loadRecord(extra)).toThrow(/record.other/);
      tf.dispose([...Object.values(rec), ...Object.values(bad), ...Object.values(missing), extra.other]);
      s.dispose();
      t.dispose();
    });
  });

  it('round-trips through the parameter file format (encode/decode with expected shapes)', async () => {
    const s = new ParameterStore({ seed: 11 });
    const fc = new Dense(s, 'fc', { inputDim: 3, units: 2, activation: 'tanh' });
    const x = tf.tensor2d([1, -2, 0.5, 0.3, 0.1, -1], [2, 3]);
    const rec = s.toRecord();
    const { manifest, weights } = await encodeParameters(rec, { model: 'fc' });
    tf.dispose(Object.values(rec));
    const t = new ParameterStore({ seed: 12 });
    const fc2 = new Dense(t, 'fc', { inputDim: 3, units: 2, activation: 'tanh' });
    await expectNoLeaks(() => {
      const { tensors } = decodeParameters(manifest, weights, { expected: t.shapes() });
      t.loadRecord(tensors);
      tf.dispose(Object.values(tensors));
    });
    tf.tidy(() => expectAllClose(fc2.apply(x), fc.apply(x), { atol: TOL.EXACT }));
    const other = new ParameterStore({ seed: 0 });
    new Dense(other, 'fc', { inputDim: 3, units: 4 });
    expect(() => decodeParameters(manifest, weights, { expected: other.shapes() })).toThrow();
    tf.dispose(x);
    s.dispose();
    t.dispose();
    other.dispose();
  });

  it('a mask transform changes the forward pass and zeroes masked gradients', async () => {
    const s = new ParameterStore({ seed: 3 });
    const fc = new Dense(s, 'fc', { inputDim: 4, units: 3 });
    const x = tf.tensor2d([
      [1, 2, 3, 4],
      [-1, 0.5, 2, 0],
    ]);
    const maskVals = [1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0];
    const mask = tf.tensor2d(maskVals, [4, 3]);
    const lossFn = () => tf.sum(tf.square(fc.apply(x))) as tf.Scalar;
    await expectNoLeaks(() => {
      const before = tf.tidy(() => fc.apply(x).dataSync());
      const remove = s.setTransform('fc.kernel', (w) => tf.mul(w, mask));
      const after = tf.tidy(() => fc.apply(x));
      // Brute force: x @ (W * mask).
      const W = s.variable('fc.kernel').dataSync();
      const xv = x.dataSync();
      const ref = new Float32Array(6);
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 3; j++)
          for (let k = 0; k < 4; k++) ref[i * 3 + j] += xv[i * 4 + k]! * W[k * 3 + j]! * maskVals[k * 3 + j]!;
      expectAllClose(after, ref, { atol: TOL.F32_REORDER, rtol: TOL.F32_REORDER });
      expect(Array.from(after.dataSync())).not.toEqual(Array.from(before));
      const { value, grads } = s.valueAndGrads(lossFn);
      const g = grads['fc.kernel']!.dataSync();
      maskVals.forEach((m, i) => {
        if (m === 0) expect(Math.abs(g[i]!)).toBe(0);
        else expect(g[i]).not.toBe(0);
      });
      remove();
      const restored = tf.tidy(() => fc.apply(x).dataSync());
      expect(Array.from(restored)).toEqual(Array.from(before));
      tf.dispose([after, value, ...Object.values(grads)]);
    });
    tf.dispose([x, mask]);
    s.dispose();
  });

  it('supports straight-through fake quantisation and freezing', async () => {
    const s = new ParameterStore({ seed: 4 });
    s.create('w', [5], normal(1));
    const ste = (w: tf.Tensor) =>
      tf.customGrad((...args) => ({
        value: tf.div(tf.round(tf.mul(args[0] as tf.Tensor, 4)), 4),
        gradFunc: (dy: tf.Tensor) => dy,
      }))(w);
    s.setTransform(/^w$/, ste);
    await expectNoLeaks(() => {
      const q = tf.tidy(() => s.get('w').dataSync());
      for (const v of q) expect(Math.abs(v * 4 - Math.round(v * 4))).toBeLessThan(TOL.F32_REORDER);
      const { value, grads } = s.valueAndGrads(
        () => tf.sum(tf.mul(s.get('w'), tf.tensor1d([1, 2, 3, 4, 5]))) as tf.Scalar,
      );
      expect(Array.from(grads.w!.dataSync())).toEqual([1, 2, 3, 4, 5]);
      tf.dispose([value, ...Object.values(grads)]);
      const qrec = s.toRecord({ transformed: true });
      expect(Array.from(qrec.w!.dataSync())).toEqual(Array.from(q));
      tf.dispose(Object.values(qrec));
    });
    s.create('frozen', [2], 'ones');
    expect(s.setTrainable('frozen', false)).toBe(1);
    expect(s.trainableNames()).toEqual(['w']);
    expect(Object.keys(s.trainableVariables())).toEqual(['w']);
    expect(s.numParameters({ trainableOnly: true })).toBe(5);
    s.dispose();
  });

  it('validates its inputs', () => {
    expect(() => new ParameterStore({ seed: Number.NaN })).toThrow(/ParameterStore: argument 'options.seed'/);
    const s = new ParameterStore({ seed: 0 });
    s.create('a', [2]);
    expect(() => s.create('a', [2])).toThrow(/must be unique/);
    expect(() => s.create('b', [0, 2])).toThrow(/argument 'shape'/);
    expect(() => s.create('c d', [2])).toThrow(/argument 'name'/);
    expect(() => s.get('nope')).toThrow(/ParameterStore.get: argument 'name'/);
    s.setTransform('a', () => tf.zeros([3]));
    expect(() => tf.tidy(() => s.get('a'))).toThrow(/must keep the shape \[2\]/);
    expect(() => s.valueAndGrads(() => tf.zeros([2]) as unknown as tf.Scalar)).toThrow(
      /must return a scalar/,
    );
    expect(() => s.valueAndGrads(() => tf.scalar(1))).toThrow(
      /ParameterStore.valueAndGrads: argument 'loss' must depend on at least one selected parameter/,
    );
    s.dispose();
    expect(() => s.names()).toThrow(/must not be disposed/);
  });
});
