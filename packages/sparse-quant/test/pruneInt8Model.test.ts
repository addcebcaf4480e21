import { Dense, LSTM, ParameterStore, initBackend } from '@lab/core';
import { TOL, expectAllClose, expectNoLeaks } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CompressionPlan,
  type Int8Model,
  applyCompression,
  dequantizeModel,
  magnitudeMask,
  pruneInt8Model,
  shrinkUnits,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

/** LSTM(6 -> 8) -> Dense(8 -> 3, tanh). */
function build(seed: number, units = 8) {
  const store = new ParameterStore({ seed });
  const lstm = new LSTM(store, 'lstm', { inputDim: 6, units });
  const fc = new Dense(store, 'fc', { inputDim: units, units: 3, activation: 'tanh' });
  return { store, forward: (x: tf.Tensor) => fc.apply(lstm.apply(x).output) };
}

/** A dense int8 model (post-training quantisation through a plan with no pruning), per-channel. */
function denseInt8(seed = 1): Int8Model {
  const { store } = build(seed);
  const c = applyCompression(store, { perChannel: true, layers: [{ layer: 'lstm' }, { layer: 'fc' }] });
  const m = c.toInt8Model();
  c.dispose();
  store.dispose();
  return m;
}

const realOf = (m: Int8Model, name: string) => {
  const w = m.weights.find((t) => t.name === name)!;
  const cols = w.shape[w.shape.length - 1]!;
  return Array.from(w.values, (q, i) => q * w.scales[w.scales.length === 1 ? 0 : i % cols]!);
};

describe('pruneInt8Model (offline baseline)', () => {
  it("'weight' and 'block': same masks as magnitudeMask on the real values; surviving integers and scales untouched", () => {
    const m = denseInt8();
    for (const [structure, block] of [
      ['weight', undefined],
      ['block', [2, 8]],
    ] as const) {
      const plan: CompressionPlan = {
        structure,
        ...(block ? { block } : {}),
        sparsity: 0.8,
        layers: [{ layer: 'lstm' }],
      };
      const p = pruneInt8Model(m, plan);
      for (const name of ['lstm.kernel', 'lstm.recurrentKernel']) {
        const before = m.weights.find((w) => w.name === name)!;
        const after = p.weights.find((w) => w.name === name)!;
        const mask = magnitudeMask(
          { values: realOf(m, name), shape: before.shape },
          { structure, ...(block ? { block } : {}), sparsity: 0.8 },
        ).mask;
        for (let i = 0; i < mask.length; i++) expect(after.values[i]).toBe(mask[i] ? before.values[i] : 0);
        expect(Array.from(after.scales)).toEqual(Array.from(before.scales));
        expect(after.structure).toBe(structure);
      }
      // fc untouched; the input model unchanged (fresh arrays).
      expect(Array.from(p.weights.find((w) => w.name === 'fc.kernel')!.values)).toEqual(
        Array.from(m.weights.find((w) => w.name === 'fc.kernel')!.values),
      );
      expect(p.weights[0]!.values).not.toBe(m.weights[0]!.values);
    }
  });

  it("'unit': zeroes the units' gate columns, biases, recurrent rows and consumer rows; shrinkUnits then gives the same outputs", async () => {
    const m = denseInt8(2);
    const plan: CompressionPlan = {
      structure: 'unit',
      sparsity: 0.5,
      layers: [{ layer: 'lstm', consumers: ['fc.kernel'] }],
    };
    const pruned = pruneInt8Model(m, plan);
    const { model: small, kept, units } = await expectNoLeaks(() => shrinkUnits(pruned, plan));
    expect(units.lstm).toBe(4);
    expect(kept.lstm!.length).toBe(4);
    const k = pruned.weights.find((w) => w.name === 'lstm.kernel')!;
    const u = pruned.weights.find((w) => w.name === 'lstm.recurrentKernel')!;
    const fc = pruned.weights.find((w) => w.name === 'fc.kernel')!;
    const bias = pruned.floats.find((f) => f.name === 'lstm.bias')!;
    for (let j = 0; j < 8; j++) {
      const alive = kept.lstm!.includes(j);
      let nonZero = 0;
      for (let g = 0; g < 4; g++) {
        const col = g * 8 + j;
        for (let r = 0; r < 6; r++) nonZero += k.values[r * 32 + col] !== 0 ? 1 : 0;
        for (let r = 0; r < 8; r++) nonZero += u.values[r * 32 + col] !== 0 ? 1 : 0;
        nonZero += bias.values[col] !== 0 ? 1 : 0;
      }
      expect(nonZero > 0).toBe(alive);
      if (!alive) {
        for (let c = 0; c < 32; c++) expect(u.values[j * 32 + c]).toBe(0); // recurrent row
        for (let o = 0; o < 3; o++) expect(fc.values[j * 3 + o]).toBe(0); // consumer row
      }
    }
    expect(small.weights.find((w) => w.name === 'lstm.kernel')!.shape).toEqual([6, 16]);
    expect(small.weights.find((w) => w.name === 'lstm.recurrentKernel')!.shape).toEqual([4, 16]);
    expect(small.weights.find((w) => w.name === 'lstm.kernel')!.scales.length).toBe(16); // per-channel scales sliced
    expect(small.weights.find((w) => w.name === 'fc.kernel')!.shape).toEqual([4, 3]);
    expect(small.floats.find((f) => f.name === 'lstm.bias')!.shape).toEqual([16]);

    // The masked full model and the shrunk one compute the same function.
    const full = build(9);
    const tiny = build(9, 4);
    const recFull = dequantizeModel(pruned);
    const recTiny = dequantizeModel(small);
    full.store.loadRecord(recFull);
    tiny.store.loadRecord(recTiny);
    const x = tf.randomNormal([2, 7, 6], 0, 1, 'float32', 5);
    const a = tf.tidy(() => full.forward(x));
    const b = tf.tidy(() => tiny.forward(x));
    // Dropping zero terms only reorders float32 sums.
    expectAllClose(b, a, { atol: TOL.F32_REORDER });
    tf.dispose([x, a, b, ...Object.values(recFull), ...Object.values(recTiny)]);
    full.store.dispose();
    tiny.store.dispose();
  });

  it('global scope over the int8 model prunes the smallest real magnitudes overall', () => {
    const m = denseInt8(3);
    const p = pruneInt8Model(m, {
      scope: 'global',
      structure: 'weight',
      sparsity: 0.7,
      layers: [{ layer: 'lstm' }, { layer: 'fc' }],
    });
    const names = ['lstm.kernel', 'lstm.recurrentKernel', 'fc.kernel'];
    const all = names.flatMap((n) => realOf(m, n).map((v) => Math.abs(v)));
    const sorted = [...all].sort((a, b) => a - b);
    const k = all.length - Math.round(0.3 * all.length);
    const threshold = sorted[k - 1]!;
    let z = 0;
    names.forEach((n) => {
      const w = p.weights.find((t) => t.name === n)!;
      realOf(m, n).forEach((v, i) => {
        if (Math.abs(v) < threshold) expect(w.values[i]).toBe(0);
        if (Math.abs(v) > threshold) expect(w.values[i]).not.toBe(0);
        z += w.values[i] === 0 ? 1 : 0;
      });
    });
    expect(z).toBeGreaterThanOrEqual(k);
  });
});

describe('shrinkUnits on the joint path', () => {
  it('shrinks a unit-pruned QAT export; kept units are those the masks kept', () => {
    const { store } = build(4);
    const plan: CompressionPlan = {
      structure: 'unit',
      sparsity: 0.25,
      layers: [{ layer: 'lstm', consumers: ['fc.kernel'] }],
    };
    const c = applyCompression(store, plan);
    c.step(0);
    const mask = c.mask('lstm.bias')!;
    const r = shrinkUnits(c.toInt8Model(), plan);
    expect(Array.from(r.kept.lstm!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].filter((j) => mask[j] === 1));
    expect(r.units.lstm).toBe(6);
    c.dispose();
    store.dispose();
  });
});
