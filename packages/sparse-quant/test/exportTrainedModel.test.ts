/**
 * The exporter on models produced by the training side of the package (post-training int8 through
 * applyCompression, offline pruning with each structure, unit shrinking): exact round trip, the
 * encoding each structure should get, and files that shrink with sparsity.
 */
import { Dense, LSTM, ParameterStore, initBackend } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CompressionPlan,
  type Int8Model,
  applyCompression,
  bsrFromInt8Tensor,
  bsrMatVec,
  csrFromInt8Tensor,
  csrMatVec,
  decodeModel,
  exportModel,
  footprint,
  pruneInt8Model,
  shrinkUnits,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

/** LSTM(16 -> 32) -> Dense(32 -> 8), quantised per channel without pruning. */
function denseInt8(): Int8Model {
  const store = new ParameterStore({ seed: 3 });
  new LSTM(store, 'lstm', { inputDim: 16, units: 32 });
  new Dense(store, 'fc', { inputDim: 32, units: 8 });
  const c = applyCompression(store, { perChannel: true, layers: [{ layer: 'lstm' }, { layer: 'fc' }] });
  const m = c.toInt8Model();
  c.dispose();
  store.dispose();
  return m;
}

const ints = (m: Int8Model) => m.weights.map((w) => [w.name, Array.from(w.values)]);

describe('exporting trained int8 models', () => {
  let dense: Int8Model;
  beforeAll(() => {
    dense = denseInt8();
  });
  const plans: Record<string, CompressionPlan> = {
    weight: { structure: 'weight', sparsity: 0.9, layers: [{ layer: 'lstm' }] },
    block: { structure: 'block', block: [8, 8], sparsity: 0.9, layers: [{ layer: 'lstm' }] },
    unit: { structure: 'unit', sparsity: 0.5, layers: [{ layer: 'lstm', consumers: ['fc.kernel'] }] },
  };

  it('round-trips the dense model and picks dense encodings', () => {
    expect(ints(decodeModel(exportModel(dense)))).toEqual(ints(dense));
    for (const l of footprint(dense).layers) if (l.kind === 'int8') expect(l.encoding).toBe('dense');
  });

  it.each(['weight', 'block', 'unit'] as const)(
    '%s pruning: exact round trip, a matching encoding, a smaller file',
    (structure) => {
      const pruned = pruneInt8Model(dense, plans[structure]);
      const bytes = exportModel(pruned);
      expect(ints(decodeModel(bytes))).toEqual(ints(pruned));
      const f = footprint(pruned);
      const kernel = f.layers.find((l) => l.name === 'lstm.kernel');
      const expected = { weight: ['csr', 'bitmask'], block: ['bsr'], unit: ['units'] }[structure];
      expect(expected).toContain(kernel?.encoding);
      expect(f.total.exportedBytes).toBeLessThan(footprint(dense).total.exportedBytes);
      expect(f.total.exportedBytes).toBe(bytes.length);
    },
  );

  it('a physically shrunk unit-pruned model is dense again and smaller still', () => {
    const pruned = pruneInt8Model(dense, plans.unit);
    const { model: small } = shrinkUnits(pruned, plans.unit);
    const f = footprint(small);
    expect(f.layers.find((l) => l.name === 'lstm.kernel')?.encoding).toBe('dense');
    expect(ints(decodeModel(exportModel(small)))).toEqual(ints(small));
    expect(f.total.exportedBytes).toBeLessThan(footprint(pruned).total.exportedBytes);
  });

  it('the kernels run the decoded weights: x W equals the brute-force product', () => {
    const pruned = decodeModel(exportModel(pruneInt8Model(dense, plans.block)));
    const w = pruned.weights.find((t) => t.name === 'lstm.kernel')!;
    const [inDim, outDim] = w.shape;
    const x = Int8Array.from({ length: inDim }, (_, i) => ((i * 37) % 255) - 127);
    const ref = new Int32Array(outDim);
    for (let j = 0; j < outDim; j++)
      for (let i = 0; i < inDim; i++) ref[j] += x[i] * w.values[i * outDim + j];
    expect(Array.from(csrMatVec(csrFromInt8Tensor(w), x))).toEqual(Array.from(ref));
    expect(Array.from(bsrMatVec(bsrFromInt8Tensor(w), x))).toEqual(Array.from(ref));
  });
});
