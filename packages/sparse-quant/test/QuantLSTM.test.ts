import { GRU, LSTM, ParameterStore, initBackend } from '@lab/core';
import { TOL, expectAllClose, expectNoLeaks } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuantGRU, QuantLSTM } from '../src/index.js';

/**
 * Quantised vs float recurrences: h is int8 over a range of ~1 (step ~0.008) and the gates
 * are int16; errors of a few int8 steps accumulate over 6 time steps.
 */
const QUANT_VS_FLOAT = 0.05;

let x: tf.Tensor;
beforeAll(async () => {
  await initBackend();
  x = tf.randomNormal([3, 6, 5], 0, 1, 'float32', 11);
});
afterAll(() => x.dispose());

describe('QuantLSTM', () => {
  it("creates exactly core LSTM's parameters (names, shapes, initial values)", () => {
    const a = new ParameterStore({ seed: 7 });
    const b = new ParameterStore({ seed: 7 });
    new LSTM(a, 'l', { inputDim: 5, units: 4 });
    const q = new QuantLSTM(b, 'l', { inputDim: 5, units: 4 });
    expect(q.paramNames).toEqual(['l.kernel', 'l.recurrentKernel', 'l.bias']);
    expect(b.shapes()).toEqual(a.shapes());
    for (const n of a.names())
      expect(Array.from(b.variable(n).dataSync())).toEqual(Array.from(a.variable(n).dataSync()));
    a.dispose();
    b.dispose();
  });

  it('with quantisation disabled computes exactly what core LSTM computes', () => {
    const s = new ParameterStore({ seed: 1 });
    const core = new LSTM(s, 'l', { inputDim: 5, units: 4 });
    const s2 = new ParameterStore({ seed: 1 });
    const q = new QuantLSTM(s2, 'l', { inputDim: 5, units: 4, quant: { enabled: false } });
    const a = core.apply(x);
    const b = q.apply(x);
    expect(Array.from(b.output.dataSync())).toEqual(Array.from(a.output.dataSync()));
    tf.dispose([a.output, a.h, a.c, b.output, b.h, b.c]);
    s.dispose();
    s2.dispose();
  });

  it('stays close to the float LSTM; h lies on the int8 grid and c on the Q4.11 grid (frozen ranges)', async () => {
    const s = new ParameterStore({ seed: 2 });
    const core = new LSTM(s, 'l', { inputDim: 5, units: 4 });
    const q = new QuantLSTM(s, 'q', { inputDim: 5, units: 4 });
    s.loadRecord(
      Object.fromEntries(['kernel', 'recurrentKernel', 'bias'].map((p) => [`q.${p}`, s.variable(`l.${p}`)])),
      { strict: false },
    );
    const warm = q.apply(x, { training: true });
    tf.dispose([warm.output, warm.h, warm.c]);
    const out = await expectNoLeaks(() => q.apply(x), { keepResult: true });
    const ref = core.apply(x);
    expectAllClose(out.output, ref.output, { atol: QUANT_VS_FLOAT });
    const g = q.observers[1]!.grid();
    for (const v of out.output.dataSync()) {
      const k = v / g.scale + g.zeroPoint;
      expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-3); // float32 rounding of (q - zp) * scale
    }
    for (const v of out.c.dataSync()) expect(Number.isInteger(v * 2 ** 11)).toBe(true);
    expect(q.quantParams().map((p) => [p.name, p.bits])).toEqual([
      ['q.input', 8],
      ['q.hidden', 8],
      ['q.gatePreactivations', 16],
      ['q.gateOutputs', 16],
      ['q.cell', 16],
    ]);
    tf.dispose([out.output, out.h, out.c, ref.output, ref.h, ref.c]);
    s.dispose();
  });

  it('passes straight-through gradients to the weights and input, without leaks', async () => {
    const s = new ParameterStore({ seed: 3 });
    const q = new QuantLSTM(s, 'q', { inputDim: 5, units: 4, quant: { hiddenBits: 16, cellShift: null } });
    const { value, grads } = await expectNoLeaks(
      () => s.valueAndGrads(() => tf.sum(tf.square(q.apply(x, { training: true }).output)) as tf.Scalar),
      { keepResult: true },
    );
    for (const g of Object.values(grads)) {
      const d = g.dataSync();
      expect(d.every(Number.isFinite)).toBe(true);
      expect(d.some((v) => v !== 0)).toBe(true);
    }
    expect(q.observers[1]!.bits).toBe(16);
    expect(q.quantParams().some((p) => p.name === 'q.cell')).toBe(false);
    tf.dispose([value, ...Object.values(grads)]);
    s.dispose();
  });
});

describe('QuantGRU', () => {
  it("has core GRU's parameters; disabled equals core; quantised stays close to float", async () => {
    const s = new ParameterStore({ seed: 4 });
    const core = new GRU(s, 'g', { inputDim: 5, units: 4 });
    const s2 = new ParameterStore({ seed: 4 });
    const off = new QuantGRU(s2, 'g', { inputDim: 5, units: 4, quant: { enabled: false } });
    const s3 = new ParameterStore({ seed: 4 });
    const on = new QuantGRU(s3, 'g', { inputDim: 5, units: 4 });
    expect(s2.shapes()).toEqual(s.shapes());
    const a = core.apply(x);
    const b = off.apply(x);
    expect(Array.from(b.output.dataSync())).toEqual(Array.from(a.output.dataSync()));
    const warm = on.apply(x, { training: true });
    const c = await expectNoLeaks(() => on.apply(x), { keepResult: true });
    expectAllClose(c.output, a.output, { atol: QUANT_VS_FLOAT });
    expectAllClose(warm.output, a.output, { atol: QUANT_VS_FLOAT });
    expect(on.quantParams().map((p) => p.name)).toEqual([
      'g.input',
      'g.hidden',
      'g.gatePreactivations',
      'g.gateOutputs',
    ]);
    tf.dispose([a.output, a.h, b.output, b.h, c.output, c.h, warm.output, warm.h]);
    for (const t of [s, s2, s3]) t.dispose();
    expect(TOL.EXACT).toBe(0);
  });
});
