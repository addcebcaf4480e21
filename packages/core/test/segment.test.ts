import { TOL, expectAllClose, expectNoLeaks } from '@lab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { registerSegmentKernels } from '../src/backend/kernels/segment.js';
import { createRng } from '../src/random/createRng.js';
import { onBothBackends, randn } from './backendHelpers.js';

/**
 * wasm and cpu both accumulate in float32, in different orders (cpu via masked sums):
 * at most a few dozen O(1) terms per output, float32 reordering.
 */
const SEGMENT_TOL = { atol: TOL.F32_REORDER, rtol: TOL.F32_REORDER };

function randIds(seed: number, n: number, low: number, high: number): Int32Array {
  const rng = createRng(seed);
  return Int32Array.from({ length: n }, () => low + rng.int(high - low));
}

/** Brute-force segment sum for ids over the leading `ids.rank` axes (TensorFlow's definition). */
function bruteSegmentSum(
  x: ArrayLike<number>,
  ids: ArrayLike<number>,
  inner: number,
  numSegments: number,
): number[] {
  const out = new Array<number>(numSegments * inner).fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i] as number;
    if (s < 0 || s >= numSegments) continue;
    for (let k = 0; k < inner; k++)
      out[s * inner + k] = (out[s * inner + k] as number) + (x[i * inner + k] as number);
  }
  return out;
}

describe('wasm UnsortedSegmentSum', () => {
  it('is registered for wasm and registration is idempotent', async () => {
    await initBackend();
    const before = tf.getKernel(tf.UnsortedSegmentSum, 'wasm');
    expect(before).toBeDefined();
    registerSegmentKernels();
    expect(tf.getKernel(tf.UnsortedSegmentSum, 'wasm')).toBe(before);
  });

  it.each([
    [[12], 5],
    [[12, 3], 4],
    [[9, 2, 5], 11],
    [[1, 7], 1],
    [[0, 4], 3],
  ] as const)(
    'float32 data of shape %j with %i segments equals cpu and brute force',
    async (shape, numSegments) => {
      const x = randn(1, shape);
      const n = shape[0];
      // Ids in [-2, numSegments + 2): some fall outside the segments and are dropped.
      const ids = randIds(2, n, -2, numSegments + 2);
      const { cpu, wasm } = await onBothBackends(() => [
        tf.unsortedSegmentSum(tf.tensor(x, [...shape]), tf.tensor1d(ids, 'int32'), numSegments),
      ]);
      expectAllClose(wasm[0] as Float32Array, cpu[0] as Float32Array, SEGMENT_TOL);
      const inner = shape.slice(1).reduce((a: number, b: number) => a * b, 1);
      expectAllClose(wasm[0] as Float32Array, bruteSegmentSum(x, ids, inner, numSegments), SEGMENT_TOL);
    },
  );

  it('int32 data sums exactly', async () => {
    await initBackend();
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2], 'int32');
    const ids = tf.tensor1d([2, 0, 2, 7], 'int32');
    const out = await expectNoLeaks(() => tf.unsortedSegmentSum(x, ids, 3), { keepResult: true });
    expect(out.dtype).toBe('int32');
    expect(out.shape).toEqual([3, 2]);
    expect(Array.from(out.dataSync())).toEqual([3, 4, 0, 0, 6, 8]);
    expect(Array.from(x.dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    tf.dispose([x, ids, out]);
  });

  it('rank-2 segment ids cover the leading two axes (brute force)', async () => {
    await initBackend();
    const x = randn(3, [3, 4, 2]);
    const ids = randIds(4, 12, 0, 5);
    const out = await expectNoLeaks(
      () =>
        tf.tidy(
          () =>
            tf
              .engine()
              .runKernel(
                tf.UnsortedSegmentSum,
                { x: tf.tensor3d(x, [3, 4, 2]), segmentIds: tf.tensor2d(ids, [3, 4], 'int32') },
                { numSegments: 5 },
              ) as tf.Tensor,
        ),
      { keepResult: true },
    );
    expect(out.shape).toEqual([5, 2]);
    expectAllClose(out, bruteSegmentSum(x, ids, 2, 5), SEGMENT_TOL);
    out.dispose();
  });

  it('rejects segment ids whose shape is not a prefix of x', async () => {
    await initBackend();
    const x = tf.zeros([4, 2]);
    const ids = tf.tensor1d([0, 1, 2], 'int32');
    expect(() => tf.unsortedSegmentSum(x, ids, 3)).toThrow(/prefix/);
    tf.dispose([x, ids]);
  });
});

describe('tf.grad through gather on wasm equals cpu', () => {
  it.each([
    ['axis 0, repeated indices', [10, 4], [1, 3, 3, 9, 0, 3], 0],
    ['axis 1, 2-D indices', [3, 6, 2], [5, 0, 5, 2, 1, 1], 1],
    ['axis 2 of a rank-3 tensor', [2, 3, 5], [4, 4, 0], 2],
  ] as const)('%s', async (_, shape, indices, axis) => {
    const x = randn(5, shape);
    const w = randn(6, [64]);
    const { cpu, wasm } = await onBothBackends(() => {
      const idx =
        axis === 1 ? tf.tensor2d([...indices], [2, 3], 'int32') : tf.tensor1d([...indices], 'int32');
      const f = (t: tf.Tensor) => {
        const g = tf.gather(t, idx, axis);
        // Weighted sum so each gathered element gets a distinct cotangent.
        return g.mul(tf.tensor1d(w.slice(0, g.size)).reshape(g.shape)).sum();
      };
      return [tf.grad(f)(tf.tensor(x, [...shape]))];
    });
    expectAllClose(wasm[0] as Float32Array, cpu[0] as Float32Array, SEGMENT_TOL);
  });
});
