import { LabInputError, createRng } from '@lab/core';
import { describe, expect, it } from 'vitest';
import type { Int8Model, Int8Tensor } from '../src/Int8Model.js';
import { decodeModel } from '../src/decodeModel.js';
import { type TensorEncoding, exportModel } from '../src/exportModel.js';
import { footprint } from '../src/footprint.js';
import { blockSparse, fixtureModel, unitSparse, unstructured } from './exportFixtures.js';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** Identical integers, bitwise-equal floats, same names/shapes/metadata. */
function expectSameModel(a: Int8Model, b: Int8Model): void {
  expect(b.weights.length).toBe(a.weights.length);
  a.weights.forEach((w, i) => {
    const d = b.weights[i];
    expect(d.name).toBe(w.name);
    expect(d.shape).toEqual([...w.shape]);
    expect(d.values).toBeInstanceOf(Int8Array);
    expect(Array.from(d.values)).toEqual(Array.from(w.values));
    expect(bits(d.scales)).toEqual(bits(w.scales));
    expect(Array.from(d.zeroPoints)).toEqual(Array.from(w.zeroPoints));
    expect(d.structure).toBe(w.structure);
    expect(d.block).toEqual(w.block === undefined ? undefined : [...w.block]);
  });
  expect(b.floats.map((f) => [f.name, f.shape, bits(f.values)])).toEqual(
    a.floats.map((f) => [f.name, [...f.shape], bits(f.values)]),
  );
  expect(b.activations).toEqual(a.activations.map((x) => ({ ...x })));
}

function encodingsOf(model: Int8Model, options = {}): Record<string, TensorEncoding | undefined> {
  return Object.fromEntries(
    footprint(model, options)
      .layers.filter((l) => l.kind === 'int8')
      .map((l) => [l.name, l.encoding]),
  );
}

describe('exportModel / decodeModel round trip', () => {
  const model = fixtureModel(7);

  it('returns identical integers and bitwise-equal floats with the automatic choice', () => {
    const bytes = exportModel(model);
    expectSameModel(model, decodeModel(bytes, { allowNonFinite: true }));
  });

  it.each(['dense', 'bitmask', 'csr', 'bsr', 'units'] as const)(
    'round-trips every weight forced to %s',
    (encoding) => {
      const bytes = exportModel(model, { encoding });
      expectSameModel(model, decodeModel(bytes, { allowNonFinite: true }));
      for (const e of Object.values(encodingsOf(model, { encoding }))) expect(e).toBe(encoding);
    },
  );

  it('round-trips random models of random shapes and sparsities under every encoding', () => {
    const rng = createRng('roundtrip');
    for (let trial = 0; trial < 30; trial++) {
      const rows = 1 + rng.int(40);
      const cols = 1 + rng.int(300); // > 255 columns forces 2-byte CSR indices
      const values = unstructured(rng, rows, cols, rng.next());
      const w: Int8Tensor = {
        name: `w${trial}`,
        shape: [rows, cols],
        values,
        scales: Float32Array.of(0.01),
        zeroPoints: new Int32Array(1),
      };
      const m: Int8Model = { weights: [w], floats: [], activations: [] };
      const block: [number, number] = [1 + rng.int(9), 1 + rng.int(9)];
      for (const encoding of ['auto', 'dense', 'bitmask', 'csr', 'bsr', 'units'] as const) {
        expectSameModel(m, decodeModel(exportModel(m, { encoding, blockShapes: [block] })));
      }
    }
  });

  it('uses 4-byte CSR row pointers when nnz exceeds 65535 and still round-trips', () => {
    const rng = createRng(3);
    const values = unstructured(rng, 400, 400, 0.5); // 80,000 non-zeros
    const m: Int8Model = {
      weights: [
        { name: 'big', shape: [400, 400], values, scales: Float32Array.of(1), zeroPoints: new Int32Array(1) },
      ],
      floats: [],
      activations: [],
    };
    const bytes = exportModel(m, { encoding: 'csr' });
    // header 24 + record (1 + 2+3 + 1+8 + 1 + 4+4 + 1 + 4) + payload (2 + 4 + 401*4 + 80000*2 + 80000) + crc 4
    expect(bytes.length).toBe(24 + 29 + (6 + 401 * 4 + 80_000 * 3) + 4);
    expectSameModel(m, decodeModel(bytes));
  });

  it('does not modify the model', () => {
    const m = fixtureModel(7);
    const before = JSON.stringify(m, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Int8Array) : v));
    exportModel(m);
    footprint(m);
    expect(JSON.stringify(m, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Int8Array) : v))).toBe(
      before,
    );
  });

  it('is deterministic', () => {
    expect(Array.from(exportModel(fixtureModel(5)))).toEqual(Array.from(exportModel(fixtureModel(5))));
  });
});

describe('automatic encoding choice', () => {
  it('picks the smallest encoding, matching each structure', () => {
    const e = encodingsOf(fixtureModel(7));
    expect(e['dense.kernel']).toBe('dense');
    expect(e['weight99.kernel']).toBe('csr');
    expect(e['weight50.kernel']).toBe('bitmask');
    expect(e['block8.kernel']).toBe('bsr');
    expect(e['unit.kernel']).toBe('units');
    expect(e['allzero.kernel']).toBe('units');
  });

  it('is never larger than any forced encoding, per weight', () => {
    const m = fixtureModel(11);
    const auto = footprint(m).layers;
    for (const encoding of ['dense', 'bitmask', 'csr', 'bsr', 'units'] as const) {
      const forced = footprint(m, { encoding }).layers;
      forced.forEach((l, i) => {
        expect(auto[i].exportedBytes).toBeLessThanOrEqual(l.exportedBytes);
      });
    }
  });

  it('uses the block shape of the tensor for block-CSR', () => {
    const rng = createRng(1);
    const w: Int8Tensor = {
      name: 'b',
      shape: [48, 32],
      values: blockSparse(rng, 48, 32, 16, 1, 0.9),
      scales: Float32Array.of(1),
      zeroPoints: new Int32Array(1),
      structure: 'block',
      block: [16, 1],
    };
    const layer = footprint({ weights: [w], floats: [], activations: [] }).layers[0];
    expect(layer.encoding).toBe('bsr');
    expect(layer.block).toEqual([16, 1]);
  });

  it('chooses the narrowest CSR index type', () => {
    const rng = createRng(2);
    const make = (cols: number): Int8Model => ({
      weights: [
        {
          name: 'w',
          shape: [4, cols],
          values: unitSparse(rng, 4, cols, 1, 1),
          scales: Float32Array.of(1),
          zeroPoints: new Int32Array(1),
        },
      ],
      floats: [],
      activations: [],
    });
    // One non-zero: payload = widths(2) + nnz(4) + 5 row pointers (1 byte) + 1 index + 1 value.
    expect(footprint(make(256), { encoding: 'csr' }).layers[0].exportedBytes).toBe(
      footprint(make(257), { encoding: 'csr' }).layers[0].exportedBytes - 1,
    );
  });

  it('honours per-weight overrides', () => {
    const m = fixtureModel(7);
    const e = encodingsOf(m, { encodings: { 'dense.kernel': 'csr', 'block8.kernel': 'dense' } });
    expect(e['dense.kernel']).toBe('csr');
    expect(e['block8.kernel']).toBe('dense');
    expect(e['weight99.kernel']).toBe('csr');
  });
});

describe('exportModel input validation', () => {
  const good = fixtureModel(1);
  const withWeight = (patch: Partial<Int8Tensor>): Int8Model => ({
    ...good,
    weights: [{ ...good.weights[0], ...patch }],
  });
  it.each([
    ['model', null, 'model'],
    ['values length', withWeight({ values: new Int8Array(3) }), 'model.weights[0].values'],
    [
      'values type',
      withWeight({ values: new Uint8Array(16 * 24) as unknown as Int8Array }),
      'model.weights[0].values',
    ],
    ['scales length', withWeight({ scales: new Float32Array(5) }), 'model.weights[0].scales'],
    ['zero points length', withWeight({ zeroPoints: new Int32Array(2) }), 'model.weights[0].zeroPoints'],
    ['block', withWeight({ block: [0, 8] }), 'model.weights[0].block'],
    ['shape', withWeight({ shape: [16, -24] }), 'model.weights[0].shape'],
  ])('rejects a bad %s', (_label, model, arg) => {
    expect(() => exportModel(model as Int8Model)).toThrow(LabInputError);
    try {
      exportModel(model as Int8Model);
    } catch (err) {
      expect((err as LabInputError).fn).toBe('exportModel');
      expect((err as LabInputError).arg).toBe(arg);
    }
  });

  it('rejects unknown encodings and unknown weight names', () => {
    expect(() => exportModel(good, { encoding: 'zip' as TensorEncoding })).toThrow(/options.encoding/);
    expect(() => exportModel(good, { encodings: { nope: 'csr' } })).toThrow(/options.encodings/);
    expect(() => exportModel(good, { blockShapes: [[8, 0]] })).toThrow(/options.blockShapes\[0\]/);
  });
});
