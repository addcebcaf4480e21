/** Seeded integer models with every sparsity pattern the exporter must handle (test helper). */
import { createRng, type Rng } from '@lab/core';
import type { Int8Model, Int8Tensor } from '../src/Int8Model.js';

/** A random non-zero int8 in the narrow range [-127, 127]. */
function nonZeroInt8(rng: Rng): number {
  const v = rng.int(127) + 1;
  return rng.next() < 0.5 ? -v : v;
}

/** Row-major rows x cols int8 values with the given fraction of zeros, unstructured. */
export function unstructured(rng: Rng, rows: number, cols: number, sparsity: number): Int8Array {
  const v = new Int8Array(rows * cols);
  const keep = Math.round((1 - sparsity) * rows * cols);
  for (const i of rng.sample(rows * cols, keep)) v[i] = nonZeroInt8(rng);
  return v;
}

/** Block-sparse values: `[br, bc]` blocks (edge blocks clipped) kept with probability 1 - sparsity. */
export function blockSparse(
  rng: Rng,
  rows: number,
  cols: number,
  br: number,
  bc: number,
  sparsity: number,
): Int8Array {
  const v = new Int8Array(rows * cols);
  const nbr = Math.ceil(rows / br);
  const nbc = Math.ceil(cols / bc);
  const keep = Math.round((1 - sparsity) * nbr * nbc);
  for (const b of rng.sample(nbr * nbc, keep)) {
    const bi = Math.floor(b / nbc);
    const bj = b % nbc;
    for (let i = bi * br; i < Math.min(rows, (bi + 1) * br); i++) {
      for (let j = bj * bc; j < Math.min(cols, (bj + 1) * bc); j++) v[i * cols + j] = nonZeroInt8(rng);
    }
  }
  return v;
}

/** Unit-pruned values: whole rows and columns zero. */
export function unitSparse(
  rng: Rng,
  rows: number,
  cols: number,
  rowKeep: number,
  colKeep: number,
): Int8Array {
  const v = new Int8Array(rows * cols);
  const rs = new Set(rng.sample(rows, rowKeep));
  const cs = new Set(rng.sample(cols, colKeep));
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) if (rs.has(i) && cs.has(j)) v[i * cols + j] = nonZeroInt8(rng);
  return v;
}

function scales(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.uniform(1e-4, 0.05));
}

function weight(
  name: string,
  shape: number[],
  values: Int8Array,
  rng: Rng,
  extra: Partial<Int8Tensor> = {},
): Int8Tensor {
  const perChannel = rng.next() < 0.5 && shape.length > 0;
  const n = perChannel ? shape[shape.length - 1] : 1;
  return { name, shape, values, scales: scales(rng, n), zeroPoints: new Int32Array(n), ...extra };
}

/** A model exercising dense, bitmask, CSR, block-CSR and units encodings plus edge cases. */
export function fixtureModel(seed: number | string = 1): Int8Model {
  const rng = createRng(seed);
  const nanWithPayload = new Float32Array(new Uint32Array([0x7fc0_1234]).buffer)[0];
  return {
    weights: [
      weight('dense.kernel', [16, 24], unstructured(rng, 16, 24, 0), rng),
      weight('weight90.kernel', [64, 48], unstructured(rng, 64, 48, 0.9), rng, { structure: 'weight' }),
      weight('weight50.kernel', [40, 33], unstructured(rng, 40, 33, 0.5), rng, { structure: 'weight' }),
      weight('weight99.kernel', [300, 300], unstructured(rng, 300, 300, 0.99), rng, { structure: 'weight' }),
      weight('block8.kernel', [64, 64], blockSparse(rng, 64, 64, 8, 8, 0.8), rng, {
        structure: 'block',
        block: [8, 8],
      }),
      weight('block1x16.kernel', [32, 64], blockSparse(rng, 32, 64, 1, 16, 0.7), rng, {
        structure: 'block',
        block: [1, 16],
      }),
      // rank 4 (conv) with a block shape that does not divide the 2-D view: edge blocks.
      weight('conv.kernel', [3, 3, 5, 12], blockSparse(rng, 45, 12, 4, 5, 0.6), rng, {
        structure: 'block',
        block: [4, 5],
      }),
      weight('unit.kernel', [32, 20], unitSparse(rng, 32, 20, 20, 9), rng, { structure: 'unit' }),
      weight('allzero.kernel', [10, 10], new Int8Array(100), rng),
      weight('empty.kernel', [0, 5], new Int8Array(0), rng),
      weight('vector', [7], unstructured(rng, 1, 7, 0.3), rng),
      weight('scalar', [], Int8Array.of(-127), rng),
      {
        name: 'asym.kernel',
        shape: [4, 3],
        values: Int8Array.from([1, -128, 127, 0, 0, 5, -3, 0, 2, 9, 0, 0]),
        scales: Float32Array.of(0.5, 0.25, 0.125),
        zeroPoints: Int32Array.of(3, -7, 0),
      },
    ],
    floats: [
      { name: 'dense.bias', shape: [24], values: Float32Array.from({ length: 24 }, () => rng.normal()) },
      {
        name: 'odd',
        shape: [2, 3],
        values: Float32Array.of(-0, Number.POSITIVE_INFINITY, nanWithPayload, 1e-45, -3.5, 0),
      },
      { name: 'ünïcode/名前', shape: [], values: Float32Array.of(Math.PI) },
    ],
    activations: [
      { name: 'lstm1.input', bits: 8, scale: 0.1, zeroPoint: -12 },
      { name: 'lstm1.cell', bits: 16, scale: 2 ** -11, zeroPoint: 0 },
    ],
  };
}
