import { LabInputError, createRng, initBackend } from '@lab/core';
import { TOL, expectNoLeaks } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ActivationObserver,
  dequantizeModel,
  fakeQuantActivation,
  fakeQuantWeight,
  fakeQuantize,
  quantizeWeight,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

describe('fakeQuantWeight / quantizeWeight', () => {
  it('per tensor: hand-computed integers (scale = max|w| / 127, round half to even)', () => {
    // max|w| = 1.27 -> scale = 0.01 (float32); w / scale = 100, -50, 0.5 -> 0 (even), 1.5 -> 2, -127
    const w = [1.0, -0.5, 0.005, 0.015, -1.27];
    const q = quantizeWeight('w', w, [5]);
    expect(Array.from(q.values)).toEqual([100, -50, 0, 2, -127]);
    expect(q.scales[0]).toBe(Math.fround(1.27 / 127));
    expect(Array.from(q.zeroPoints)).toEqual([0]);
    const t = tf.tensor1d(w);
    const y = fakeQuantWeight(t);
    // fake quant = q * scale in float32.
    expect(Array.from(y.dataSync())).toEqual(Array.from(q.values, (v) => Math.fround(v * q.scales[0]!)));
    tf.dispose([t, y]);
  });

  it('per channel: one scale per output column (last axis); all-zero channel gets scale 1', () => {
    const w = [
      [2, 0, 0.1],
      [-1, 0, -0.2],
    ];
    const q = quantizeWeight('w', w.flat(), [2, 3], { perChannel: true });
    expect(Array.from(q.scales)).toEqual([Math.fround(2 / 127), 1, Math.fround(0.2 / 127)]);
    expect(Array.from(q.values)).toEqual([127, 0, 64, -64, 0, -127]); // 63.5 -> 64 (even), -63.5 -> -64
  });

  it('quantizeWeight equals fakeQuantWeight bit for bit on random weights (both scale modes)', async () => {
    const rng = createRng(5);
    const shape = [17, 24];
    const v = Float32Array.from({ length: 17 * 24 }, () => rng.normal() * 0.3);
    for (const perChannel of [false, true]) {
      const t = tf.tensor(v, shape);
      const y = await expectNoLeaks(() => fakeQuantWeight(t, { perChannel }), { keepResult: true });
      const q = quantizeWeight('w', v, shape, { perChannel });
      const deq = Array.from(q.values, (x, i) => Math.fround(x * q.scales[perChannel ? i % 24 : 0]!));
      // `+ 0` maps -0 (tf's round of a small negative) to 0: the same real value.
      expect(Array.from(y.dataSync(), (x) => x + 0)).toEqual(deq);
      tf.dispose([t, y]);
    }
  });

  it('gradient is straight-through (identity)', () => {
    const w = tf.tensor1d([0.3, -0.7, 0.01, 1.1]);
    const dy = tf.tensor1d([1, 2, 3, 4]);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(fakeQuantWeight(x, { perChannel: true }), dy)))(w);
    expect(Array.from(g.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([w, dy, g]);
  });

  it('keeps zeros exactly zero (mask survives quantisation)', () => {
    const t = tf.tensor2d([
      [0, 0.4],
      [-0.2, 0],
    ]);
    const y = fakeQuantWeight(t);
    const d = y.dataSync();
    expect(d[0]).toBe(0);
    expect(d[3]).toBe(0);
    tf.dispose([t, y]);
  });
});

describe('fakeQuantize', () => {
  it('rounds onto the grid, clips, and passes gradient only inside the range', () => {
    const grid = { scale: 0.5, zeroPoint: -2, qmin: -4, qmax: 3 }; // real range [-1, 2.5]
    const x = tf.tensor1d([-3, -1, -0.3, 0.25, 0.75, 2.5, 2.6, 9]);
    const y = fakeQuantize(x, grid);
    // q = clamp(round(x / 0.5) - 2, -4, 3): -8->-4, -4, -2.6 -> round(-0.6)=-1 -> -3, 0.5->0 -> -2, 1.5->2 -> 0, 5-2=3, 5.2->5-2=3, 18-2 -> 3
    // y = (q + 2) * 0.5
    expect(Array.from(y.dataSync())).toEqual([-1, -1, -0.5, 0, 1, 2.5, 2.5, 2.5]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(fakeQuantize(t, grid)))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 1, 1, 1, 1, 1, 0, 0]);
    tf.dispose([x, y, g]);
  });

  it('rejects bad grids naming the field', () => {
    const x = tf.scalar(1);
    expect(() => fakeQuantize(x, { scale: 0, zeroPoint: 0, qmin: -1, qmax: 1 })).toThrow(
      /fakeQuantize: argument 'grid.scale'/,
    );
    expect(() => fakeQuantize(x, { scale: 1, zeroPoint: 5, qmin: -1, qmax: 1 })).toThrow(LabInputError);
    x.dispose();
  });
});

describe('ActivationObserver', () => {
  it('moving-average min/max (first observation sets it), int8 asymmetric grid with TF nudging', async () => {
    const obs = new ActivationObserver('a', { momentum: 0.9 });
    const a = tf.tensor1d([-1, 0, 3]);
    const b = tf.tensor1d([-2, 1, 5]);
    await expectNoLeaks(() => {
      obs.observe(a);
      obs.observe(b);
    });
    expect(obs.min).toBeCloseTo(0.9 * -1 + 0.1 * -2, 6);
    expect(obs.max).toBeCloseTo(0.9 * 3 + 0.1 * 5, 6);
    const g = obs.grid();
    const scale = (obs.max - obs.min) / 255;
    expect(g.scale).toBeCloseTo(scale, 12);
    const zp = Math.round(-128 - obs.min / scale);
    expect(g.zeroPoint).toBe(zp);
    expect(obs.toQuantParams()).toEqual({ name: 'a', bits: 8, scale: g.scale, zeroPoint: zp });
    tf.dispose([a, b]);
  });

  it('range always includes 0; int16 symmetric grid', () => {
    const obs = new ActivationObserver('c', { bits: 16 });
    const x = tf.tensor1d([0.5, 2]);
    obs.observe(x);
    expect(obs.grid()).toEqual({ scale: 2 / 32767, zeroPoint: 0, qmin: -32767, qmax: 32767 });
    const p = new ActivationObserver('p');
    p.observe(x);
    // [0, 2]: zero point -128, scale 2/255.
    expect(p.grid().zeroPoint).toBe(-128);
    x.dispose();
  });

  it('apply: training observes then fake-quantises; inference uses the frozen range; disabled passes through', async () => {
    const obs = new ActivationObserver('a');
    const x = tf.tensor1d([-1, 0.1234, 2]);
    const y = await expectNoLeaks(() => fakeQuantActivation(x, obs, { training: true }), {
      keepResult: true,
    });
    const s = 3 / 255;
    const zp = Math.round(-128 + 1 / s);
    const expected = [-1, 0.1234, 2].map((v) =>
      Math.fround((Math.min(127, Math.max(-128, Math.round(v / s) + zp)) - zp) * s),
    );
    const got = Array.from(y.dataSync());
    for (let i = 0; i < expected.length; i++)
      expect(Math.abs(got[i]! - expected[i]!)).toBeLessThanOrEqual(TOL.F32_REORDER * s);
    const big = tf.tensor1d([10]);
    const z = obs.apply(big); // frozen: clipped to the top of [-1, 2]
    expect(z.dataSync()[0]).toBeCloseTo((127 - zp) * s, 5);
    expect(obs.count).toBe(1);
    obs.enabled = false;
    const w = obs.apply(big);
    expect(w.dataSync()[0]).toBe(10);
    tf.dispose([x, y, big, z, w]);
  });

  it('rejects bad options', () => {
    expect(() => new ActivationObserver('a', { bits: 4 as never })).toThrow(
      /ActivationObserver: argument 'options.bits'/,
    );
    expect(() => new ActivationObserver('a', { momentum: 1 })).toThrow(/options.momentum/);
    expect(() => new ActivationObserver('a').toQuantParams()).toThrow(LabInputError);
  });
});

describe('tensor hygiene', () => {
  it('fakeQuantize / fakeQuantWeight (forward and gradient) and dequantizeModel leak nothing', async () => {
    const x = tf.tensor2d([
      [0.1, -0.4],
      [2, 0.3],
    ]);
    const grid = { scale: 0.01, zeroPoint: 3, qmin: -128, qmax: 127 };
    await expectNoLeaks(() => fakeQuantize(x, grid));
    await expectNoLeaks(() => tf.grad((t: tf.Tensor) => tf.sum(fakeQuantize(t, grid)))(x));
    await expectNoLeaks(() => tf.grad((t: tf.Tensor) => tf.sum(fakeQuantWeight(t, { perChannel: true })))(x));
    const q = quantizeWeight('w', [0.5, -1, 0.25, 0], [2, 2], { perChannel: true });
    const rec = await expectNoLeaks(
      () =>
        dequantizeModel({
          weights: [q],
          floats: [{ name: 'b', shape: [2], values: Float32Array.from([1, 2]) }],
          activations: [],
        }),
      {
        keepResult: true,
      },
    );
    expect(Array.from(rec.w!.dataSync())).toEqual(
      Array.from(q.values, (v, i) => Math.fround(v * q.scales[i % 2]!)),
    );
    expect(Array.from(rec.b!.dataSync())).toEqual([1, 2]);
    tf.dispose([x, ...Object.values(rec)]);
  });
});
