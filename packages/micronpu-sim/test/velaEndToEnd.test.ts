import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { initBackend } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type NpuOp,
  type SystemConfig,
  type WeightStructure,
  type WeightBytesFn,
  dtlnModel,
  encodedWeightBytes,
  estimateModel,
  syntheticWeights,
  systemFor,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

interface VelaOp {
  name: string;
  nng: string;
  cycles: number;
  npu: number;
  sram: number;
  flash: number;
  macs: number;
}
interface Fixture {
  weightSets: {
    name: string;
    shape: [number, number];
    structure: WeightStructure;
    sparsity?: number;
    seed: string;
    sha256: string;
  }[];
  configs: Record<
    string,
    {
      accelerator: string;
      ourPreset: string;
      models: Record<string, { totals: { total: number }; ops: VelaOp[] }>;
    }
  >;
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/vela-e2e.json', import.meta.url), 'utf8'),
) as Fixture;
// The acceptance band for cycles vs Vela's estimates.
const VELA_REL_TOL = 0.15;

const weights = new Map<string, Int8Array>();
function W(name: string): Int8Array {
  const hit = weights.get(name);
  if (hit) return hit;
  const s = fixture.weightSets.find((x) => x.name === name);
  if (!s) throw new Error(`no weight set ${name}`);
  const w = syntheticWeights({ shape: s.shape, structure: s.structure, sparsity: s.sparsity, seed: s.seed });
  weights.set(name, w);
  return w;
}
const fc = (name: string, w: string, out: number, inn: number): NpuOp => ({
  kind: 'FullyConnected',
  name,
  shape: [out, inn],
  weights: W(w),
});

/** The models Vela compiled (see the fixture's recipe), as our model description. */
const models: Record<string, () => NpuOp[]> = {
  'fc-dense': () => [fc('y', 'fc512x1024-dense', 512, 1024)],
  'fc-u90': () => [fc('y', 'fc512x1024-unstructured-90', 512, 1024)],
  'fc-b90': () => [fc('y', 'fc512x1024-block8x8-90', 512, 1024)],
  conv: () => [
    {
      kind: 'Conv2D',
      name: 'y',
      inputShape: [16, 16, 32],
      weightShape: [64, 3, 3, 32],
      weights: W('conv3x3-64x288'),
    },
  ],
  dw16: () => [
    {
      kind: 'DepthwiseConv2D',
      name: 'y',
      inputShape: [16, 16, 16],
      weightShape: [3, 3, 16],
      weights: W('dw3x3-9x16'),
    },
  ],
  dw64: () => [
    {
      kind: 'DepthwiseConv2D',
      name: 'y',
      inputShape: [32, 32, 64],
      weightShape: [3, 3, 64],
      weights: W('dw3x3-9x64'),
    },
  ],
  chain: () => [fc('h', 'chain-256x512', 256, 512), fc('y', 'chain-128x256', 128, 256)],
  lstm: () => [
    ...['i', 'f', 'g', 'o'].flatMap((k): NpuOp[] => [
      fc(`${k}x`, `lstm-x-${k}`, 128, 257),
      fc(`${k}h`, `lstm-h-${k}`, 128, 128),
      { kind: 'Add', name: `${k}s`, size: 128, dtype: 'int8', activation: k === 'g' ? 'tanh' : 'sigmoid' },
    ]),
    { kind: 'Mul', name: 'fc', size: 128, dtype: 'int8' },
    { kind: 'Mul', name: 'ig', size: 128, dtype: 'int8' },
    { kind: 'Add', name: 'c2', size: 128, dtype: 'int8' },
    { kind: 'Activation', name: 'tc_lut_tanh', fn: 'tanh', size: 128, dtype: 'int8' },
    { kind: 'Mul', name: 'h2', size: 128, dtype: 'int8' },
  ],
};

/**
 * Known per-op deviations beyond the band, and why (the totals are still inside it).
 * c2 (the new cell state) is a graph output in the middle of the op sequence: Vela writes it
 * NHWC (half-width write bursts), we treat only the last op's output as NHWC.
 */
const SRAM_EXCEPTIONS = new Set(['lstm/c2']);

const cases = Object.entries(fixture.configs).flatMap(([cfg, c]) =>
  Object.keys(c.models)
    .filter(() => cfg !== 'u65')
    .filter((m) => models[m])
    .map((m) => [cfg, m] as const),
);
const lstm = (name: string, inputSize: number, wx: string, wh: string): NpuOp => ({
  kind: 'LSTM',
  name,
  inputSize,
  hiddenSize: 128,
  inputWeights: W(wx),
  recurrentWeights: W(wh),
});
/** TFLite UNIDIRECTIONAL_SEQUENCE_LSTM models Vela lowered itself, vs our LSTM op's expansion. */
const tfliteLstms: Record<string, () => NpuOp[]> = {
  ulstm: () => [lstm('l1', 257, 'ulstm-x', 'ulstm-h')],
  ulstm2: () => [lstm('l1', 257, 'ulstm-x', 'ulstm-h'), lstm('l2', 128, 'ulstm2-x', 'ulstm2-h')],
};
const lstmCases = Object.entries(fixture.configs).flatMap(([cfg, c]) =>
  Object.keys(tfliteLstms)
    .filter(() => cfg !== 'u65')
    .filter((m) => c.models[m])
    .map((m) => [cfg, m] as const),
);
const systemOf = (cfg: string): SystemConfig => {
  const c = fixture.configs[cfg];
  if (!c) throw new Error(cfg);
  return systemFor(c.ourPreset, c.accelerator);
};
const rel = (a: number, b: number): number => Math.abs(a / b - 1);
// Encoded sizes memoised across configurations with the same accelerator (the encoder dominates).
const encodedCache = new Map<string, number>();
const weightBytes: WeightBytesFn = (w, shape, acc) => {
  const key = `${acc.name}/${[...weights.entries()].find(([, v]) => v === w)?.[0] ?? 'x'}/${w.byteOffset}/${w.length}`;
  const hit = encodedCache.get(key);
  if (hit !== undefined) return hit;
  const n = encodedWeightBytes(w, shape, acc);
  encodedCache.set(key, n);
  return n;
};

describe('whole models vs Vela compiled end to end (U55-256 High-End, U55-128 Deep Embedded / High-End)', () => {
  it('regenerates the exact weights Vela compiled', () => {
    for (const s of fixture.weightSets) {
      expect(createHash('sha256').update(W(s.name)).digest('hex'), s.name).toBe(s.sha256);
    }
  });

  it.each(cases)('%s %s: total and per-op cycles within 15%%', (cfg, m) => {
    const vela = fixture.configs[cfg]?.models[m];
    const build = models[m];
    if (!vela || !build) throw new Error(`${cfg}/${m}`);
    const r = estimateModel({ name: m, ops: build() }, systemOf(cfg), { weightBytes });
    expect(rel(r.totals.cycles, vela.totals.total)).toBeLessThan(VELA_REL_TOL);
    expect(r.ops.length).toBe(vela.ops.length);
    for (const o of r.ops) {
      const v = vela.ops.find((x) => x.name === o.name);
      if (!v) throw new Error(`Vela has no op ${o.name}`);
      expect(o.macs, o.name).toBe(v.macs);
      expect(rel(o.cycles, v.cycles), `${o.name} cycles ${o.cycles} vs ${v.cycles}`).toBeLessThan(
        VELA_REL_TOL,
      );
      // Vela's NPU column includes the DMA waits (LUT, first weight slice).
      const npu = o.computeCycles + o.dmaStallCycles;
      expect(rel(npu, v.npu), `${o.name} npu ${npu} vs ${v.npu}`).toBeLessThan(VELA_REL_TOL);
      if (!SRAM_EXCEPTIONS.has(`${m}/${o.name}`)) {
        expect(rel(o.sramCycles, v.sram), `${o.name} sram ${o.sramCycles} vs ${v.sram}`).toBeLessThan(
          VELA_REL_TOL,
        );
      }
      // FC weights stream straight from flash; conv/depthwise weights are DMA'd (Vela counts
      // that transfer in its NPU column, not as flash access).
      if (o.kind === 'FullyConnected') {
        expect(rel(o.offChipCycles, v.flash), `${o.name} flash`).toBeLessThan(VELA_REL_TOL);
      } else {
        expect(v.flash).toBe(0);
      }
    }
  });

  it.each(lstmCases)(
    '%s %s: TFLite int8 LSTM as Vela lowers it vs our LSTM op: total and FC cycles within 15%%',
    (cfg, m) => {
      const vela = fixture.configs[cfg]?.models[m];
      const build = tfliteLstms[m];
      if (!vela || !build) throw new Error(`${cfg}/${m}`);
      const r = estimateModel({ name: m, ops: build() }, systemOf(cfg), { weightBytes });
      expect(rel(r.totals.cycles, vela.totals.total)).toBeLessThan(VELA_REL_TOL);
      expect(r.totals.macs).toBe(vela.ops.reduce((a, o) => a + (o.nng === 'FullyConnected' ? o.macs : 0), 0));
      const fcOurs = r.ops.filter((o) => o.kind === 'FullyConnected');
      const fcVela = vela.ops.filter((o) => o.nng === 'FullyConnected');
      expect(fcOurs.length).toBe(fcVela.length);
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      expect(rel(sum(fcOurs.map((o) => o.cycles)), sum(fcVela.map((o) => o.cycles)))).toBeLessThan(
        VELA_REL_TOL,
      );
      // The elementwise rest is ~30% below Vela's (it also copies the states with two AvgPools
      // and runs tanh(c) as an AvgPool at 2 cycles per element); it is < 2% of the total.
      const ewVela = vela.totals.total - sum(fcVela.map((o) => o.cycles));
      expect(ewVela / vela.totals.total).toBeLessThan(0.02);
    },
  );

  it.each(['he256', 'de256', 'de128', 'he128'])(
    '%s: the DTLN-sized model (dtlnModel seed 1) compiled whole by Vela: total and FC cycles within 15%%',
    (cfg) => {
      const vela = fixture.configs[cfg]?.models.dtln;
      if (!vela) throw new Error(cfg);
      const model = dtlnModel({ seed: 1 });
      const r = estimateModel(model, systemOf(cfg), { weightBytes });
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      const fcVela = vela.ops.filter((o) => o.nng === 'FullyConnected');
      const fcOurs = r.ops.filter((o) => o.kind === 'FullyConnected');
      expect(fcOurs.length).toBe(fcVela.length);
      expect(sum(fcOurs.map((o) => o.macs))).toBe(sum(fcVela.map((o) => o.macs)));
      expect(rel(sum(fcOurs.map((o) => o.cycles)), sum(fcVela.map((o) => o.cycles)))).toBeLessThan(
        VELA_REL_TOL,
      );
      expect(rel(r.totals.cycles, vela.totals.total)).toBeLessThan(VELA_REL_TOL);
    },
  );

  it.each(['fc-dense', 'fc-u90', 'conv', 'dw16', 'dw64', 'chain', 'ulstm', 'dtln'])(
    'U65-512 High-End (weights in DRAM): %s total within 15%%, FC DRAM cycles (conv: SRAM) too',
    (m) => {
      const vela = fixture.configs.u65?.models[m] as
        | { totals: { total: number }; ops: (VelaOp & { dram: number })[] }
        | undefined;
      const build =
        models[m] ?? tfliteLstms[m] ?? (m === 'dtln' ? () => [...dtlnModel({ seed: 1 }).ops] : undefined);
      if (!vela || !build) throw new Error(m);
      const r = estimateModel({ name: m, ops: build() }, systemOf('u65'), { weightBytes });
      expect(rel(r.totals.cycles, vela.totals.total)).toBeLessThan(VELA_REL_TOL);
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      const fcV = vela.ops.filter((o) => o.nng === 'FullyConnected');
      const fcO = r.ops.filter((o) => o.kind === 'FullyConnected');
      if (fcV.length > 0) {
        // SRAM is not compared for FCs here: on two cores Vela splits a <= 128-output FC into two
        // 64-deep blocks (the IFM is read twice; 24 vs our 16 cycles), which we do not model.
        expect(rel(sum(fcO.map((o) => o.offChipCycles)), sum(fcV.map((o) => o.dram)))).toBeLessThan(
          VELA_REL_TOL,
        );
      } else {
        expect(rel(r.totals.sramCycles, sum(vela.ops.map((o) => o.sram)))).toBeLessThan(VELA_REL_TOL);
      }
    },
  );

  it('sparse weights: same compute, flash-bound speedups as Vela (U55-256 High-End)', () => {
    const v = fixture.configs.he256?.models;
    const sys = systemOf('he256');
    const ours = (m: string) =>
      estimateModel({ name: m, ops: (models[m] as () => NpuOp[])() }, sys, { weightBytes }).totals;
    const dense = ours('fc-dense');
    for (const m of ['fc-u90', 'fc-b90']) {
      const velaSpeedup = (v?.['fc-dense']?.totals.total ?? 0) / (v?.[m]?.totals.total ?? 1);
      const t = ours(m);
      expect(t.computeCycles).toBe(dense.computeCycles);
      expect(rel(dense.cycles / t.cycles, velaSpeedup)).toBeLessThan(VELA_REL_TOL);
    }
  });
});
