import { TOL, expectAllClose, expectNoLeaks } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { registerMatMulTransposeFix, withoutMatMulTransposeFix } from '../src/backend/kernels/matmul.js';
import { heapIds, onBothBackends, randn } from './backendHelpers.js';

/** Inner dimensions up to 37 of O(1) terms: float32 reordering between XNNPACK and cpu. */
const MATMUL_TOL = { atol: TOL.F32_REORDER, rtol: TOL.F32_REORDER };

/** Shape of an operand stored transposed (last two axes swapped) when `t` is set. */
function stored(shape: number[], t: boolean): number[] {
  if (!t) return shape;
  const s = shape.slice();
  const n = s.length;
  [s[n - 2], s[n - 1]] = [s[n - 1] as number, s[n - 2] as number];
  return s;
}

/** Logical (untransposed) operand shapes: batch broadcasting, vectors-as-matrices, rank 2. */
const SHAPES: Array<{ a: number[]; b: number[] }> = [
  { a: [7, 37], b: [37, 5] },
  { a: [3, 6, 8], b: [3, 8, 4] },
  { a: [2, 3, 6, 8], b: [3, 8, 4] },
  { a: [1, 6, 8], b: [4, 8, 9] },
  { a: [4, 1, 5, 3], b: [1, 2, 3, 6] },
  { a: [1, 9], b: [9, 1] },
];
const FLAGS: Array<[boolean, boolean]> = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

const CASES = SHAPES.flatMap((s) =>
  FLAGS.map(([ta, tb]) => [`a [${s.a}] b [${s.b}] transposeA ${ta} transposeB ${tb}`, s, ta, tb] as const),
);

describe('wasm BatchMatMul / _FusedMatMul transpose fix', () => {
  it('wraps both kernels once (idempotent)', async () => {
    await initBackend();
    const bmm = tf.getKernel(tf.BatchMatMul, 'wasm');
    const fused = tf.getKernel(tf._FusedMatMul, 'wasm');
    registerMatMulTransposeFix();
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(bmm);
    expect(tf.getKernel(tf._FusedMatMul, 'wasm')).toBe(fused);
    expect(
      (bmm.kernelFunc as unknown as Record<symbol, unknown>)[Symbol.for('@lab/core/matmulTransposeFix')],
    ).toBe(true);
  });

  it.each(CASES)('matMul equals cpu: %s', async (_, s, ta, tb) => {
    const sa = stored(s.a, ta);
    const sb = stored(s.b, tb);
    const a = randn(1, sa);
    const b = randn(2, sb);
    const { cpu, wasm } = await onBothBackends(() => [tf.matMul(tf.tensor(a, sa), tf.tensor(b, sb), ta, tb)]);
    expectAllClose(wasm[0] as Float32Array, cpu[0] as Float32Array, MATMUL_TOL);
  });

  it.each(FLAGS)(
    'fused matMul with bias and relu equals cpu: transposeA %s transposeB %s',
    async (ta, tb) => {
      const sa = stored([3, 6, 8], ta);
      const sb = stored([3, 8, 4], tb);
      const a = randn(3, sa);
      const b = randn(4, sb);
      const bias = randn(5, [4]);
      const { cpu, wasm } = await onBothBackends(() => [
        tf.fused.matMul({
          a: tf.tensor(a, sa),
          b: tf.tensor(b, sb),
          transposeA: ta,
          transposeB: tb,
          bias: tf.tensor1d(bias),
          activation: 'relu',
        }),
      ]);
      expectAllClose(wasm[0] as Float32Array, cpu[0] as Float32Array, MATMUL_TOL);
    },
  );

  it.each([
    ['linear', [3, 5, 4], [1, 4, 6]],
    ['elu', [1, 5, 4], [1, 4, 6]],
    ['leakyrelu', [3, 5, 4], [1, 4, 6]],
    ['prelu', [3, 5, 4], [3, 4, 6]],
    ['sigmoid', [5, 4], [4, 6]],
  ] as const)(
    'fused matMul with bias, %s activation and batch broadcasting equals cpu',
    async (act, sa, sb) => {
      const a = randn(8, sa);
      const b = randn(9, sb);
      const bias = randn(10, [6]);
      const alpha = randn(11, [6]);
      const { cpu, wasm } = await onBothBackends(() => [
        tf.fused.matMul({
          a: tf.tensor(a, [...sa]),
          b: tf.tensor(b, [...sb]),
          bias: tf.tensor1d(bias),
          activation: act,
          preluActivationWeights: act === 'prelu' ? tf.tensor1d(alpha) : undefined,
          leakyreluAlpha: 0.3,
        }),
      ]);
      expectAllClose(wasm[0] as Float32Array, cpu[0] as Float32Array, MATMUL_TOL);
    },
  );

  it.each(FLAGS)('gradients of matMul equal cpu: transposeA %s transposeB %s', async (ta, tb) => {
    const sa = stored([2, 5, 7], ta);
    const sb = stored([2, 7, 3], tb);
    const a = randn(6, sa);
    const b = randn(7, sb);
    const { cpu, wasm } = await onBothBackends(() => {
      const f = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, ta, tb).square().sum();
      return tf.grads(f)([tf.tensor(a, sa), tf.tensor(b, sb)]);
    });
    for (let k = 0; k < 2; k++) expectAllClose(wasm[k] as Float32Array, cpu[k] as Float32Array, MATMUL_TOL);
  });

  it('withoutMatMulTransposeFix runs the upstream kernels, which agree on plain transposed products', async () => {
    await initBackend();
    const fixed = tf.getKernel(tf.BatchMatMul, 'wasm');
    const a = tf.tensor(randn(12, [2, 9, 6]), [2, 9, 6]);
    const b = tf.tensor(randn(13, [2, 5, 9]), [2, 5, 9]);
    const ours = tf.matMul(a, b, true, true);
    const upstream = withoutMatMulTransposeFix(() => {
      expect(tf.getKernel(tf.BatchMatMul, 'wasm')).not.toBe(fixed);
      return tf.matMul(a, b, true, true);
    });
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(fixed);
    expectAllClose(ours, upstream, MATMUL_TOL);
    expect(() =>
      withoutMatMulTransposeFix(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(fixed);
    tf.dispose([a, b, ours, upstream]);
  });

  it('leaves the inputs intact and still rejects mismatched inner dimensions', async () => {
    await initBackend();
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const out = await expectNoLeaks(() => tf.matMul(a, b, true, false), { keepResult: true });
    // a^T b = [[1*1+4*3, 1*2+4*4], [2*1+5*3, 2*2+5*4], [3*1+6*3, 3*2+6*4]]
    expectAllClose(out, [13, 18, 17, 24, 21, 30], { atol: TOL.EXACT });
    expect(Array.from(a.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    const ids = heapIds();
    expect(() => tf.matMul(a, b, false, true)).toThrow(/inner shapes/);
    expect(heapIds()).toBe(ids);
    tf.dispose([a, b, out]);
  });
});
