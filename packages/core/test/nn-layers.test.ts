import * as tf from '@tensorflow/tfjs-core';
import { expectAllClose, expectNoLeaks, TOL } from '@lab/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { LabInputError } from '../src/errors.js';
import { gelu } from '../src/nn/activations.js';
import { Conv1d } from '../src/nn/Conv1d.js';
import { Conv2d } from '../src/nn/Conv2d.js';
import { Dense } from '../src/nn/Dense.js';
import { Dropout } from '../src/nn/Dropout.js';
import { Embedding } from '../src/nn/Embedding.js';
import { gradientCheck } from '../src/nn/gradientCheck.js';
import { LayerNorm } from '../src/nn/LayerNorm.js';
import { MultiHeadAttention, scaledDotProductAttention } from '../src/nn/MultiHeadAttention.js';
import { ParameterStore } from '../src/nn/ParameterStore.js';
import { TransformerEncoderLayer } from '../src/nn/TransformerEncoderLayer.js';
import { createRng } from '../src/random/createRng.js';

const rng = createRng('nn-layers');
const randn = (shape: number[], std = 1) =>
  tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 0, std), shape);

/** Weighted-sum probe loss: O(1) values, every output element gets a distinct weight. */
function probe(out: tf.Tensor, w: tf.Tensor): tf.Scalar {
  return tf.sum(tf.mul(out, w)) as tf.Scalar;
}

/** Jitters zero-initialised biases so their gradients and the bias paths are exercised. */
function jitter(store: ParameterStore, std = 0.2) {
  const r = createRng('jitter');
  for (const name of store.names()) {
    const v = store.variable(name);
    tf.tidy(() => v.assign(tf.add(v, tf.tensor(r.fillNormal(new Float32Array(v.size), 0, std), v.shape))));
  }
}

async function checkGrads(
  store: ParameterStore,
  f: (...xs: tf.Tensor[]) => tf.Scalar,
  inputs: tf.Tensor[],
  maxElements = 16,
): Promise<number> {
  const res = await expectNoLeaks(() =>
    gradientCheck(f, inputs, { variables: store.trainableVariables(), maxElements }),
  );
  expect(res.passed, JSON.stringify(res)).toBe(true);
  expect(res.maxAbsError).toBeLessThan(TOL.FD_F32);
  return res.maxAbsError;
}

describe('Dense, LayerNorm, Embedding, Dropout', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('Dense matches x W + b with activation on rank-3 input; gradients check', async () => {
    const store = new ParameterStore({ seed: 1 });
    const fc = new Dense(store, 'fc', { inputDim: 3, units: 2, activation: 'tanh' });
    jitter(store);
    const x = randn([2, 4, 3]);
    const y = await expectNoLeaks(() => fc.apply(x), { keepResult: true });
    expect(y.shape).toEqual([2, 4, 2]);
    const W = store.variable('fc.kernel').dataSync();
    const b = store.variable('fc.bias').dataSync();
    const xv = x.dataSync();
    const ref = new Float64Array(16);
    for (let r = 0; r < 8; r++)
      for (let j = 0; j < 2; j++) {
        let s = b[j]!;
        for (let k = 0; k < 3; k++) s += xv[r * 3 + k]! * W[k * 2 + j]!;
        ref[r * 2 + j] = Math.tanh(s);
      }
    expectAllClose(y, ref, { atol: TOL.F32_REORDER });
    const w = randn([2, 4, 2]);
    await checkGrads(store, (xx) => probe(fc.apply(xx), w), [x]);
    tf.dispose([x, y, w]);
    store.dispose();
  });

  it('LayerNorm matches the closed form; gradients check', async () => {
    const store = new ParameterStore({ seed: 2 });
    const ln = new LayerNorm(store, 'ln', { dim: 5 });
    jitter(store);
    const x = randn([3, 5], 2);
    const y = await expectNoLeaks(() => ln.apply(x), { keepResult: true });
    const g = store.variable('ln.gamma').dataSync();
    const be = store.variable('ln.beta').dataSync();
    const xv = x.dataSync();
    const ref = new Float64Array(15);
    for (let r = 0; r < 3; r++) {
      let m = 0;
      for (let k = 0; k < 5; k++) m += xv[r * 5 + k]! / 5;
      let v = 0;
      for (let k = 0; k < 5; k++) v += (xv[r * 5 + k]! - m) ** 2 / 5;
      for (let k = 0; k < 5; k++)
        ref[r * 5 + k] = ((xv[r * 5 + k]! - m) / Math.sqrt(v + 1e-5)) * g[k]! + be[k]!;
    }
    expectAllClose(y, ref, { atol: TOL.F32_REORDER });
    const w = randn([3, 5]);
    await checkGrads(store, (xx) => probe(ln.apply(xx), w), [x]);
    expect(() => ln.apply(tf.zeros([2, 4]))).toThrow(/LayerNorm.apply: argument 'x'/);
    tf.dispose([x, y, w]);
    store.dispose();
  });

  it('Embedding gathers rows, accumulates gradients of repeated ids, and range-checks', async () => {
    const store = new ParameterStore({ seed: 3 });
    const emb = new Embedding(store, 'emb', { vocabSize: 5, dim: 3 });
    const ids = tf.tensor2d([0, 2, 2, 4], [2, 2], 'int32');
    const y = await expectNoLeaks(() => emb.apply(ids), { keepResult: true });
    expect(y.shape).toEqual([2, 2, 3]);
    const table = store.variable('emb.table').arraySync() as number[][];
    expectAllClose(
      y,
      [0, 2, 2, 4].flatMap((i) => table[i]!),
      { atol: TOL.EXACT },
    );
    const w = randn([2, 2, 3]);
    await expectNoLeaks(() => {
      const { value, grads } = store.valueAndGrads(() => probe(emb.apply(ids), w));
      const wv = w.dataSync();
      const expected = new Float32Array(15);
      [0, 2, 2, 4].forEach((id, p) => {
        for (let k = 0; k < 3; k++) expected[id * 3 + k] += wv[p * 3 + k]!;
      });
      expectAllClose(grads['emb.table']!, expected, { atol: TOL.F32_REORDER });
      tf.dispose([value, ...Object.values(grads)]);
    });
    const bad = tf.tensor1d([5], 'int32');
    const fl = tf.tensor1d([1]);
    expect(() => emb.apply(bad)).toThrow(/Embedding.apply: argument 'ids' must be in \[0, 5\); got 5/);
    expect(() => emb.apply(fl)).toThrow(/must have dtype int32/);
    tf.dispose([ids, y, w, bad, fl]);
    store.dispose();
  });

  it('Dropout: identity in inference, seeded inverted mask in training', async () => {
    const x = tf.ones([200, 50]);
    const d1 = new Dropout({ rate: 0.3, seed: 'drop' });
    const d2 = new Dropout({ rate: 0.3, seed: 'drop' });
    const inf = await expectNoLeaks(() => d1.apply(x), { keepResult: true });
    expectAllClose(inf, x, { atol: TOL.EXACT });
    const a = await expectNoLeaks(() => d1.apply(x, { training: true }), { keepResult: true });
    const b = d2.apply(x, { training: true });
    expectAllClose(a, b, { atol: TOL.EXACT });
    const v = a.dataSync();
    let kept = 0;
    for (const e of v) {
      if (e !== 0) {
        kept++;
        expect(Math.abs(e - 1 / 0.7)).toBeLessThan(1e-6);
      }
    }
    // Binomial(10000, 0.7): std ~ 46, so +-300 is > 6 sigma.
    expect(Math.abs(kept - 7000)).toBeLessThan(300);
    const c = d1.apply(x, { training: true });
    expect(Array.from(c.dataSync())).not.toEqual(Array.from(v));
    const shared = d1.apply(x, { training: true, noiseShape: [1, 50] });
    const rows = shared.arraySync() as number[][];
    expect(rows[7]).toEqual(rows[0]);
    expect(() => new Dropout({ rate: 1, seed: 1 })).toThrow(/Dropout: argument 'options.rate'/);
    expect(() => d1.apply(x, { training: true, noiseShape: [2, 50] })).toThrow(/noiseShape/);
    tf.dispose([x, inf, a, b, c, shared]);
  });

  it('gelu matches the tanh approximation', () => {
    const xs = [-3, -1, -0.1, 0, 0.5, 2];
    const y = tf.tidy(() => gelu(tf.tensor1d(xs)).dataSync());
    const ref = xs.map((x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))));
    expectAllClose(y, ref, { atol: TOL.F32_REORDER });
  });
});

/** Direct 1-D cross-correlation in float64, input [B, L, Cin], kernel [K, Cin, Cout], given left padding. */
function refConv1d(
  x: tf.Tensor,
  k: tf.Tensor,
  b: tf.Tensor,
  padLeft: number,
  dilation: number,
  outLen: number,
) {
  const [B, L, Ci] = x.shape as number[];
  const [K, , Co] = k.shape as number[];
  const xv = x.dataSync();
  const kv = k.dataSync();
  const bv = b.dataSync();
  const out = new Float64Array(B! * outLen * Co!);
  for (let n = 0; n < B!; n++)
    for (let t = 0; t < outLen; t++)
      for (let o = 0; o < Co!; o++) {
        let s = bv[o]!;
        for (let q = 0; q < K!; q++) {
          const src = t + q * dilation - padLeft;
          if (src < 0 || src >= L!) continue;
          for (let c = 0; c < Ci!; c++) s += xv[(n * L! + src) * Ci! + c]! * kv[(q * Ci! + c) * Co! + o]!;
        }
        out[(n * outLen + t) * Co! + o] = s;
      }
  return out;
}

describe.each(['cpu', 'wasm'] as const)('convolutions on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });
  afterAll(async () => {
    await initBackend();
  });
  // Filter gradients need Conv2DBackpropFilter, which the wasm backend gets from registerWasmKernels.
  const hasFilterGrad = () => tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) !== undefined;

  it('Conv1d (valid, same, causal dilated) matches direct correlation; gradients check', async () => {
    const store = new ParameterStore({ seed: 5 });
    const valid = new Conv1d(store, 'valid', { inChannels: 2, outChannels: 3, kernelSize: 3 });
    const causal = new Conv1d(store, 'causal', {
      inChannels: 2,
      outChannels: 3,
      kernelSize: 2,
      dilation: 2,
      padding: 'causal',
    });
    const same = new Conv1d(store, 'same', { inChannels: 2, outChannels: 3, kernelSize: 3, padding: 'same' });
    jitter(store);
    const x = randn([2, 7, 2]);
    const get = (n: string) => store.variable(n);
    await expectNoLeaks(() => {
      const yv = valid.apply(x);
      expect(yv.shape).toEqual([2, 5, 3]);
      expectAllClose(yv, refConv1d(x, get('valid.kernel'), get('valid.bias'), 0, 1, 5), {
        atol: TOL.F32_REORDER,
      });
      const yc = causal.apply(x);
      expect(yc.shape).toEqual([2, 7, 3]);
      expectAllClose(yc, refConv1d(x, get('causal.kernel'), get('causal.bias'), 2, 2, 7), {
        atol: TOL.F32_REORDER,
      });
      const ys = same.apply(x);
      expectAllClose(ys, refConv1d(x, get('same.kernel'), get('same.bias'), 1, 1, 7), {
        atol: TOL.F32_REORDER,
      });
      tf.dispose([yv, yc, ys]);
    });
    if (hasFilterGrad()) {
      const w = randn([2, 7, 3]);
      await checkGrads(
        store,
        (xx) => tf.add(probe(causal.apply(xx), w), probe(same.apply(xx), w)) as tf.Scalar,
        [x],
      );
      w.dispose();
    } else {
      console.warn(`Conv2DBackpropFilter missing on ${backend}: conv gradient check skipped`);
    }
    tf.dispose(x);
    store.dispose();
  });

  it('Conv2d (stride 2 patchify, same padding) matches direct correlation; gradients check', async () => {
    const store = new ParameterStore({ seed: 6 });
    const patch = new Conv2d(store, 'patch', { inChannels: 2, outChannels: 3, kernelSize: 2, stride: 2 });
    const same = new Conv2d(store, 'same', {
      inChannels: 2,
      outChannels: 2,
      kernelSize: [3, 1],
      padding: 'same',
      activation: 'tanh',
    });
    jitter(store);
    const x = randn([1, 4, 4, 2]);
    const xv = x.dataSync();
    await expectNoLeaks(() => {
      const y = patch.apply(x);
      expect(y.shape).toEqual([1, 2, 2, 3]);
      const k = store.variable('patch.kernel').dataSync();
      const b = store.variable('patch.bias').dataSync();
      const ref = new Float64Array(12);
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++)
          for (let o = 0; o < 3; o++) {
            let s = b[o]!;
            for (let di = 0; di < 2; di++)
              for (let dj = 0; dj < 2; dj++)
                for (let c = 0; c < 2; c++)
                  s += xv[((2 * i + di) * 4 + 2 * j + dj) * 2 + c]! * k[((di * 2 + dj) * 2 + c) * 3 + o]!;
            ref[(i * 2 + j) * 3 + o] = s;
          }
      expectAllClose(y, ref, { atol: TOL.F32_REORDER });
      const ys = same.apply(x);
      expect(ys.shape).toEqual([1, 4, 4, 2]);
      const ks = store.variable('same.kernel').dataSync();
      const bs = store.variable('same.bias').dataSync();
      const refS = new Float64Array(32);
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 4; j++)
          for (let o = 0; o < 2; o++) {
            let s = bs[o]!;
            for (let di = 0; di < 3; di++) {
              const r = i + di - 1;
              if (r < 0 || r >= 4) continue;
              for (let c = 0; c < 2; c++) s += xv[(r * 4 + j) * 2 + c]! * ks[(di * 2 + c) * 2 + o]!;
            }
            refS[(i * 4 + j) * 2 + o] = Math.tanh(s);
          }
      expectAllClose(ys, refS, { atol: TOL.F32_REORDER });
      tf.dispose([y, ys]);
    });
    if (hasFilterGrad()) {
      const w1 = randn([1, 2, 2, 3]);
      const w2 = randn([1, 4, 4, 2]);
      await checkGrads(
        store,
        (xx) => tf.add(probe(patch.apply(xx), w1), probe(same.apply(xx), w2)) as tf.Scalar,
        [x],
      );
      tf.dispose([w1, w2]);
    }
    const bad = tf.zeros([1, 4, 4, 3]);
    expect(() => patch.apply(bad)).toThrow(
      /Conv2d.apply: argument 'x' must have rank >= 4 and last dimension 2/,
    );
    expect(
      () => new Conv2d(store, 'd', { inChannels: 1, outChannels: 1, kernelSize: 3, stride: 2, dilation: 2 }),
    ).toThrow(/options.dilation/);
    tf.dispose([x, bad]);
    store.dispose();
  });
});

describe('attention and Transformer', () => {
  beforeAll(async () => {
    await initBackend();
  });

  /** Explicit softmax(q k^T / sqrt(d) + mask) v for single [T, d] matrices, float64. */
  function refAttention(
    q: number[][],
    k: number[][],
    v: number[][],
    allow?: (i: number, j: number) => boolean,
  ) {
    const d = q[0]!.length;
    return q.map((qi, i) => {
      const logits = k.map((kj, j) =>
        allow && !allow(i, j) ? -1e9 : qi.reduce((s, x, t) => s + x * kj[t]!, 0) / Math.sqrt(d),
      );
      const m = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - m));
      const z = e.reduce((a, b) => a + b, 0);
      return v[0]!.map((_, c) => e.reduce((s, ej, j) => s + (ej / z) * v[j]![c]!, 0));
    });
  }

  it('scaledDotProductAttention matches explicit softmax(QK^T/sqrt d)V, with masks', async () => {
    const q = randn([2, 3, 4]);
    const k = randn([2, 5, 4]);
    const v = randn([2, 5, 2]);
    const mask = tf.tensor3d(
      [1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1],
      [2, 3, 5],
    );
    const mv = mask.arraySync() as number[][][];
    await expectNoLeaks(() => {
      const r = scaledDotProductAttention(q, k, v, { mask });
      const qa = q.arraySync() as number[][][];
      const ka = k.arraySync() as number[][][];
      const va = v.arraySync() as number[][][];
      const ref = [0, 1].flatMap((b) =>
        refAttention(qa[b]!, ka[b]!, va[b]!, (i, j) => mv[b]![i]![j] === 1).flat(),
      );
      expectAllClose(r.output, ref, { atol: TOL.F32_REORDER });
      const rowSums = tf.sum(r.weights, -1);
      expectAllClose(rowSums, new Float32Array(6).fill(1), { atol: TOL.F32_REORDER });
      // Causal on a square problem.
      const rc = scaledDotProductAttention(k, k, v, { causal: true });
      const refC = [0, 1].flatMap((b) => refAttention(ka[b]!, ka[b]!, va[b]!, (i, j) => j <= i).flat());
      expectAllClose(rc.output, refC, { atol: TOL.F32_REORDER });
      tf.dispose([r.output, r.weights, rowSums, rc.output, rc.weights]);
    });
    expect(() => scaledDotProductAttention(q, v, v)).toThrow(/scaledDotProductAttention: argument 'k'/);
    tf.dispose([q, k, v, mask]);
  });

  it('MultiHeadAttention equals per-head explicit attention over its projections; mask and gradients', async () => {
    const store = new ParameterStore({ seed: 7 });
    const mha = new MultiHeadAttention(store, 'mha', { dModel: 4, numHeads: 2 });
    jitter(store);
    const x = randn([2, 3, 4]);
    const pad = tf.tensor2d([1, 1, 0, 1, 1, 1], [2, 3]);
    const lin = (n: string, xs: number[][]) => {
      const W = store.variable(`${n}.kernel`).arraySync() as number[][];
      const b = store.variable(`${n}.bias`).dataSync();
      return xs.map((r) => W[0]!.map((_, j) => r.reduce((s, xv, i) => s + xv * W[i]![j]!, b[j]!)));
    };
    await expectNoLeaks(() => {
      const { output, weights } = mha.attend(x, { mask: pad });
      expect(weights.shape).toEqual([2, 2, 3, 3]);
      const xa = x.arraySync() as number[][][];
      const pv = pad.arraySync() as number[][];
      const ref: number[] = [];
      for (let b = 0; b < 2; b++) {
        const Q = lin('mha.q', xa[b]!);
        const K = lin('mha.k', xa[b]!);
        const V = lin('mha.v', xa[b]!);
        const heads = [0, 1].map((h) =>
          refAttention(
            Q.map((r) => r.slice(2 * h, 2 * h + 2)),
            K.map((r) => r.slice(2 * h, 2 * h + 2)),
            V.map((r) => r.slice(2 * h, 2 * h + 2)),
            (_i, j) => pv[b]![j] === 1,
          ),
        );
        const merged = heads[0]!.map((r, i) => [...r, ...heads[1]![i]!]);
        ref.push(...lin('mha.out', merged).flat());
      }
      expectAllClose(output, ref, { atol: TOL.F32_REORDER });
      // Padded key 2 of batch 0 gets zero weight.
      const w0 = (weights.arraySync() as number[][][][])[0]![1]![0]![2]!;
      expect(w0).toBeLessThan(1e-6);
      tf.dispose([output, weights]);
    });
    const w = randn([2, 3, 4]);
    await checkGrads(store, (xx) => probe(mha.apply(xx, { mask: pad }), w), [x], 12);
    const badMask = tf.ones([2, 4]);
    expect(() => mha.apply(x, { mask: badMask })).toThrow(
      /MultiHeadAttention.apply: argument 'options.mask'/,
    );
    expect(() => new MultiHeadAttention(store, 'm2', { dModel: 5, numHeads: 2 })).toThrow(
      /must divide dModel/,
    );
    tf.dispose([x, pad, w, badMask]);
    store.dispose();
  });

  it('MultiHeadAttention cross-attention over a different key/value width', async () => {
    const store = new ParameterStore({ seed: 10 });
    const mha = new MultiHeadAttention(store, 'x', { dModel: 4, numHeads: 2, kvDim: 3 });
    jitter(store);
    const q = randn([2, 2, 4]);
    const kv = randn([2, 5, 3]);
    const y = await expectNoLeaks(() => mha.apply(q, { key: kv }), { keepResult: true });
    expect(y.shape).toEqual([2, 2, 4]);
    // Query i of batch 1 must not depend on batch 0's keys: perturb batch 0 only.
    const kv2 = tf.tidy(() =>
      tf.concat([tf.add(tf.slice(kv, [0, 0, 0], [1, 5, 3]), 1), tf.slice(kv, [1, 0, 0], [1, 5, 3])]),
    );
    const y2 = mha.apply(q, { key: kv2 });
    tf.tidy(() =>
      expectAllClose(tf.slice(y2, [1, 0, 0], [1, 2, 4]), tf.slice(y, [1, 0, 0], [1, 2, 4]), {
        atol: TOL.F32_REORDER,
      }),
    );
    const w = randn([2, 2, 4]);
    await checkGrads(store, (qq, kk) => probe(mha.apply(qq, { key: kk }), w), [q, kv], 8);
    expect(() => mha.apply(q, { key: q })).toThrow(/MultiHeadAttention.apply: argument 'options.key'/);
    tf.dispose([q, kv, kv2, y, y2, w]);
    store.dispose();
  });

  it('TransformerEncoderLayer: pre/post-norm match their definitions; dropout only in training; gradients', async () => {
    const store = new ParameterStore({ seed: 8 });
    const pre = new TransformerEncoderLayer(store, 'pre', { dModel: 4, numHeads: 2, dff: 6, dropout: 0.2 });
    const post = new TransformerEncoderLayer(store, 'post', {
      dModel: 4,
      numHeads: 2,
      dff: 6,
      norm: 'post',
      dropout: 0,
    });
    // Independent building blocks, given copies of each layer's parameters.
    const blocks = (p: string) => ({
      attn: new MultiHeadAttention(store, `${p}.attn`, { dModel: 4, numHeads: 2 }),
      ff1: new Dense(store, `${p}.ff1`, { inputDim: 4, units: 6, activation: 'gelu' }),
      ff2: new Dense(store, `${p}.ff2`, { inputDim: 6, units: 4 }),
      n1: new LayerNorm(store, `${p}.norm1`, { dim: 4 }),
      n2: new LayerNorm(store, `${p}.norm2`, { dim: 4 }),
    });
    const rPost = blocks('refPost');
    const rPre = blocks('refPre');
    jitter(store);
    for (const [from, to] of [
      ['post.', 'refPost.'],
      ['pre.', 'refPre.'],
    ] as const) {
      for (const name of store.names().filter((n) => n.startsWith(from))) {
        const t = store.variable(to + name.slice(from.length));
        tf.tidy(() => t.assign(store.variable(name)));
      }
    }
    const x = randn([2, 3, 4]);
    await expectNoLeaks(() => {
      const y = post.apply(x);
      const ref = tf.tidy(() => {
        const h = rPost.n1.apply(tf.add(x, rPost.attn.apply(x)));
        return rPost.n2.apply(tf.add(h, rPost.ff2.apply(rPost.ff1.apply(h))));
      });
      expectAllClose(y, ref, { atol: TOL.F32_REORDER });
      const yPre = pre.apply(x);
      const refPre = tf.tidy(() => {
        const h = tf.add(x, rPre.attn.apply(rPre.n1.apply(x)));
        return tf.add(h, rPre.ff2.apply(rPre.ff1.apply(rPre.n2.apply(h))));
      });
      expectAllClose(yPre, refPre, { atol: TOL.F32_REORDER });
      tf.dispose([yPre, refPre]);
      const a = pre.apply(x);
      const b = pre.apply(x, { training: false });
      expectAllClose(a, b, { atol: TOL.EXACT });
      const c = pre.apply(x, { training: true });
      expect(Array.from(c.dataSync())).not.toEqual(Array.from(a.dataSync()));
      tf.dispose([y, ref, a, b, c]);
    });
    const w = randn([2, 3, 4]);
    const sub = new ParameterStore({ seed: 9 });
    const layer = new TransformerEncoderLayer(sub, 'enc', { dModel: 4, numHeads: 2, dff: 6, dropout: 0 });
    jitter(sub);
    await checkGrads(sub, (xx) => probe(layer.apply(xx, { causal: true }), w), [x], 8);
    tf.dispose([x, w]);
    store.dispose();
    sub.dispose();
  });

  it('names the layer and argument on bad construction', () => {
    const store = new ParameterStore({ seed: 0 });
    expect(() => new Dense(store, 'd', { inputDim: 2, units: 1.5 })).toThrow(LabInputError);
    expect(() => new Dense(store, 'e', { inputDim: 2, units: 1, activation: 'swish' as never })).toThrow(
      /Dense: argument 'options.activation'/,
    );
    expect(() => new Dense({} as never, 'd', { inputDim: 2, units: 1 })).toThrow(/Dense: argument 'store'/);
    expect(
      () =>
        new Conv1d(store, 'c', { inChannels: 1, outChannels: 1, kernelSize: 2, padding: 'full' as never }),
    ).toThrow(/Conv1d: argument 'options.padding'/);
    expect(
      () => new TransformerEncoderLayer(store, 't', { dModel: 4, numHeads: 2, norm: 'mid' as never }),
    ).toThrow(/options.norm/);
    store.dispose();
  });
});
