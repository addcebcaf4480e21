import { LabInputError, createRng } from '@lab/core';
import { describe, expect, it } from 'vitest';
import type { Int8Model } from '../src/Int8Model.js';
import { exportModel } from '../src/exportModel.js';
import { footprint } from '../src/footprint.js';
import { fixtureModel, unstructured } from './exportFixtures.js';

describe('footprint', () => {
  it('total exported bytes equal the exported file length, for every encoding choice', () => {
    const m = fixtureModel(9);
    for (const encoding of ['auto', 'dense', 'bitmask', 'csr', 'bsr', 'units'] as const) {
      const f = footprint(m, { encoding });
      expect(f.total.exportedBytes).toBe(exportModel(m, { encoding }).length);
      expect(f.layers.reduce((s, l) => s + l.exportedBytes, 0) + f.overheadBytes).toBe(f.total.exportedBytes);
    }
  });

  it('each layer figure is the growth of the file when that tensor is added', () => {
    const m = fixtureModel(9);
    const empty: Int8Model = { weights: [], floats: [], activations: m.activations };
    const base = exportModel(empty).length;
    const f = footprint(m);
    m.weights.forEach((w, i) => {
      expect(exportModel({ ...empty, weights: [w] }).length - base).toBe(f.layers[i].exportedBytes);
    });
  });

  it('computes dense fp32 / int8 bytes and sparsity by closed form', () => {
    const rng = createRng(4);
    const values = unstructured(rng, 100, 50, 0.9);
    const m: Int8Model = {
      weights: [
        { name: 'w', shape: [100, 50], values, scales: new Float32Array(50), zeroPoints: new Int32Array(50) },
      ],
      floats: [{ name: 'b', shape: [50], values: new Float32Array(50) }],
      activations: [],
    };
    const f = footprint(m);
    expect(f.layers[0]).toMatchObject({
      params: 5000,
      nonZeros: 500,
      fp32Bytes: 20_000,
      int8Bytes: 5000 + 200,
      encoding: 'bitmask',
    });
    // bitmask 4 + 625 + 500 = 1129 bytes beats CSR 6 + 101 * 2 + 500 + 500 = 1208; record adds
    // kind 1, name 2+1, shape 1+8, meta 1, scale count 4 + 50 * 4, encoding 1, payload length 4.
    expect(f.layers[0].exportedBytes).toBe(1129 + 1 + 3 + 9 + 1 + 204 + 1 + 4);
    expect(f.layers[0].sparsity).toBeCloseTo(0.9, 12);
    expect(f.layers[1]).toMatchObject({
      kind: 'float',
      fp32Bytes: 200,
      int8Bytes: 200,
      exportedBytes: 1 + 2 + 1 + 1 + 4 + 200,
    });
    expect(f.total.fp32Bytes).toBe(20_200);
    expect(f.total.compressionVsFp32).toBeCloseTo(20_200 / f.total.exportedBytes, 12);
  });

  it('sums tensors per layer', () => {
    const m = fixtureModel(9);
    const f = footprint(m);
    const dense = f.byLayer.find((g) => g.layer === 'dense');
    expect(dense?.tensors).toEqual(['dense.kernel', 'dense.bias']);
    const parts = f.layers.filter((l) => l.name.startsWith('dense.'));
    expect(dense?.exportedBytes).toBe(parts[0].exportedBytes + parts[1].exportedBytes);
    expect(dense?.params).toBe(16 * 24 + 24);
    expect(f.byLayer.reduce((s, g) => s + g.exportedBytes, 0) + f.overheadBytes).toBe(f.total.exportedBytes);
  });

  it('rejects bad input naming footprint', () => {
    expect(() => footprint({ weights: 3, floats: [], activations: [] } as unknown as Int8Model)).toThrow(
      LabInputError,
    );
    expect(() => footprint({ weights: 3, floats: [], activations: [] } as unknown as Int8Model)).toThrow(
      /^footprint: argument 'model.weights'/,
    );
  });
});
