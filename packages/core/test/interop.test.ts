import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeaks } from '@lab/test-utils';
import { Matrix, MatrixRowView } from 'ml-matrix';
import ndarray from 'ndarray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { LabInputError } from '../src/errors.js';
import { tensorFromMatrix } from '../src/interop/tensorFromMatrix.js';
import { tensorFromNdarray } from '../src/interop/tensorFromNdarray.js';
import { tensorFromTypedArray } from '../src/interop/tensorFromTypedArray.js';
import { tensorToMatrix } from '../src/interop/tensorToMatrix.js';
import { tensorToNdarray } from '../src/interop/tensorToNdarray.js';
import { tensorToTypedArray } from '../src/interop/tensorToTypedArray.js';

beforeAll(async () => {
  await initBackend();
});
afterAll(async () => {
  await initBackend();
});

/** Brute-force row-major read of an ndarray view through its own get(). */
function viaGet(a: ndarray.NdArray): number[] {
  const out: number[] = [];
  const idx = new Array<number>(a.shape.length).fill(0);
  const size = a.shape.reduce((p, d) => p * d, 1);
  for (let i = 0; i < size; i++) {
    out.push(a.get(...idx) as number);
    for (let k = a.shape.length - 1; k >= 0; k--) {
      if (++idx[k]! < a.shape[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}

describe('tensorFromNdarray / tensorToNdarray', () => {
  const base = ndarray(
    Float32Array.from({ length: 60 }, (_, i) => i * 0.5 - 7),
    [3, 4, 5],
  );

  it.each([
    ['contiguous', base],
    ['offset slice (still contiguous)', base.lo(1, 0, 0)],
    ['transposed', base.transpose(2, 0, 1)],
    ['stepped and reversed', base.step(-1, 2, -2)],
    ['picked 2-D', base.pick(null, 1, null)],
    ['scalar pick', base.pick(2, 3, 4)],
    ['inner slice', base.hi(3, 3, 4).lo(0, 1, 1)],
  ])('%s view becomes a row-major tensor equal to get()', async (_name, view) => {
    const t = await expectNoLeaks(() => tensorFromNdarray(view), { keepResult: true });
    expect(t.shape).toEqual(view.shape);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.dataSync())).toEqual(viaGet(view));
    const back = await expectNoLeaks(() => tensorToNdarray(t));
    expect(back.shape).toEqual(view.shape);
    expect(viaGet(back)).toEqual(viaGet(view));
    t.dispose();
  });

  it('maps dtypes: Int16 -> int32, Float64 -> float32 (rounded), plain arrays, generic get()', () => {
    const i16 = tensorFromNdarray(ndarray(Int16Array.from([1, -2, 3, -4]), [2, 2]).transpose(1, 0));
    expect(i16.dtype).toBe('int32');
    expect(Array.from(i16.dataSync())).toEqual([1, 3, -2, -4]);
    const f64 = tensorFromNdarray(ndarray(Float64Array.from([0.1, 1 / 3]), [2]));
    expect(Array.from(f64.dataSync())).toEqual([Math.fround(0.1), Math.fround(1 / 3)]);
    const plain = tensorFromNdarray(ndarray([1, 2, 3, 4, 5, 6], [2, 3]).step(1, -1));
    expect(Array.from(plain.dataSync())).toEqual([3, 2, 1, 6, 5, 4]);
    const store = [9, 8, 7];
    const generic = tensorFromNdarray(
      ndarray({ length: 3, get: (i: number) => store[i]!, set: () => {} }, [3]),
    );
    expect(Array.from(generic.dataSync())).toEqual([9, 8, 7]);
    const asBool = tensorFromNdarray(ndarray(Float32Array.from([0, 1, 1]), [3]), { dtype: 'bool' });
    expect(asBool.dtype).toBe('bool');
    tf.dispose([i16, f64, plain, generic, asBool]);
  });

  it('hands contiguous native data to tfjs without a JS copy (visible on the cpu backend); copy: true isolates', async () => {
    await initBackend({ backend: 'cpu' });
    const data = Float32Array.from([1, 2, 3, 4, 5]);
    const view = ndarray(data, [4], [1], 1);
    const shared = tensorFromNdarray(view);
    const copied = tensorFromNdarray(view, { copy: true });
    data[1] = 100; // the caller mutates after the call (documented as unsupported without copy)
    expect(shared.dataSync()[0]).toBe(100);
    expect(copied.dataSync()[0]).toBe(2);
    // The output side always copies: mutating the ndarray does not touch the tensor.
    const out = tensorToNdarray(copied);
    out.set(0, -1);
    expect(copied.dataSync()[0]).toBe(2);
    tf.dispose([shared, copied]);
    await initBackend();
  });

  it('validates inputs', () => {
    expect(() => tensorFromNdarray({} as never)).toThrow(LabInputError);
    expect(() => tensorFromNdarray(ndarray(new Float32Array(4), [2, 2], [2, 1], 1))).toThrow(
      /within \[0, 4\)/,
    );
    expect(() => tensorFromNdarray(ndarray(Float32Array.from([0.5]), [1]), { dtype: 'int32' })).toThrow(
      /int32 integer/,
    );
    expect(() => tensorFromNdarray(ndarray(new Float32Array(1), [1]), { dtype: 'half' as never })).toThrow(
      /options\.dtype/,
    );
    const t = tf.tensor1d(['a'] as never, 'string');
    expect(() => tensorToNdarray(t)).toThrow(/float32, int32 or bool/);
    t.dispose();
  });
});

describe('tensorFromTypedArray / tensorToTypedArray', () => {
  it('round-trips float32, int32 and bool bit-exactly without leaks', async () => {
    const cases: Array<[Float32Array | Int32Array | Uint8Array, 'float32' | 'int32' | 'bool']> = [
      [Float32Array.from([1.5, -0, Number.NaN, 3e-39, -1e30, 7]), 'float32'],
      [Int32Array.from([2147483647, -2147483648, 0, 5, -5, 1]), 'int32'],
      [Uint8Array.from([0, 1, 1, 0, 1, 0]), 'bool'],
    ];
    for (const [data, dtype] of cases) {
      const t = await expectNoLeaks(() => tensorFromTypedArray(data, [2, 3], { dtype }), {
        keepResult: true,
      });
      expect(t.dtype).toBe(dtype);
      const out = await expectNoLeaks(() => tensorToTypedArray(t));
      expect(await expectNoLeaks(() => tensorToTypedArray(t))).toEqual(out);
      expect(out.shape).toEqual([2, 3]);
      expect(out.dtype).toBe(dtype);
      expect(out.data).not.toBe(data);
      expect(new Uint8Array(out.data.buffer)).toEqual(new Uint8Array(data.buffer));
      t.dispose();
    }
  });

  it('converts other arrays and rejects bad input', () => {
    const t = tensorFromTypedArray(Uint16Array.from([1, 65535]), [2]);
    expect(t.dtype).toBe('int32');
    expect(Array.from(t.dataSync())).toEqual([1, 65535]);
    const f = tensorFromTypedArray([0.25, 2], [1, 2]);
    expect(f.dtype).toBe('float32');
    t.dispose();
    f.dispose();
    expect(() => tensorFromTypedArray(new Float32Array(3), [2, 2])).toThrow(/must have 4 elements/);
    expect(() => tensorFromTypedArray(Uint8Array.from([2]), [1], { dtype: 'bool' })).toThrow(/0 or 1/);
    expect(() => tensorFromTypedArray(Uint32Array.from([2 ** 32 - 1]), [1])).toThrow(/int32 integer/);
    expect(() => tensorFromTypedArray('abc' as never, [3])).toThrow(LabInputError);
    expect(() => tensorToTypedArray(null as never)).toThrow(/must be a tf.Tensor/);
  });
});

describe('tensorFromMatrix / tensorToMatrix', () => {
  it('round-trips a Matrix and reads views', async () => {
    const m = new Matrix([
      [1, 2, 3],
      [4.5, -5, 0.1],
    ]);
    const t = await expectNoLeaks(() => tensorFromMatrix(m), { keepResult: true });
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4.5, -5, Math.fround(0.1)]);
    const back = await expectNoLeaks(() => tensorToMatrix(t));
    expect(back.to2DArray()).toEqual([
      [1, 2, 3],
      [4.5, -5, Math.fround(0.1)],
    ]);
    const row = tensorFromMatrix(new MatrixRowView(m, 1));
    expect(row.shape).toEqual([1, 3]);
    expect(Array.from(row.dataSync())).toEqual([4.5, -5, Math.fround(0.1)]);
    // Results are independent of the inputs.
    back.set(0, 0, 99);
    expect(t.dataSync()[0]).toBe(1);
    expect(m.get(0, 0)).toBe(1);
    tf.dispose([t, row]);
  });

  it('validates inputs', () => {
    expect(() => tensorFromMatrix([[1]] as never)).toThrow(/ml-matrix/);
    const v = tf.tensor1d([1, 2]);
    expect(() => tensorToMatrix(v as never)).toThrow(/rank 2/);
    v.dispose();
  });

  it('reads options with readOptions and bounds sizes before allocating', () => {
    const data = Float32Array.from([1, 2]);
    for (const o of [null, 3, [], { dtyp: 'float32' }, { copy: 1 }, { dtype: 'half' }]) {
      expect(() => tensorFromTypedArray(data, [2], o as never)).toThrow(LabInputError);
      expect(() => tensorFromNdarray(ndarray(data, [2]), o as never)).toThrow(LabInputError);
    }
    expect(() => tensorFromTypedArray(data, [2], { copy: 'yes' } as never)).toThrow(
      /options\.copy' must be true or false/,
    );
    // Stride 0 over one element would address 2^62 positions: rejected, not a RangeError.
    expect(() => tensorFromNdarray(ndarray(new Float32Array(1), [2 ** 31, 2 ** 31], [0, 0]))).toThrow(
      /must have at most 2147483647 elements/,
    );
    expect(() => tensorFromTypedArray(new Float32Array(0), [2 ** 31, 0])).not.toThrow(RangeError);
  });

  it('accepts a Buffer and an odd-offset subarray without modifying them', async () => {
    const pool = new Uint8Array([9, 1, 0, 1, 9]);
    const odd = pool.subarray(1, 4);
    const t = await expectNoLeaks(() => tensorFromTypedArray(odd, [3], { dtype: 'bool' }), {
      keepResult: true,
    });
    expect(Array.from(t.dataSync())).toEqual([1, 0, 1]);
    t.dispose();
    const b = tensorFromTypedArray(Buffer.from([3, 4]), [2]);
    expect([b.dtype, ...Array.from(b.dataSync())]).toEqual(['int32', 3, 4]);
    b.dispose();
    expect(Array.from(pool)).toEqual([9, 1, 0, 1, 9]);
  });
});
