import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { initBackend, LabFormatError, LabInputError } from '@lab/core';
import { expectNoLeaks } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { accelerators } from '../src/accelerators.js';
import { encodeWeights, resolveBrickOrder } from '../src/encodeWeights.js';
import { decodeWeights } from '../src/weightEncoding/decodeWeights.js';
import { mlwDecode } from '../src/weightEncoding/mlwDecode.js';
import { mlwEncode } from '../src/weightEncoding/mlwEncode.js';
import { brickOrderIndex, reorderWeights } from '../src/weightEncoding/reorderWeights.js';
import { type SyntheticWeightsOptions, syntheticWeights } from '../src/weightEncoding/syntheticWeights.js';

interface VelaVector {
  id: string;
  generator: Omit<SyntheticWeightsOptions, 'shape'> & { shape: [number, number] };
  order: { ofmBlockDepth: number; ofmUblockDepth: number; ifmUblockDepth: number };
  weightsSha256: string;
  velaBytes: number;
  velaPaddedLength: number;
  velaStreamSha256: string;
}

interface VelaApiVector {
  id: string;
  weights: string;
  accelerator: string;
  velaOrder: { ofmBlockDepth: number; ofmUblockDepth: number; ifmUblockDepth: number; cores: number };
  ofmDepthStep?: number;
  usesDefaultBlockDepth?: boolean;
  compactZeroRows?: boolean;
  velaBytes: number;
  velaParts: number;
  velaStreamSha256: string;
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/vela-vectors.json', import.meta.url), 'utf8'),
) as {
  vectors: VelaVector[];
  velaApiVectors: VelaApiVector[];
};
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The acceptance bound: within 5% of Vela's byte count (we expect exact equality). */
const VELA_REL_TOL = 0.05;

function checkVector(v: VelaVector): void {
  const w = syntheticWeights(v.generator);
  // the generator must reproduce the exact weights Vela encoded
  expect(sha256(new Uint8Array(w.buffer, w.byteOffset, w.byteLength))).toBe(v.weightsSha256);
  const r = encodeWeights(w, v.generator.shape, { name: 'fixture', ...v.order });
  expect(Math.abs(r.byteCount - v.velaBytes) / v.velaBytes).toBeLessThanOrEqual(VELA_REL_TOL);
  expect(r.byteCount).toBe(v.velaBytes);
  expect(r.parts[0]?.paddedValues).toBe(v.velaPaddedLength);
  expect(sha256(r.stream)).toBe(v.velaStreamSha256);
  // lossless: the stream decodes back to the weights
  const back = decodeWeights(r.stream, v.generator.shape, { name: 'fixture', ...v.order });
  let mismatches = back.length === w.length ? 0 : 1;
  for (let i = 0; i < w.length; i++) if (back[i] !== w[i]) mismatches++;
  expect(mismatches).toBe(0);
}

beforeAll(async () => {
  await initBackend();
});

describe('encodeWeights vs Vela mlw_codec (test/fixtures/vela-vectors.json)', () => {
  for (const v of fixture.vectors) {
    it(`${v.id}: same bytes as Vela (${v.velaBytes} B)`, () => checkVector(v));
  }
});

describe("encodeWeights vs Vela's Python API (accelerator presets, depth slices, cores)", () => {
  const cache = new Map<string, { w: Int8Array; shape: [number, number] }>();
  const weightsOf = (id: string): { w: Int8Array; shape: [number, number] } => {
    let hit = cache.get(id);
    if (!hit) {
      const v = fixture.vectors.find((x) => x.id === id) as VelaVector;
      hit = { w: syntheticWeights(v.generator), shape: v.generator.shape };
      cache.set(id, hit);
    }
    return hit;
  };
  for (const v of fixture.velaApiVectors) {
    it(`${v.id}: same bytes as Vela (${v.velaBytes} B in ${v.velaParts} parts)`, () => {
      let { w, shape } = weightsOf(v.weights);
      if (v.compactZeroRows) {
        const [out, inp] = shape;
        const kept: Int8Array[] = [];
        for (let r = 0; r < out; r++) {
          const row = w.subarray(r * inp, (r + 1) * inp);
          if (row.some((x) => x !== 0)) kept.push(row);
        }
        const c = new Int8Array(kept.length * inp);
        for (const [i, row] of kept.entries()) c.set(row, i * inp);
        w = c;
        shape = [kept.length, inp];
      }
      const opts = v.ofmDepthStep ? { ofmDepthStep: v.ofmDepthStep } : {};
      const preset = accelerators[v.accelerator] as (typeof accelerators)[string];
      expect(preset).toBeDefined();
      // default-block vectors: the preset as it is (DEFAULT_OFM_BLOCK_DEPTH = Vela's FC block depth)
      const acc = v.usesDefaultBlockDepth ? preset : { name: v.accelerator, ...v.velaOrder };
      const r = encodeWeights(w, shape, acc, opts);
      expect(Math.abs(r.byteCount - v.velaBytes) / v.velaBytes).toBeLessThanOrEqual(VELA_REL_TOL);
      expect(r.byteCount).toBe(v.velaBytes);
      expect(r.parts.length).toBe(v.velaParts);
      expect(sha256(r.stream)).toBe(v.velaStreamSha256);
      // the package preset for this accelerator resolves to Vela's micro-block depths and cores
      const order = resolveBrickOrder(
        v.usesDefaultBlockDepth ? preset : { ...preset, ofmBlockDepth: v.velaOrder.ofmBlockDepth },
      );
      expect(order).toEqual(v.velaOrder);
    });
  }
});

describe('brick order', () => {
  it('is a permutation of the matrix plus zero padding, micro-block by micro-block', () => {
    const out = 20;
    const inp = 40;
    const idx = brickOrderIndex(
      Array.from({ length: out }, (_, i) => i),
      inp,
      { ofmBlockDepth: 16, ofmUblockDepth: 8, ifmUblockDepth: 8 },
    );
    // blocks: ofm 16 + 4 (ublocks 2 + 1), ifm blocks 2 of 32 -> (2 + 1) ublocks * 8 * 32 * 2
    expect(idx.length).toBe(3 * 8 * 32 * 2);
    const seen = new Set<number>();
    for (const k of idx) if (k >= 0) seen.add(k);
    expect(seen.size).toBe(out * inp);
    expect(Array.from(idx).filter((k) => k >= 0).length).toBe(out * inp);
    // first micro-block: outputs 0..7 x inputs 0..7, output-major
    expect(Array.from(idx.subarray(0, 16))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 40, 41, 42, 43, 44, 45, 46, 47]);
    // second micro-block: outputs 0..7 x inputs 8..15
    expect(idx[64]).toBe(8);
  });

  it('reorderWeights copies values at brickOrderIndex positions', () => {
    const w = Int8Array.from({ length: 12 * 9 }, (_, i) => (i % 251) - 125);
    const rows = Array.from({ length: 12 }, (_, i) => i);
    const order = { ofmBlockDepth: 8, ofmUblockDepth: 4, ifmUblockDepth: 8 };
    const r = reorderWeights(w, rows, 9, order);
    const idx = brickOrderIndex(rows, 9, order);
    for (let k = 0; k < idx.length; k++) expect(r[k]).toBe((idx[k] as number) >= 0 ? w[idx[k] as number] : 0);
  });
});

describe('encodeWeights properties', () => {
  const acc = { name: 'Ethos-U55-128', macsPerCycle: 128 };

  it('is deterministic and does not modify its input', () => {
    const w = syntheticWeights({ shape: [64, 128], structure: 'unstructured', sparsity: 0.7, seed: 11 });
    const copy = w.slice();
    const a = encodeWeights(w, [64, 128], acc);
    const b = encodeWeights(w, [64, 128], acc);
    expect(a.stream).toEqual(b.stream);
    expect(w).toEqual(copy);
    expect(a.byteCount % 16).toBe(0);
    expect(a.byteCount).toBe(a.stream.length);
  });

  it('stream is smaller with more unstructured zeros (monotone in sparsity)', () => {
    let prev = Number.POSITIVE_INFINITY;
    for (const s of [0, 0.3, 0.5, 0.7, 0.9, 0.95, 0.98]) {
      const w = syntheticWeights({ shape: [128, 256], structure: 'unstructured', sparsity: s, seed: 3 });
      const bytes = encodeWeights(w, [128, 256], acc).byteCount;
      expect(bytes).toBeLessThan(prev);
      prev = bytes;
    }
  });

  it('bit accounting adds up to the stream size', () => {
    for (const structure of ['dense', 'unstructured', 'block8x8', 'unit'] as const) {
      const w = syntheticWeights({ shape: [96, 160], structure, sparsity: 0.8, seed: 5 });
      const r = encodeWeights(w, [96, 160], acc, { ofmDepthStep: 32 });
      const s = r.stats;
      const bits =
        s.headerBits +
        s.paletteBits +
        s.weightUnaryBits +
        s.weightRemainderBits +
        s.zeroRunUnaryBits +
        s.zeroRunRemainderBits +
        s.paddingBits;
      expect(bits).toBe(r.byteCount * 8);
      expect(r.parts.length).toBe(3);
      expect(r.parts.reduce((a, p) => a + p.bytes, 0)).toBe(r.byteCount);
    }
  });

  it('all-zero matrix: one zero-run whose unary part dominates (largest run divisor is 2^3)', () => {
    const r = encodeWeights(new Int8Array(256 * 256), [256, 256], acc);
    // one coded zero, then a run of 65535 zeros: quotient 65535 >> 3 = 8191 unary ones
    expect(r.byteCount * 8).toBeGreaterThanOrEqual(8191);
    // plus headers, remainders, chunk alignment of the last unary word and 16-byte padding
    expect(r.byteCount * 8).toBeLessThan(8191 + 256);
    expect(r.stats.zeroRunUnaryBits).toBeGreaterThanOrEqual(8192);
    expect(r.sparsity).toBe(1);
    expect(decodeWeights(r.stream, [256, 256], acc)).toEqual(new Int8Array(256 * 256));
  });

  it('uniform weights fall back to uncompressed slices; 4-bit weights use a palette', () => {
    const u = syntheticWeights({ shape: [64, 256], structure: 'dense', distribution: 'uniform', seed: 1 });
    const ru = encodeWeights(u, [64, 256], acc);
    expect(ru.stats.uncompressedSlices).toBeGreaterThan(0);
    expect(ru.compressionRatio).toBeLessThan(1.01);
    const q4 = syntheticWeights({ shape: [64, 256], structure: 'dense', bits: 4, seed: 1 });
    const r4 = encodeWeights(q4, [64, 256], acc);
    expect(r4.stats.paletteBits).toBeGreaterThan(0);
    expect(r4.compressionRatio).toBeGreaterThan(2);
  });

  it('round-trips through the decoder with parts, cores and the U55-32 micro-block', () => {
    const w = syntheticWeights({ shape: [70, 100], structure: 'block8x8', sparsity: 0.6, seed: 9 });
    for (const [a, o] of [
      [{ name: 'U65-512', macsPerCycle: 512, cores: 2, ofmBlockDepth: 32 }, { ofmDepthStep: 32 }],
      [{ name: 'U55-32', macsPerCycle: 32 }, {}],
      [{ name: 'U55-256', ofmBlockDepth: 64 }, { ofmDepthStep: 16 }],
    ] as const) {
      const r = encodeWeights(w, [70, 100], a, o);
      expect(decodeWeights(r.stream, [70, 100], a, o)).toEqual(w);
    }
    const r2 = encodeWeights(w, [70, 100], { name: 'U65-512', cores: 2 });
    expect(new Set(r2.parts.map((p) => p.core))).toEqual(new Set([0, 1]));
  });

  it('takes the package accelerator presets (micro-block depth, cores) as they are', () => {
    expect(
      resolveBrickOrder(accelerators['ethos-u55-32'] as (typeof accelerators)[string]).ofmUblockDepth,
    ).toBe(4);
    expect(
      resolveBrickOrder(accelerators['ethos-u55-128'] as (typeof accelerators)[string]).ofmUblockDepth,
    ).toBe(8);
    expect(resolveBrickOrder(accelerators['ethos-u65-512'] as (typeof accelerators)[string]).cores).toBe(2);
    const w = syntheticWeights({ shape: [40, 48], structure: 'unstructured', sparsity: 0.5, seed: 4 });
    for (const a of Object.values(accelerators)) {
      const r = encodeWeights(w, [40, 48], a);
      expect(decodeWeights(r.stream, [40, 48], a)).toEqual(w);
    }
  });

  it('raw codec round-trips values in [-255, 255]', () => {
    const vals = Int16Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? ((i * 37) % 511) - 255 : 0));
    const { stream } = mlwEncode(vals);
    const d = mlwDecode(stream);
    expect(d.values).toEqual(vals);
    expect(d.bytes).toBe(stream.length);
  });

  it('has no tensor leaks (pure typed-array code)', async () => {
    const w = syntheticWeights({ shape: [16, 32], structure: 'unit', sparsity: 0.5, seed: 1 });
    await expectNoLeaks(() => encodeWeights(w, [16, 32], acc));
  });
});

describe('input checks', () => {
  const acc = { name: 'x' };
  const w = new Int8Array(8 * 16);

  it('rejects bad shapes and lengths', () => {
    expect(() => encodeWeights(w, [8, 15], acc)).toThrow(LabInputError);
    expect(() => encodeWeights(w, [0, 16] as [number, number], acc)).toThrow(/shape\[0\]/);
    expect(() => encodeWeights(w, [8.5, 16] as [number, number], acc)).toThrow(LabInputError);
    expect(() => encodeWeights(w, [8] as unknown as [number, number], acc)).toThrow(/'shape'/);
  });

  it('rejects non-int8 values and non-arrays', () => {
    const bad = Array.from({ length: 8 * 16 }, () => 0);
    bad[5] = 128;
    expect(() => encodeWeights(bad as unknown as Int8Array, [8, 16], acc)).toThrow(/weights\[5\]/);
    bad[5] = 0.5;
    expect(() => encodeWeights(bad as unknown as Int8Array, [8, 16], acc)).toThrow(LabInputError);
    bad[5] = -3;
    expect(encodeWeights(bad as unknown as Int8Array, [8, 16], acc).byteCount).toBeGreaterThan(0);
    expect(() => encodeWeights('abc' as unknown as Int8Array, [1, 3], acc)).toThrow(/'weights'/);
  });

  it('rejects bad accelerator fields and options', () => {
    expect(() => encodeWeights(w, [8, 16], { name: 'x', ofmBlockDepth: 0 })).toThrow(/ofmBlockDepth/);
    expect(() => encodeWeights(w, [8, 16], { name: 'x', ifmUblockDepth: 5 })).toThrow(/ifmUblockDepth/);
    expect(() => encodeWeights(w, [8, 16], null as unknown as { name: string })).toThrow(/'accelerator'/);
    expect(() => encodeWeights(w, [8, 16], acc, { ofmDepthStep: -1 })).toThrow(/ofmDepthStep/);
  });

  it('decoder rejects truncated, corrupted and mismatched streams', () => {
    const ws = syntheticWeights({ shape: [32, 64], structure: 'unstructured', sparsity: 0.5, seed: 2 });
    const r = encodeWeights(ws, [32, 64], acc);
    expect(() => decodeWeights(r.stream.subarray(0, r.byteCount - 32), [32, 64], acc)).toThrow(LabInputError);
    expect(() => decodeWeights(r.stream, [64, 64], acc)).toThrow(LabInputError);
    const longer = new Uint8Array(r.byteCount + 16);
    longer.set(r.stream);
    expect(() => decodeWeights(longer, [32, 64], acc)).toThrow(/must end/);
  });

  it('decoder accepts a Node Buffer and an odd-offset subarray', () => {
    const ws = syntheticWeights({ shape: [24, 40], structure: 'unstructured', sparsity: 0.6, seed: 4 });
    const r = encodeWeights(ws, [24, 40], acc);
    const pooled = Buffer.concat([Buffer.from([1]), Buffer.from(r.stream)]).subarray(1);
    expect(pooled.byteOffset % 2).toBe(1);
    expect(decodeWeights(pooled, [24, 40], acc)).toEqual(ws);
    const host = new Uint8Array(r.stream.length + 3);
    host.set(r.stream, 3);
    expect(decodeWeights(host.subarray(3), [24, 40], acc)).toEqual(ws);
  });

  it('decoder checks a claimed shape against the bytes present before allocating', () => {
    // The report: an 80-byte stream claiming [46341, 46341] (2^31 values) took 97 s and 8 GB.
    const stream = new Uint8Array(80);
    const huge = () => decodeWeights(stream, [46341, 46341], acc);
    expect(huge).toThrow(LabFormatError);
    expect(huge).toThrow(/must hold at least/);
    // Enough bytes for the shape but more elements than maxElements.
    expect(() => decodeWeights(new Uint8Array(4096), [1024, 1024], acc, { maxElements: 1000 })).toThrow(
      /maxElements/,
    );
    // Within the per-byte bound but far more than the stream codes: the decoder stops early.
    const small = encodeWeights(new Int8Array(64 * 64), [64, 64], acc).stream;
    expect(() => decodeWeights(small, [640, 64], acc)).toThrow(LabFormatError);
    // A hostile zero run cannot make one part decode past its share.
    expect(() => mlwDecode(small, 100)).toThrow(/more than 100 values/);
  });

  it('decoder type-checks options (null, wrong types, unknown keys)', () => {
    const r = encodeWeights(new Int8Array(8 * 16), [8, 16], acc);
    expect(() => decodeWeights(r.stream, [8, 16], acc, null as never)).toThrow(LabInputError);
    expect(() => decodeWeights(r.stream, [8, 16], acc, { ofmDepthStep: '4' as never })).toThrow(
      /options.ofmDepthStep/,
    );
    expect(() => decodeWeights(r.stream, [8, 16], acc, { ofmStep: 4 } as never)).toThrow(/not an option/);
    expect(() => decodeWeights([1, 2] as never, [8, 16], acc)).toThrow(/'stream'/);
  });
});

describe('syntheticWeights', () => {
  it('prunes the requested structure and fraction', () => {
    const shape: [number, number] = [64, 96];
    const u = syntheticWeights({ shape, structure: 'unit', sparsity: 0.25, seed: 1 });
    let zeroRows = 0;
    for (let r = 0; r < 64; r++) if (u.subarray(r * 96, (r + 1) * 96).every((v) => v === 0)) zeroRows++;
    expect(zeroRows).toBe(16);
    const b = syntheticWeights({ shape, structure: 'block8x8', sparsity: 0.5, seed: 1 });
    let zeroBlocks = 0;
    for (let br = 0; br < 8; br++) {
      for (let bc = 0; bc < 12; bc++) {
        let all = true;
        for (let r = 0; r < 8; r++)
          for (let c = 0; c < 8; c++) all &&= b[(br * 8 + r) * 96 + bc * 8 + c] === 0;
        if (all) zeroBlocks++;
      }
    }
    expect(zeroBlocks).toBe(48);
    const s = syntheticWeights({ shape, structure: 'unstructured', sparsity: 0.9, seed: 1 });
    // pruned count is exact; a few kept weights may also round to zero
    expect(s.filter((v) => v === 0).length).toBeGreaterThanOrEqual(Math.round(0.9 * 64 * 96));
    expect(Math.max(...Array.from(s, Math.abs))).toBe(127);
  });

  it('rejects bad options', () => {
    expect(() =>
      syntheticWeights({ shape: [4, 4], structure: 'unstructured', sparsity: 1, seed: 1 }),
    ).toThrow(LabInputError);
    expect(() => syntheticWeights({ shape: [4, 4], structure: 'nope' as 'dense', seed: 1 })).toThrow(
      /structure/,
    );
    expect(() => syntheticWeights({ shape: [4, 4], structure: 'dense', bits: 9, seed: 1 })).toThrow(/bits/);
  });
});
