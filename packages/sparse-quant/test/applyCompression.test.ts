import { Adam, Conv2d, Dense, LSTM, ParameterStore, initBackend } from '@lab/core';
import { expectNoLeaks } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CompressionPlan,
  QuantLSTM,
  applyCompression,
  constantSparsity,
  decodeModel,
  exportModel,
  polynomialDecay,
  shrinkUnits,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

/** LSTM(8 -> 8) -> Dense(8 -> 16, relu) -> Dense(16 -> 4). */
function model(seed = 1) {
  const store = new ParameterStore({ seed });
  const lstm = new LSTM(store, 'lstm', { inputDim: 8, units: 8 });
  const fc = new Dense(store, 'fc', { inputDim: 8, units: 16 });
  const out = new Dense(store, 'out', { inputDim: 16, units: 4 });
  const forward = (x: tf.Tensor) => out.apply(tf.relu(fc.apply(lstm.apply(x).output)));
  return { store, forward };
}

/** Trains `steps` Adam steps with the plan installed (c.step(i) before each). */
function train(plan: CompressionPlan, steps: number, seed = 1) {
  const { store, forward } = model(seed);
  const c = applyCompression(store, plan);
  const opt = new Adam(store, { lr: 1e-2 });
  const x = tf.randomNormal([4, 5, 8], 0, 1, 'float32', 3);
  const y = tf.randomNormal([4, 5, 4], 0, 1, 'float32', 4);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    c.step(i);
    losses.push(opt.minimize(() => tf.mean(tf.square(tf.sub(forward(x), y))) as tf.Scalar));
  }
  tf.dispose([x, y]);
  opt.dispose();
  return { store, c, losses };
}

function zeros(a: ArrayLike<number>): number {
  let z = 0;
  for (let i = 0; i < a.length; i++) z += a[i] === 0 ? 1 : 0;
  return z;
}

/** tfmot's count: keep round-half-even((1 - s) n). */
function expectedPruned(n: number, s: number): number {
  const x = (1 - s) * n;
  const r = Math.round(x);
  return n - (Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r);
}

const jointPlan: CompressionPlan = {
  structure: 'weight',
  perChannel: true,
  schedule: polynomialDecay({ finalSparsity: 0.75, endStep: 6, frequency: 2 }),
  layers: [
    { layer: 'lstm' },
    { layer: 'fc', structure: 'block', block: [4, 4] },
    { layer: 'out', exclude: true },
  ],
};

describe('applyCompression (joint pruning + int8 QAT)', () => {
  it('trained a few steps, reaches the target sparsity exactly (weight and block) and exports int8 zeros == mask zeros', () => {
    const { store, c, losses } = train(jointPlan, 8);
    expect(losses.every(Number.isFinite)).toBe(true);
    const report = c.sparsity();
    for (const l of report.layers.filter((q) => q.layer !== 'out')) {
      expect(l.target).toBeCloseTo(0.75, 12);
      for (const p of l.parameters)
        expect(p.zeros).toBe(expectedPruned(p.size, 0.75) * (l.layer === 'fc' ? 1 : 1));
    }
    // fc: 4x4 blocks of [8, 16] = 8 blocks, 6 pruned -> 96 zeros.
    expect(report.layers.find((l) => l.layer === 'fc')!.zeros).toBe(96);
    expect(report.layers.find((l) => l.layer === 'out')!.zeros).toBe(0);
    const model8 = c.toInt8Model();
    for (const w of model8.weights) {
      const mask = c.mask(w.name);
      const raw = store.variable(w.name).dataSync();
      const cols = w.shape[w.shape.length - 1]!;
      for (let i = 0; i < w.values.length; i++) {
        const s = w.scales[w.scales.length === 1 ? 0 : i % cols]!;
        const roundsToZero = Math.abs(Math.fround(raw[i]! / s)) <= 0.5;
        // Zero in int8 exactly where the mask is zero or the weight rounds to 0.
        expect(w.values[i] === 0).toBe((mask !== undefined && mask[i] === 0) || roundsToZero);
      }
    }
    expect(model8.weights.map((w) => [w.name, w.structure ?? null, w.block ?? null])).toEqual([
      ['lstm.kernel', 'weight', null],
      ['lstm.recurrentKernel', 'weight', null],
      ['fc.kernel', 'block', [4, 4]],
      ['out.kernel', null, null],
    ]);
    c.dispose();
    store.dispose();
  });

  it('toInt8Model dequantises to exactly what the layers see (mask then fake quant)', () => {
    const { store, c } = train(jointPlan, 5);
    const m = c.toInt8Model();
    for (const w of m.weights) {
      const seen = tf.tidy(() => store.get(w.name).dataSync());
      const cols = w.shape[w.shape.length - 1]!;
      const deq = Array.from(w.values, (q, i) =>
        Math.fround(q * w.scales[w.scales.length === 1 ? 0 : i % cols]!),
      );
      expect(Array.from(seen, (v) => v + 0)).toEqual(deq);
    }
    const fcBias = m.floats.find((f) => f.name === 'fc.bias')!;
    expect(Array.from(fcBias.values)).toEqual(Array.from(store.variable('fc.bias').dataSync()));
    c.dispose();
    store.dispose();
  });

  it('pruned weights get zero gradient and are zeroed in the variables at each update', () => {
    const { store, forward } = model();
    const c = applyCompression(store, { structure: 'weight', sparsity: 0.5, layers: [{ layer: 'fc' }] });
    c.step(0);
    const mask = c.mask('fc.kernel')!;
    expect(zeros(mask)).toBe(64);
    const raw = store.variable('fc.kernel').dataSync();
    for (let i = 0; i < mask.length; i++) if (!mask[i]) expect(raw[i]! + 0).toBe(0);
    const x = tf.randomNormal([2, 3, 8], 0, 1, 'float32', 9);
    const { value, grads } = store.valueAndGrads(() => tf.sum(forward(x)) as tf.Scalar);
    const g = grads['fc.kernel']!.dataSync();
    for (let i = 0; i < mask.length; i++) if (!mask[i]) expect(g[i]! + 0).toBe(0);
    expect(zeros(g)).toBeLessThan(mask.length);
    tf.dispose([x, value, ...Object.values(grads)]);
    c.dispose();
    store.dispose();
  });

  it('unit pruning of an LSTM zeroes exactly its gate columns, bias entries, recurrent rows and the consumer rows', () => {
    const { store } = model(2);
    const c = applyCompression(store, {
      structure: 'unit',
      norm: 'l2',
      sparsity: 0.5,
      layers: [{ layer: 'lstm', consumers: ['fc.kernel'] }],
    });
    c.step(0);
    const H = 8;
    const W = store.variable('lstm.kernel').arraySync() as number[][];
    // zeroPrunedWeights zeroed the variables; recompute scores from a fresh copy of the model.
    const fresh = model(2).store;
    const Wf = fresh.variable('lstm.kernel').arraySync() as number[][];
    const Uf = fresh.variable('lstm.recurrentKernel').arraySync() as number[][];
    const scores = Array.from({ length: H }, (_, j) => {
      let acc = 0;
      let n = 0;
      for (const M of [Wf, Uf])
        for (const row of M)
          for (let g = 0; g < 4; g++) {
            acc += row[g * H + j]! ** 2;
            n++;
          }
      return acc / n;
    });
    const pruned = new Set(
      scores
        .map((s, j) => [s, j] as const)
        .sort((a, b) => a[0] - b[0] || a[1] - b[1])
        .slice(0, 4)
        .map(([, j]) => j),
    );
    const rep = c.sparsity().layers[0]!;
    expect([rep.units, rep.prunedUnits]).toEqual([8, 4]);
    // kernel: half the columns; recurrentKernel: half the columns and half the remaining rows.
    expect(rep.zeros).toBe(8 * 16 + (8 * 32 - 4 * 16));
    const kmask = c.mask('lstm.kernel')!;
    const umask = c.mask('lstm.recurrentKernel')!;
    const bmask = c.mask('lstm.bias')!;
    const fmask = c.mask('fc.kernel')!;
    for (let col = 0; col < 4 * H; col++) {
      const dead = pruned.has(col % H);
      for (let r = 0; r < 8; r++) expect(kmask[r * 4 * H + col]).toBe(dead ? 0 : 1);
      for (let r = 0; r < H; r++) expect(umask[r * 4 * H + col]).toBe(dead || pruned.has(r) ? 0 : 1);
      expect(bmask[col]).toBe(dead ? 0 : 1);
    }
    for (let r = 0; r < H; r++)
      for (let o = 0; o < 16; o++) expect(fmask[r * 16 + o]).toBe(pruned.has(r) ? 0 : 1);
    expect(W.flat().length).toBe(8 * 4 * H);
    fresh.dispose();
    c.dispose();
    store.dispose();
  });

  it("global scope prunes the smallest |w| over all layers' weights together", () => {
    const { store } = model(3);
    const names = ['lstm.kernel', 'lstm.recurrentKernel', 'fc.kernel'];
    const all = names.flatMap((n) =>
      Array.from(store.variable(n).dataSync(), (v, i) => [Math.abs(v), n, i] as const),
    );
    const c = applyCompression(store, {
      structure: 'weight',
      scope: 'global',
      sparsity: 0.6,
      layers: [{ layer: 'lstm' }, { layer: 'fc' }],
    });
    c.step(0);
    const k = expectedPruned(all.length, 0.6);
    const order = all.map((e, t) => [e[0], t] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const prunedSet = new Set(order.slice(0, k).map(([, t]) => `${all[t]![1]}:${all[t]![2]}`));
    let total = 0;
    for (const n of names) {
      const m = c.mask(n)!;
      for (let i = 0; i < m.length; i++) {
        expect(m[i] === 0).toBe(prunedSet.has(`${n}:${i}`));
        total += m[i] ? 0 : 1;
      }
    }
    expect(total).toBe(k);
    expect(c.sparsity().total.sparsity).toBeCloseTo(k / all.length, 12);
    c.dispose();
    store.dispose();
  });

  it('quantStartStep: float (masked) before, fake-quantised after', () => {
    const { store } = model(4);
    const c = applyCompression(store, { weightBits: 8, quantStartStep: 2, layers: [{ layer: 'out' }] });
    const raw = Array.from(store.variable('out.kernel').dataSync());
    c.step(0);
    expect(tf.tidy(() => Array.from(store.get('out.kernel').dataSync()))).toEqual(raw);
    c.step(2);
    const q = tf.tidy(() => Array.from(store.get('out.kernel').dataSync()));
    expect(q).not.toEqual(raw);
    expect(new Set(q).size).toBeLessThanOrEqual(255);
    c.dispose();
    // dispose uninstalls the transform
    expect(tf.tidy(() => Array.from(store.get('out.kernel').dataSync()))).toEqual(raw);
    store.dispose();
  });

  it('is deterministic: same seeds, same integers, scales and masks', () => {
    const a = train(jointPlan, 4);
    const b = train(jointPlan, 4);
    const ma = a.c.toInt8Model();
    const mb = b.c.toInt8Model();
    expect(ma.weights.map((w) => Array.from(w.values))).toEqual(mb.weights.map((w) => Array.from(w.values)));
    expect(ma.weights.map((w) => Array.from(w.scales))).toEqual(mb.weights.map((w) => Array.from(w.scales)));
    for (const r of [a, b]) {
      r.c.dispose();
      r.store.dispose();
    }
  });

  it('leaks no tensors across install, steps, reports, export and dispose', async () => {
    const { store, forward } = model(5);
    const x = tf.randomNormal([2, 3, 8], 0, 1, 'float32', 1);
    await expectNoLeaks(() => {
      const c = applyCompression(store, {
        structure: 'unit',
        schedule: constantSparsity({ targetSparsity: 0.25, frequency: 1 }),
        perChannel: true,
        layers: [
          { layer: 'lstm', consumers: ['fc.kernel'] },
          { layer: 'fc', structure: 'block', block: [2, 4], sparsity: 0.5 },
        ],
      });
      for (let i = 0; i < 3; i++) {
        c.step(i);
        tf.tidy(() => {
          forward(x);
        });
      }
      c.sparsity();
      c.toInt8Model();
      c.dispose();
    });
    x.dispose();
    store.dispose();
  });

  it("a consumer's own weight target counts the rows a unit-pruned producer removed", () => {
    const { store } = model(6);
    const c = applyCompression(store, {
      layers: [
        { layer: 'lstm', structure: 'unit', sparsity: 0.5, consumers: ['fc.kernel'] },
        { layer: 'fc', structure: 'weight', sparsity: 0.75 },
      ],
    });
    c.step(0);
    // fc.kernel [8, 16]: 4 rows (64 entries) removed by the LSTM units, 96 pruned in total.
    expect(zeros(c.mask('fc.kernel')!)).toBe(96);
    c.dispose();
    store.dispose();
  });

  it('QuantLSTM + unit plan: export -> decode keeps every mask zero, with activation ranges; the shrunk model exports too', () => {
    const store = new ParameterStore({ seed: 8 });
    const l1 = new QuantLSTM(store, 'l1', { inputDim: 6, units: 8 });
    const out = new Dense(store, 'out', { inputDim: 8, units: 3 });
    const plan: CompressionPlan = {
      perChannel: true,
      layers: [
        {
          layer: 'l1',
          structure: 'unit',
          schedule: polynomialDecay({ finalSparsity: 0.5, endStep: 4, frequency: 2 }),
          consumers: ['out.kernel'],
        },
        { layer: 'out', structure: 'weight', sparsity: 0.5 },
      ],
    };
    const c = applyCompression(store, plan);
    const opt = new Adam(store, { lr: 1e-2 });
    const x = tf.randomNormal([2, 5, 6], 0, 1, 'float32', 2);
    for (let i = 0; i < 5; i++) {
      c.step(i);
      opt.minimize(() => tf.mean(tf.square(out.apply(l1.apply(x, { training: true }).output))) as tf.Scalar);
    }
    expect(c.sparsity().layers.map((l) => l.target)).toEqual([0.5, 0.5]);
    const m = c.toInt8Model({ activations: l1.quantParams() });
    const back = decodeModel(exportModel(m));
    for (const w of back.weights) {
      const mask = c.mask(w.name)!;
      for (let i = 0; i < mask.length; i++) if (!mask[i]) expect(w.values[i]).toBe(0);
    }
    expect(back.activations.map((a) => a.name)).toEqual([
      'l1.input',
      'l1.hidden',
      'l1.gatePreactivations',
      'l1.gateOutputs',
      'l1.cell',
    ]);
    const small = shrinkUnits(m, plan);
    expect(small.units.l1).toBe(4);
    expect(
      decodeModel(exportModel(small.model)).weights.find((w) => w.name === 'l1.recurrentKernel')!.shape,
    ).toEqual([4, 16]);
    tf.dispose(x);
    opt.dispose();
    c.dispose();
    store.dispose();
  });

  it('Conv2d kernels: block masks over [inC, outC] per tap, per-channel scales on outC', () => {
    const store = new ParameterStore({ seed: 9 });
    const conv = new Conv2d(store, 'conv', { inChannels: 4, outChannels: 8, kernelSize: 3 });
    const c = applyCompression(store, {
      structure: 'block',
      block: [2, 4],
      sparsity: 0.5,
      perChannel: true,
      layers: [{ layer: 'conv' }],
    });
    c.step(0);
    const m = c.toInt8Model();
    const k = m.weights[0]!;
    expect(k.shape).toEqual([3, 3, 4, 8]);
    expect(k.scales.length).toBe(8);
    expect(zeros(c.mask('conv.kernel')!)).toBe(144); // 9 taps x 4 blocks of 2x4 = 36 blocks; 18 pruned x 8 entries
    const x = tf.randomNormal([1, 5, 5, 4], 0, 1, 'float32', 1);
    const y = tf.tidy(() => conv.apply(x));
    expect(y.shape).toEqual([1, 3, 3, 8]);
    tf.dispose([x, y]);
    c.dispose();
    store.dispose();
  });
});
