import * as tf from '@tensorflow/tfjs-core';
import { expectAllClose, expectNoLeaks, TOL } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { LabInputError } from '../src/errors.js';
import { gradientCheck } from '../src/nn/gradientCheck.js';
import { GRU } from '../src/nn/GRU.js';
import { LSTM } from '../src/nn/LSTM.js';
import { ParameterStore } from '../src/nn/ParameterStore.js';
import { createRng } from '../src/random/createRng.js';

const B = 2;
const T = 5;
const F = 3;
const H = 4;

const sig = (z: number) => 1 / (1 + Math.exp(-z));
const rng = createRng('nn-recurrent');
const randn = (shape: number[], std = 1) =>
  tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 0, std), shape);

/** Scalar-loop float64 LSTM (gates i, f, g, o). Returns [B, T, H] hidden states and final c. */
function refLstm(
  x: Float32Array,
  W: Float32Array,
  U: Float32Array,
  b: Float32Array,
  h0?: Float32Array,
  c0?: Float32Array,
  reverse = false,
) {
  const out = new Float64Array(B * T * H);
  const cOut = new Float64Array(B * H);
  for (let n = 0; n < B; n++) {
    const h = Array.from({ length: H }, (_, j) => (h0 ? h0[n * H + j]! : 0));
    const c = Array.from({ length: H }, (_, j) => (c0 ? c0[n * H + j]! : 0));
    for (let k = 0; k < T; k++) {
      const t = reverse ? T - 1 - k : k;
      const z = new Float64Array(4 * H);
      for (let g = 0; g < 4 * H; g++) {
        let s = b[g]!;
        for (let f = 0; f < F; f++) s += x[(n * T + t) * F + f]! * W[f * 4 * H + g]!;
        for (let j = 0; j < H; j++) s += h[j]! * U[j * 4 * H + g]!;
        z[g] = s;
      }
      for (let j = 0; j < H; j++) {
        const i = sig(z[j]!);
        const fg = sig(z[H + j]!);
        const gg = Math.tanh(z[2 * H + j]!);
        const o = sig(z[3 * H + j]!);
        c[j] = fg * c[j]! + i * gg;
        h[j] = o * Math.tanh(c[j]!);
        out[(n * T + t) * H + j] = h[j]!;
      }
    }
    for (let j = 0; j < H; j++) cOut[n * H + j] = c[j]!;
  }
  return { out, c: cOut };
}

/** Scalar-loop float64 GRU (PyTorch, gates r, z, n). */
function refGru(
  x: Float32Array,
  W: Float32Array,
  U: Float32Array,
  b: Float32Array,
  bh: Float32Array,
  h0?: Float32Array,
) {
  const out = new Float64Array(B * T * H);
  for (let n = 0; n < B; n++) {
    let h = Array.from({ length: H }, (_, j) => (h0 ? h0[n * H + j]! : 0));
    for (let t = 0; t < T; t++) {
      const a = new Float64Array(3 * H);
      const u = new Float64Array(3 * H);
      for (let g = 0; g < 3 * H; g++) {
        let s = b[g]!;
        for (let f = 0; f < F; f++) s += x[(n * T + t) * F + f]! * W[f * 3 * H + g]!;
        a[g] = s;
        let r = bh[g]!;
        for (let j = 0; j < H; j++) r += h[j]! * U[j * 3 * H + g]!;
        u[g] = r;
      }
      const next = new Array<number>(H);
      for (let j = 0; j < H; j++) {
        const r = sig(a[j]! + u[j]!);
        const z = sig(a[H + j]! + u[H + j]!);
        const nn = Math.tanh(a[2 * H + j]! + r * u[2 * H + j]!);
        next[j] = (1 - z) * nn + z * h[j]!;
        out[(n * T + t) * H + j] = next[j]!;
      }
      h = next;
    }
  }
  return out;
}

/** Perturbs every parameter away from its special init (zero biases) so all terms are exercised. */
function jitter(store: ParameterStore) {
  const r = createRng('jitter');
  for (const name of store.names()) {
    const v = store.variable(name);
    tf.tidy(() => v.assign(tf.add(v, tf.tensor(r.fillNormal(new Float32Array(v.size), 0, 0.3), v.shape))));
  }
}

describe('LSTM and GRU', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('LSTM matches a scalar-loop implementation (sequences, final states, initial state, reverse)', async () => {
    const store = new ParameterStore({ seed: 1 });
    const lstm = new LSTM(store, 'lstm', { inputDim: F, units: H });
    const back = new LSTM(store, 'back', { inputDim: F, units: H, reverse: true, returnSequences: false });
    // Forget-gate bias initialised to 1.
    expect(Array.from(store.variable('lstm.bias').dataSync())).toEqual([
      0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    jitter(store);
    const x = randn([B, T, F]);
    const h0 = randn([B, H], 0.5);
    const c0 = randn([B, H], 0.5);
    const p = (n: string) => store.variable(n).dataSync() as Float32Array;
    await expectNoLeaks(() => {
      const r = lstm.apply(x, { initialState: { h: h0, c: c0 } });
      expect(r.output.shape).toEqual([B, T, H]);
      const ref = refLstm(
        x.dataSync() as Float32Array,
        p('lstm.kernel'),
        p('lstm.recurrentKernel'),
        p('lstm.bias'),
        h0.dataSync() as Float32Array,
        c0.dataSync() as Float32Array,
      );
      expectAllClose(r.output, ref.out, { atol: TOL.F32_REORDER });
      expectAllClose(r.c, ref.c, { atol: TOL.F32_REORDER });
      const lastH = tf.tidy(() => tf.squeeze(tf.slice(r.output, [0, T - 1, 0], [B, 1, H]), [1]));
      expectAllClose(r.h, lastH, { atol: TOL.EXACT });
      const rb = back.apply(x);
      const refB = refLstm(
        x.dataSync() as Float32Array,
        p('back.kernel'),
        p('back.recurrentKernel'),
        p('back.bias'),
        undefined,
        undefined,
        true,
      );
      // Reverse: the final state is the one at t = 0.
      const first = new Float64Array(B * H);
      for (let n = 0; n < B; n++) for (let j = 0; j < H; j++) first[n * H + j] = refB.out[n * T * H + j]!;
      expect(rb.output.shape).toEqual([B, H]);
      expectAllClose(rb.output, first, { atol: TOL.F32_REORDER });
      tf.dispose([r.output, r.h, r.c, lastH, rb.output, rb.h, rb.c]);
    });
    tf.dispose([x, h0, c0]);
    store.dispose();
  });

  it('GRU matches a scalar-loop implementation', async () => {
    const store = new ParameterStore({ seed: 2 });
    const gru = new GRU(store, 'gru', { inputDim: F, units: H });
    jitter(store);
    const x = randn([B, T, F]);
    const h0 = randn([B, H], 0.5);
    const p = (n: string) => store.variable(n).dataSync() as Float32Array;
    await expectNoLeaks(() => {
      const r = gru.apply(x, { initialState: h0 });
      const ref = refGru(
        x.dataSync() as Float32Array,
        p('gru.kernel'),
        p('gru.recurrentKernel'),
        p('gru.bias'),
        p('gru.recurrentBias'),
        h0.dataSync() as Float32Array,
      );
      expectAllClose(r.output, ref, { atol: TOL.F32_REORDER });
      const r0 = gru.apply(x);
      const ref0 = refGru(
        x.dataSync() as Float32Array,
        p('gru.kernel'),
        p('gru.recurrentKernel'),
        p('gru.bias'),
        p('gru.recurrentBias'),
      );
      expectAllClose(r0.output, ref0, { atol: TOL.F32_REORDER });
      tf.dispose([r.output, r.h, r0.output, r0.h]);
    });
    tf.dispose([x, h0]);
    store.dispose();
  });

  it('gradients match finite differences (inputs, initial state, every parameter)', async () => {
    const store = new ParameterStore({ seed: 3 });
    const lstm = new LSTM(store, 'lstm', { inputDim: F, units: H });
    const gru = new GRU(store, 'gru', { inputDim: H, units: 3 });
    jitter(store);
    const x = randn([B, T, F]);
    const h0 = randn([B, H], 0.5);
    const c0 = randn([B, H], 0.5);
    const w = randn([B, T, 3]);
    const wc = randn([B, H]);
    const f = (xx: tf.Tensor, hh: tf.Tensor, cc: tf.Tensor) => {
      const r = lstm.apply(xx, { initialState: { h: hh, c: cc } });
      const g = gru.apply(r.output);
      return tf.add(tf.sum(tf.mul(g.output, w)), tf.sum(tf.mul(r.c, wc))) as tf.Scalar;
    };
    const res = await expectNoLeaks(() =>
      gradientCheck(f, [x, h0, c0], { variables: store.trainableVariables(), maxElements: 12 }),
    );
    expect(Object.keys(res.variables).length).toBe(7);
    expect(res.maxAbsError, JSON.stringify(res)).toBeLessThan(TOL.FD_F32);
    expect(res.passed).toBe(true);
    tf.dispose([x, h0, c0, w, wc]);
    store.dispose();
  });

  it('rejects bad inputs with named arguments', () => {
    const store = new ParameterStore({ seed: 4 });
    const lstm = new LSTM(store, 'l', { inputDim: F, units: H });
    const gru = new GRU(store, 'g', { inputDim: F, units: H });
    const x2 = tf.zeros([B, F]);
    const xBad = tf.zeros([B, T, F + 1]);
    const x = tf.zeros([B, T, F]);
    const hBad = tf.zeros([B, H + 1]);
    expect(() => lstm.apply(x2)).toThrow(LabInputError);
    expect(() => lstm.apply(xBad)).toThrow(
      /LSTM.apply: argument 'x' must have rank >= 3 and last dimension 3/,
    );
    expect(() => lstm.apply(x, { initialState: { h: hBad, c: hBad } })).toThrow(/options.initialState.h/);
    expect(() => gru.apply(x, { initialState: hBad })).toThrow(/GRU.apply: argument 'options.initialState'/);
    expect(() => new LSTM(store, 'l2', { inputDim: 0, units: 2 })).toThrow(
      /LSTM: argument 'options.inputDim'/,
    );
    expect(() => new GRU(store, 'l', { inputDim: 2, units: 2 })).toThrow(/must be unique/);
    tf.dispose([x2, xBad, x, hBad]);
    store.dispose();
  });
});
