import { readFileSync } from 'node:fs';
import { initBackend } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type NpuModel, type NpuOp, estimateModel, systemFor } from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

interface VelaOp {
  acc: string;
  id: string;
  macs: number;
  cycles: number;
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/vela-performance.json', import.meta.url), 'utf8'),
) as {
  ops: VelaOp[];
};
// The acceptance band for cycles vs Vela's estimates.
const VELA_REL_TOL = 0.15;

function opFor(id: string): NpuOp {
  let m = /^fc-(\d+)x(\d+)$/.exec(id);
  if (m) {
    const out = Number(m[1]);
    const inn = Number(m[2]);
    return { kind: 'FullyConnected', name: id, shape: [out, inn], weights: new Int8Array(out * inn) };
  }
  m = /^conv(\d)x\d-(\d+)x(\d+)x(\d+)-(\d+)$/.exec(id);
  if (m) {
    const [k, h, w, c, o] = m.slice(1).map(Number) as [number, number, number, number, number];
    return {
      kind: 'Conv2D',
      name: id,
      inputShape: [h, w, c],
      weightShape: [o, k, k, c],
      weights: new Int8Array(o * k * k * c),
      weightPlacement: 'sram',
    };
  }
  m = /^ew-(Add|Mul|Sigmoid|Tanh)(\+Sigmoid)?-(\d+)-int(8|16)$/.exec(id);
  if (m) {
    const size = Number(m[3]);
    const dtype = m[4] === '16' ? 'int16' : 'int8';
    if (m[1] === 'Add' || m[1] === 'Mul') {
      return { kind: m[1], name: id, size, dtype, ...(m[2] ? { activation: 'sigmoid' as const } : {}) };
    }
    return { kind: 'Activation', name: id, fn: m[1] === 'Sigmoid' ? 'sigmoid' : 'tanh', size, dtype };
  }
  m = /^dw(\d)x\d-(\d+)x(\d+)x(\d+)$/.exec(id);
  if (m) {
    const [k, h, w, c] = m.slice(1).map(Number) as [number, number, number, number];
    return {
      kind: 'DepthwiseConv2D',
      name: id,
      inputShape: [h, w, c],
      weightShape: [k, k, c],
      weights: new Int8Array(k * k * c),
      weightPlacement: 'sram',
    };
  }
  throw new Error(`unknown fixture op ${id}`);
}

const compute = (acc: string, ops: NpuOp[]): { cycles: number; macs: number } => {
  const model: NpuModel = { name: 'v', ops };
  const r = estimateModel(model, systemFor('u55-high-end', acc), { weightBytes: (w) => w.length });
  return { cycles: r.totals.computeCycles, macs: r.totals.macs };
};

describe("compute cycles vs Vela's performance model (U55-128 / U55-256)", () => {
  const supported = fixture.ops;
  it.each(supported.map((o) => [o.acc, o.id, o] as const))('%s %s within 15%%', (acc, _id, o) => {
    const ours = compute(acc, [opFor(o.id)]);
    expect(ours.macs).toBe(o.macs);
    expect(Math.abs(ours.cycles / o.cycles - 1)).toBeLessThan(VELA_REL_TOL);
  });

  it.each(['ethos-u55-128', 'ethos-u55-256'])(
    '%s: one LSTM(128) step on 257 inputs (as Vela lowers it)',
    (acc) => {
      const v = (id: string) => fixture.ops.find((o) => o.acc === acc && o.id === id)?.cycles ?? Number.NaN;
      // Vela lowers the LSTM into these ops: 2 FCs, gate Add, sigmoid (3H), tanh (H), 3 Muls, cell Add, tanh(c).
      // Vela's lstm.py lowers a step into, per gate, an input FC [H, in], a recurrent FC [H, H]
      // and an Add with the gate's sigmoid/tanh fused (same cost: both LUTs); then f*c, i*g
      // (Mul), c (Add), tanh(c) and o*tanh(c) (Mul).
      const vela =
        4 * (v('fc-128x257') + v('fc-128x128') + v('ew-Add+Sigmoid-128-int16')) +
        3 * v('ew-Mul-128-int16') +
        v('ew-Add-128-int16') +
        v('ew-Tanh-128-int16');
      const H = 128;
      const model: NpuModel = {
        name: 'lstm',
        ops: [
          {
            kind: 'LSTM',
            name: 'l',
            inputSize: 257,
            hiddenSize: H,
            inputWeights: new Int8Array(4 * H * 257),
            recurrentWeights: new Int8Array(4 * H * H),
          },
        ],
      };
      const ours = estimateModel(model, systemFor('u55-high-end', acc), { weightBytes: (w) => w.length });
      expect(Math.abs(ours.totals.computeCycles / vela - 1)).toBeLessThan(VELA_REL_TOL);
    },
  );
});
