import { expectNoLeaks, TOL } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { gradientCheck } from '../src/nn/gradientCheck.js';
import { createRng, type Rng } from '../src/random/createRng.js';
import { SparseMatrix } from '../src/sparse/SparseMatrix.js';
import { sparseDenseMatMul } from '../src/sparse/sparseDenseMatMul.js';
import {
  type SpmmKernelName,
  setSpmmKernel,
  spmmCsr,
  spmmKernelName,
  spmmModuleBytes,
} from '../src/sparse/spmmKernel.js';

const KERNELS: SpmmKernelName[] = ['wasm-simd', 'js'];

beforeAll(async () => {
  await initBackend();
});
afterEach(() => setSpmmKernel(undefined));

/** Random CSR (density `d`, some empty rows) with float32 values. */
function randomCsr(rng: Rng, rows: number, cols: number, d: number) {
  const indptr = new Int32Array(rows + 1);
  const idx: number[] = [];
  for (let i = 0; i < rows; i++) {
    if (rng.next() < 0.2) {
      indptr[i + 1] = idx.length; // empty row
      continue;
    }
    for (let j = 0; j < cols; j++) if (rng.next() < d) idx.push(j);
    indptr[i + 1] = idx.length;
  }
  const indices = Int32Array.from(idx);
  const values = rng.fillUniform(new Float32Array(indices.length), -1, 1);
  return { indptr, indices, values };
}

/** The documented semantics, written the plainest way: float64 sums in entry order, one rounding. */
function bruteForce(
  rows: number,
  indptr: Int32Array,
  indices: Int32Array,
  perm: Int32Array | null,
  vals: Float32Array,
  b: Float32Array,
  k: number,
): Float32Array {
  const out = new Float32Array(rows * k);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let p = indptr[i] as number; p < (indptr[i + 1] as number); p++) {
        const v = vals[perm ? (perm[p] as number) : p] as number;
        s += v * (b[(indices[p] as number) * k + c] as number);
      }
      out[i * k + c] = s;
    }
  }
  return out;
}

describe('spmmCsr kernels', () => {
  it('the WebAssembly module validates and is chosen where SIMD is available (Node)', () => {
    expect(WebAssembly.validate(spmmModuleBytes())).toBe(true);
    expect(spmmKernelName()).toBe('wasm-simd');
  });

  it('both kernels are bit-identical to the float64 brute force (every k 0..19, with and without perm)', () => {
    const rng = createRng('spmm-kernels');
    for (let trial = 0; trial < 120; trial++) {
      const rows = rng.int(12);
      const cols = 1 + rng.int(10);
      const k = trial % 20;
      const { indptr, indices, values } = randomCsr(rng, rows, cols, 0.4);
      const perm = trial % 2 ? rng.permutation(indices.length) : null;
      const b = rng.fillUniform(new Float32Array(cols * k), -1, 1);
      const want = bruteForce(rows, indptr, indices, perm, values, b, k);
      const before = { indices: indices.slice(), values: values.slice(), b: b.slice() };
      for (const kernel of KERNELS) {
        setSpmmKernel(kernel);
        const got = spmmCsr(rows, indptr, indices, perm, values, b, k);
        expect(got.length).toBe(want.length);
        for (let q = 0; q < want.length; q++) {
          if (!Object.is(got[q], want[q])) {
            throw new Error(`${kernel}, trial ${trial}, k ${k}: out[${q}] = ${got[q]}, want ${want[q]}`);
          }
        }
      }
      expect(indices).toEqual(before.indices);
      expect(values).toEqual(before.values);
      expect(b).toEqual(before.b);
    }
  });

  it('reuses cached structures (new values and operands) and survives cache resets', () => {
    const rng = createRng('spmm-cache');
    // 24 structures (more than the cache holds), each used three times, interleaved.
    const mats = Array.from({ length: 24 }, () => {
      const rows = 1 + rng.int(30);
      const cols = 1 + rng.int(30);
      const m = randomCsr(rng, rows, cols, 0.3);
      return { rows, cols, ...m, perm: rng.permutation(m.indices.length) };
    });
    for (let round = 0; round < 3; round++) {
      for (const m of mats) {
        const k = 1 + rng.int(18);
        const values = rng.fillUniform(new Float32Array(m.indices.length), -1, 1);
        const b = rng.fillUniform(new Float32Array(m.cols * k), -1, 1);
        const perm = round === 1 ? m.perm : null;
        const got = spmmCsr(m.rows, m.indptr, m.indices, perm, values, b, k);
        expect(Array.from(got)).toEqual(
          Array.from(bruteForce(m.rows, m.indptr, m.indices, perm, values, b, k)),
        );
      }
    }
  });

  it('grows its memory for large inputs and shrinks back to correct results for small ones', () => {
    const rng = createRng('spmm-grow');
    for (const [rows, cols, k] of [
      [3000, 1500, 16],
      [5, 4, 3],
    ] as const) {
      const { indptr, indices, values } = randomCsr(rng, rows, cols, rows > 100 ? 0.01 : 0.5);
      const b = rng.fillUniform(new Float32Array(cols * k), -1, 1);
      const got = spmmCsr(rows, indptr, indices, null, values, b, k);
      expect(Array.from(got)).toEqual(Array.from(bruteForce(rows, indptr, indices, null, values, b, k)));
    }
  });
});

describe('sparseDenseMatMul on each kernel', () => {
  for (const kernel of KERNELS) {
    it(`${kernel}: forward and both gradients match dense tf ops`, async () => {
      setSpmmKernel(kernel);
      const rng = createRng(`sdmm-${kernel}`);
      const { indptr, indices, values } = randomCsr(rng, 9, 7, 0.4);
      const a = SparseMatrix.fromCsr([9, 7], indptr, indices, values);
      const bData = rng.fillUniform(new Float32Array(7 * 5), -1, 1);
      const wData = rng.fillUniform(new Float32Array(9 * 5), -1, 1);
      const b = tf.tensor2d(bData, [7, 5]);
      const w = tf.tensor2d(wData, [9, 5]);
      const dense = a.toDense();
      // The product and its gradient own no tensor beyond their result.
      await expectNoLeaks(() => sparseDenseMatMul(a, b));
      await expectNoLeaks(() => tf.grad((x: tf.Tensor) => tf.sum(sparseDenseMatMul(a, x as tf.Tensor2D)))(b));
      const [diffB, fwd] = tf.tidy(() => {
        const ours = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(sparseDenseMatMul(a, x as tf.Tensor2D), w)))(b);
        const ref = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.matMul(dense, x as tf.Tensor2D), w)))(b);
        return [
          tf.max(tf.abs(tf.sub(ours, ref))).dataSync()[0] as number,
          tf.max(tf.abs(tf.sub(sparseDenseMatMul(a, b), tf.matMul(dense, b)))).dataSync()[0] as number,
        ];
      });
      expect(diffB).toBeLessThan(TOL.F32_REORDER);
      expect(fwd).toBeLessThan(TOL.F32_REORDER);
      tf.dispose([b, w, dense]);
    });

    it(`${kernel}: finite differences agree with the gradients w.r.t. B and the values`, () => {
      setSpmmKernel(kernel);
      const rng = createRng(`sdmm-fd-${kernel}`);
      const { indptr, indices, values } = randomCsr(rng, 8, 6, 0.5);
      const a = SparseMatrix.fromCsr([8, 6], indptr, indices, values);
      const b = tf.tensor2d(rng.fillUniform(new Float32Array(6 * 3), -1, 1), [6, 3]);
      const v = tf.tensor1d(values);
      const w = tf.tensor2d(rng.fillUniform(new Float32Array(8 * 3), -1, 1), [8, 3]);
      // Smooth scalar of O(1): tanh keeps the second derivative non-zero.
      const f = (x: tf.Tensor, vals: tf.Tensor) =>
        tf.sum(tf.mul(tf.tanh(sparseDenseMatMul(a, x as tf.Tensor2D, vals as tf.Tensor1D)), w)) as tf.Scalar;
      const r = gradientCheck(f, [b, v]);
      expect(r.passed).toBe(true);
      // Constant values (a Float32Array override, e.g. dropout): only B is differentiated.
      const drop = values.map((x, p) => (p % 3 === 0 ? 0 : 2 * x));
      const g = gradientCheck(
        (x: tf.Tensor) =>
          tf.sum(tf.mul(tf.tanh(sparseDenseMatMul(a, x as tf.Tensor2D, drop)), w)) as tf.Scalar,
        [b],
      );
      expect(g.passed).toBe(true);
      tf.dispose([b, v, w]);
    });
  }

  it('the two kernels give bit-identical GCN-style products and gradients', () => {
    const rng = createRng('sdmm-same');
    const { indptr, indices, values } = randomCsr(rng, 40, 30, 0.2);
    const a = SparseMatrix.fromCsr([40, 30], indptr, indices, values);
    const b = tf.tensor2d(rng.fillUniform(new Float32Array(30 * 16), -1, 1), [30, 16]);
    const w = tf.tensor2d(rng.fillUniform(new Float32Array(40 * 16), -1, 1), [40, 16]);
    const run = (kernel: SpmmKernelName) => {
      setSpmmKernel(kernel);
      return tf.tidy(() => {
        const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(sparseDenseMatMul(a, x as tf.Tensor2D), w)))(b);
        return [Array.from(sparseDenseMatMul(a, b).dataSync()), Array.from(g.dataSync())];
      });
    };
    expect(run('wasm-simd')).toEqual(run('js'));
    tf.dispose([b, w]);
  });
});
