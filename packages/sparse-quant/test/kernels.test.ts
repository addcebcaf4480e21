import { LabInputError, type Rng, createRng, initBackend } from '@lab/core';
import { expectNoLeaks } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../src/decodeModel.js';
import { exportModel } from '../src/exportModel.js';
import { footprint } from '../src/footprint.js';
import type { Int8Tensor } from '../src/Int8Model.js';
import { bsrFromDense } from '../src/kernels/bsrFromDense.js';
import { bsrFromInt8Tensor } from '../src/kernels/bsrFromInt8Tensor.js';
import { bsrMatMul } from '../src/kernels/bsrMatMul.js';
import { bsrMatVec } from '../src/kernels/bsrMatVec.js';
import { csrFromDense } from '../src/kernels/csrFromDense.js';
import { csrFromInt8Tensor } from '../src/kernels/csrFromInt8Tensor.js';
import { csrMatMul } from '../src/kernels/csrMatMul.js';
import { csrMatVec } from '../src/kernels/csrMatVec.js';
import { requantize } from '../src/kernels/requantize.js';
import { blockSparse, unstructured } from './exportFixtures.js';

/**
 * Float kernels sum in float64 (in a different order than the float64 reference) and round once
 * to float32: the error is one float32 rounding of the result, ~6e-8 relative to the sum of |terms|.
 */
const F32_RESULT_ROUNDING = 2e-7;

/** Brute-force dense C = A B (A m x k, B k x n) in float64. */
function denseProduct(a: ArrayLike<number>, m: number, k: number, b: ArrayLike<number>, n: number, zp = 0) {
  const c = new Float64Array(m * n);
  const absSum = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let q = 0; q < k; q++) {
        s += a[i * k + q] * (b[q * n + j] - zp);
        t += Math.abs(a[i * k + q] * (b[q * n + j] - zp));
      }
      c[i * n + j] = s;
      absSum[i * n + j] = t;
    }
  return { c, absSum };
}

function floatMatrix(rng: Rng, int8: Int8Array): Float32Array {
  return Float32Array.from(int8, (v) => (v === 0 ? 0 : v * rng.uniform(0.5, 1.5) * 0.01));
}

function randomInt8(rng: Rng, n: number): Int8Array {
  return Int8Array.from({ length: n }, () => rng.int(256) - 128);
}

type Case = { m: number; k: number; block: [number, number]; sparsity: number };
const cases: Case[] = [];
for (const block of [
  [8, 8],
  [4, 4],
  [1, 16],
  [16, 1],
  [3, 5],
] as [number, number][]) {
  for (const [m, k] of [
    [32, 48], // divisible for 8x8, 4x4, 1x16, 16x1
    [37, 29], // edge blocks everywhere
    [1, 1],
    [0, 7],
    [9, 0],
  ]) {
    for (const sparsity of [0, 0.5, 0.9, 1]) cases.push({ m, k, block, sparsity });
  }
}

describe('sparse kernels vs brute-force dense products', () => {
  const rng = createRng('kernels');
  it.each(cases)('m=$m k=$k block=$block sparsity=$sparsity', ({ m, k, block, sparsity }) => {
    const pattern =
      sparsity === 0 || m * k === 0
        ? unstructured(rng, m, k, sparsity)
        : blockSparse(rng, m, k, block[0], block[1], sparsity);
    const wf = floatMatrix(rng, pattern);
    for (const n of [1, 3, 64]) {
      const bi = randomInt8(rng, k * n);
      const bf = Float32Array.from({ length: k * n }, () => rng.normal());
      const zp = rng.int(21) - 10;
      const exact = denseProduct(pattern, m, k, bi, n, zp).c;
      const ref = denseProduct(wf, m, k, bf, n);
      const csrI = csrFromDense(pattern, m, k);
      const bsrI = bsrFromDense(pattern, m, k, block);
      const csrF = csrFromDense(wf, m, k);
      const bsrF = bsrFromDense(wf, m, k, block);
      const ints: Int32Array[] = [
        csrMatMul(csrI, bi, n, { inputZeroPoint: zp }),
        bsrMatMul(bsrI, bi, n, { inputZeroPoint: zp }),
      ];
      const floats: Float32Array[] = [csrMatMul(csrF, bf, n), bsrMatMul(bsrF, bf, n)];
      if (n === 1) {
        ints.push(csrMatVec(csrI, bi, { inputZeroPoint: zp }), bsrMatVec(bsrI, bi, { inputZeroPoint: zp }));
        floats.push(csrMatVec(csrF, bf), bsrMatVec(bsrF, bf));
      }
      for (const got of ints) expect(Array.from(got)).toEqual(Array.from(exact)); // exact: integer sums
      for (const got of floats) {
        expect(got.length).toBe(m * n);
        // Worst error relative to the bound (one expect per product keeps the test fast).
        let worst = 0;
        for (let t = 0; t < m * n; t++) {
          worst = Math.max(
            worst,
            Math.abs(got[t] - ref.c[t]) / (F32_RESULT_ROUNDING * ref.absSum[t] + 1e-30),
          );
        }
        expect(worst).toBeLessThanOrEqual(1);
      }
    }
  });

  it('stores only non-zeros (CSR) and only non-zero blocks (BSR)', () => {
    const r = createRng(1);
    const pattern = blockSparse(r, 64, 64, 8, 8, 0.75);
    const csr = csrFromDense(pattern, 64, 64);
    expect(csr.values.length).toBe(pattern.filter((v) => v !== 0).length);
    const bsr = bsrFromDense(pattern, 64, 64, [8, 8]);
    expect(bsr.blockColIdx.length).toBe(16);
    expect(bsr.values.length).toBe(16 * 64);
    expect(bsrFromDense(new Int8Array(64 * 64), 64, 64, [8, 8]).values.length).toBe(0);
  });

  it('writes into a given output array and leaves the inputs unchanged', () => {
    const r = createRng(2);
    const w = unstructured(r, 20, 30, 0.8);
    const x = randomInt8(r, 30);
    const copyW = w.slice();
    const copyX = x.slice();
    const out = new Int32Array(20);
    const y = csrMatVec(csrFromDense(w, 20, 30), x, { out });
    expect(y).toBe(out);
    expect(Array.from(w)).toEqual(Array.from(copyW));
    expect(Array.from(x)).toEqual(Array.from(copyX));
    expect(Array.from(bsrMatVec(bsrFromDense(w, 20, 30, [4, 4]), x))).toEqual(Array.from(out));
  });
});

describe('building from an Int8Tensor', () => {
  const rng = createRng('tensor');
  const inDim = 24;
  const outDim = 16;
  const values = blockSparse(rng, inDim, outDim, 8, 4, 0.6); // [in, out], blocks 8 (in) x 4 (out)
  const t: Int8Tensor = {
    name: 'dense.kernel',
    shape: [inDim, outDim],
    values,
    scales: Float32Array.from({ length: outDim }, () => rng.uniform(0.001, 0.01)),
    zeroPoints: new Int32Array(outDim),
    structure: 'block',
    block: [8, 4],
  };
  const x = randomInt8(rng, inDim);
  // Layer product x W, brute force.
  const xw = new Int32Array(outDim);
  for (let j = 0; j < outDim; j++) for (let i = 0; i < inDim; i++) xw[j] += x[i] * values[i * outDim + j];

  it('transposes so that A x is the layer product x W', () => {
    expect(Array.from(csrMatVec(csrFromInt8Tensor(t), x))).toEqual(Array.from(xw));
    const bsr = bsrFromInt8Tensor(t);
    expect([bsr.blockRows, bsr.blockCols]).toEqual([4, 8]);
    expect(bsr.blockColIdx.length).toBe(Math.round(0.4 * 12)); // every stored block is a kept block
    expect(Array.from(bsrMatVec(bsr, x))).toEqual(Array.from(xw));
  });

  it('keeps the weight view without transpose', () => {
    const a = csrFromInt8Tensor(t, { transpose: false });
    expect([a.rows, a.cols]).toEqual([inDim, outDim]);
  });

  it('rejects asymmetric weights and missing block shapes', () => {
    expect(() => csrFromInt8Tensor({ ...t, zeroPoints: new Int32Array(outDim).fill(1) })).toThrow(
      /tensor.zeroPoints/,
    );
    expect(() => bsrFromInt8Tensor({ ...t, block: undefined })).toThrow(/options.block/);
  });

  it('requantizes int32 accumulators by the closed form', () => {
    // Powers of two keep every product exact, so the half-way cases really are half-way.
    const acc = Int32Array.of(1000, -1000, 5, 100000, -100000, 0);
    const q = requantize(acc, {
      inputScale: 0.5,
      weightScales: Float32Array.of(2 ** -7, 2 ** -6, 0.5, 2 ** -7, 2 ** -7, 0.25),
      outputScale: 0.125,
      outputZeroPoint: 3,
      bias: Float32Array.of(0, 0, 0.0625, 0, 0, -0.3125),
    });
    // 31.25 -> 31 (+3); -62.5 -> -63 (half away from zero, +3); 10 + 0.5 -> 11 (+3); clamp; clamp; -2.5 -> -3 (+3)
    expect(Array.from(q)).toEqual([34, -60, 14, 127, -128, 0]);
  });
});

describe('kernel input validation', () => {
  const a = csrFromDense(new Float32Array(6), 2, 3);
  it.each([
    ['csrMatVec', () => csrMatVec(a, new Float32Array(2)), 'x'],
    ['csrMatVec', () => csrMatVec(a, new Int8Array(3) as unknown as Float32Array), 'x'],
    ['csrMatVec', () => csrMatVec(a, new Float32Array(3), { inputZeroPoint: 1 }), 'options.inputZeroPoint'],
    ['csrMatMul', () => csrMatMul(a, new Float32Array(3), 2), 'b'],
    ['bsrMatVec', () => bsrMatVec(a as never, new Float32Array(3)), 'a'],
    ['bsrFromDense', () => bsrFromDense(new Float32Array(6), 2, 3, [0, 2]), 'block[0]'],
    ['csrFromDense', () => csrFromDense(new Float32Array(5), 2, 3), 'values'],
    [
      'requantize',
      () =>
        requantize(new Int32Array(4), { inputScale: 1, weightScales: new Float32Array(3), outputScale: 1 }),
      'options.weightScales',
    ],
  ])('%s rejects a bad %s', (fn, call, arg) => {
    expect(call).toThrow(LabInputError);
    try {
      call();
    } catch (err) {
      expect((err as LabInputError).fn).toBe(fn);
      expect((err as LabInputError).arg).toBe(arg);
    }
  });
});

describe('no tensors', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('export, decode, footprint and the kernels create no tensors', async () => {
    const r = createRng(5);
    const w = unstructured(r, 16, 16, 0.7);
    const x = randomInt8(r, 16);
    await expectNoLeaks(() => {
      const t: Int8Tensor = {
        name: 'w',
        shape: [16, 16],
        values: w,
        scales: Float32Array.of(1),
        zeroPoints: new Int32Array(1),
      };
      const model = { weights: [t], floats: [], activations: [] };
      decodeModel(exportModel(model));
      footprint(model);
      const acc = bsrMatMul(bsrFromInt8Tensor(t, { block: [4, 4] }), x, 1);
      csrMatVec(csrFromInt8Tensor(t), x);
      requantize(acc, { inputScale: 1, weightScales: t.scales, outputScale: 1 });
    });
  });
});
