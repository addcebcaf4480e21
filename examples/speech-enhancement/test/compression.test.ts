import { createRng, initBackend } from '@lab/core';
import { applyCompression, shrinkUnits } from '@lab/sparse-quant';
import { TOL, expectNoLeaks } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadInt8, maskEstimatorPlan } from '../src/compression.js';
import type { RunSpec } from '../src/config.js';
import { evaluate } from '../src/evaluate.js';
import { MaskEstimator } from '../src/model.js';
import { maskEstimatorNpuModel } from '../src/npuModel.js';

beforeAll(async () => {
  await initBackend();
});

const BINS = 16;
const H = 8;

function features(seed: number, B = 2, T = 5): tf.Tensor {
  const rng = createRng(seed);
  return tf.tensor3d(Float32Array.from({ length: B * T * BINS }, () => rng.normal()), [B, T, BINS]);
}

const spec = (structure: RunSpec['structure'], sparsity: number): RunSpec => ({ key: 'k', method: 'joint', structure, sparsity });

describe('maskEstimatorPlan + export round trip', () => {
  for (const [structure, sparsity] of [
    ['weight', 0.5],
    ['block', 0.5],
    ['unit', 0.5],
  ] as const) {
    it(`${structure}: the float twin loaded from the int8 export computes what training saw`, async () => {
      const model = new MaskEstimator({ bins: BINS, hidden: H, seed: 1 });
      const twin = new MaskEstimator({ bins: BINS, hidden: H, seed: 2 });
      const x = features(3);
      const c = applyCompression(model.store, maskEstimatorPlan(spec(structure, sparsity), 10));
      c.updateMasks();
      const seen = model.apply(x);
      const int8 = c.toInt8Model();
      c.dispose();
      await expectNoLeaks(() => loadInt8(twin, int8));
      const got = twin.apply(x);
      // Same integers times the same scales: float32 rounding of the dequantised products only.
      expect(Math.max(...(tf.abs(tf.sub(seen, got)).dataSync() as Float32Array))).toBeLessThan(TOL.F32_REORDER);
      // The exported zeros follow the plan's target sparsity on the pruned weights.
      const pruned = int8.weights.filter((w) => w.structure === structure);
      expect(pruned.length).toBeGreaterThan(0);
      if (structure === 'unit') {
        const small = shrinkUnits(int8, maskEstimatorPlan(spec(structure, sparsity), 10)).model;
        const npu = maskEstimatorNpuModel(small, 'unit');
        const lstms = npu.ops.filter((o) => o.kind === 'LSTM');
        for (const l of lstms) expect(l.kind === 'LSTM' && l.hiddenSize).toBe(H / 2);
      } else {
        for (const w of pruned) {
          const zeros = w.values.reduce((a, v) => a + (v === 0 ? 1 : 0), 0);
          expect(zeros / w.values.length).toBeGreaterThanOrEqual(sparsity);
        }
      }
      tf.dispose([x, seen, got]);
      model.dispose();
      twin.dispose();
    });
  }

  it('maps the kernels to the NPU layout ([in, out] -> [out, in]) with the MACs of one frame', () => {
    const model = new MaskEstimator({ bins: BINS, hidden: H, seed: 1 });
    const c = applyCompression(model.store, maskEstimatorPlan(spec('none', 0), 1));
    const int8 = c.toInt8Model();
    c.dispose();
    const npu = maskEstimatorNpuModel(int8, 'dense');
    const k = int8.weights.find((w) => w.name === 'mask.kernel');
    const fc = npu.ops.find((o) => o.kind === 'FullyConnected');
    expect(fc?.kind === 'FullyConnected' && fc.shape).toEqual([BINS, H]);
    if (fc?.kind === 'FullyConnected' && k) {
      // W_npu[o][i] = W_core[i][o]
      for (let i = 0; i < H; i++) for (let o = 0; o < BINS; o++) expect(fc.weights[o * H + i]).toBe(k.values[i * BINS + o]);
    }
    model.dispose();
  });
});

describe('evaluate', () => {
  it('leaks no tensors and scores a mask of ones as the noisy input', async () => {
    // A model whose mask is ~1 everywhere (large positive output bias) returns the noisy input
    // (up to the masked Nyquist bin), so its improvements are ~0 dB.
    const model = new MaskEstimator({ bins: 128, hidden: H, seed: 1 });
    model.store.variable('mask.bias').assign(tf.fill([128], 30));
    model.store.variable('mask.kernel').assign(tf.zeros([H, 128]));
    const rng = createRng(4);
    const mk = (n: number) => Float32Array.from({ length: n }, () => rng.normal() * 0.05);
    const mixtures = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => {
      const clean = mk(4000 + 100 * i);
      const noisy = clean.map((v) => v + rng.normal() * 0.05); // 0 dB SNR
      return { id: `m${i}`, clean, noisy, noise: 'white' as const, snrDb: 10 };
    });
    const stats = { mean: new Float32Array(128), std: new Float32Array(128).fill(1) };
    const r = await expectNoLeaks(() => evaluate(model, mixtures, stats));
    // sigmoid(30) = 1 - 1e-13 and only the Nyquist bin is masked: at 0 dB SNR with white signals
    // that bin trades 1/128 of the noise error for 1/128 of the clean energy, well under 0.1 dB.
    expect(Math.abs(r.snrSdrImprovement)).toBeLessThan(0.1);
    expect(Math.abs(r.siSdrImprovement)).toBeLessThan(0.1);
    model.dispose();
  });
});
