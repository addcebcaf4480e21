import { LabInputError, createRng } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { getOpCost, registerOpCost, registeredOpKinds } from '../src/costRegistry.js';
import type { OpCostContext, OpKind, OpOfKind } from '../src/costs/opCost.js';
import { weightMatrixShape } from '../src/costs/weightedOp.js';
import { convOutput, encodedWeightBytes, estimateModel, type SystemConfig, systems } from '../src/index.js';

const int8 = (n: number, seed: number): Int8Array => {
  const rng = createRng(seed);
  return Int8Array.from({ length: n }, () => Math.max(-127, Math.min(127, Math.round(rng.normal(0, 30)))));
};

// One sample op per primitive kind. The mapped type makes this a compile error when a kind is
// added to PrimitiveOp without a sample here, and the first test fails when it has no cost.
const samples: { readonly [K in OpKind]: OpOfKind<K> } = {
  FullyConnected: {
    kind: 'FullyConnected',
    name: 'fc',
    shape: [24, 40],
    batch: 2,
    weights: int8(24 * 40, 1),
  },
  Conv2D: {
    kind: 'Conv2D',
    name: 'conv',
    inputShape: [9, 7, 5],
    weightShape: [12, 3, 3, 5],
    weights: int8(12 * 3 * 3 * 5, 2),
    stride: 2,
    padding: 'valid',
  },
  DepthwiseConv2D: {
    kind: 'DepthwiseConv2D',
    name: 'dw',
    inputShape: [8, 8, 16],
    weightShape: [3, 3, 16],
    weights: int8(3 * 3 * 16, 3),
  },
  Add: { kind: 'Add', name: 'add', size: 100, dtype: 'int16', activation: 'sigmoid' },
  Mul: { kind: 'Mul', name: 'mul', size: 77 },
  Activation: { kind: 'Activation', name: 'act', fn: 'tanh', size: 50 },
};

/** Closed-form MACs and activation bytes (int8 unless the sample says int16) of each sample. */
function expected(op: OpOfKind<OpKind>): { macs: number; ifm: number; ofm: number } {
  switch (op.kind) {
    case 'FullyConnected': {
      const [out, inn] = op.shape;
      const b = op.batch ?? 1;
      return { macs: b * out * inn, ifm: b * inn, ofm: b * out };
    }
    case 'Conv2D': {
      const { outH, outW } = convOutput(op);
      const [cout, kh, kw, cin] = op.weightShape;
      const [h, w] = op.inputShape;
      // valid 3x3 stride 2 over 9x7: 4 x 3 outputs.
      expect([outH, outW]).toEqual([4, 3]);
      return { macs: outH * outW * cout * kh * kw * cin, ifm: h * w * cin, ofm: outH * outW * cout };
    }
    case 'DepthwiseConv2D': {
      const { outH, outW } = convOutput(op);
      const [kh, kw, c] = op.weightShape;
      const [h, w] = op.inputShape;
      return { macs: outH * outW * c * kh * kw, ifm: h * w * c, ofm: outH * outW * c };
    }
    default: {
      const eb = op.dtype === 'int16' ? 2 : 1;
      const inputs = op.kind === 'Activation' ? 1 : 2;
      return { macs: 0, ifm: inputs * op.size * eb, ofm: op.size * eb };
    }
  }
}

const system = systems['u55-high-end'] as SystemConfig;
const acc = system.accelerator;

/** The context estimateModel gives the only op of a one-op model (default weightBytes). */
const firstOpContext = (): OpCostContext => ({
  system,
  accelerator: acc,
  sramBytesPerCycle: system.sramBytesPerSecond / system.clockHz,
  offChipBytesPerCycle: system.offChip.bytesPerSecond / system.clockHz,
  offChipLatencyCycles: system.offChip.readLatencyCycles,
  nhwcIn: true,
  nhwcOut: true,
  previousComputeCycles: 0,
  zeroSkipping: undefined,
  encodedWeightBytes: (w, shape) => encodedWeightBytes(w, shape, acc),
});

describe('op cost registry', () => {
  it('has a cost function for every primitive op kind, and only those', () => {
    expect([...registeredOpKinds()].sort()).toEqual(Object.keys(samples).sort());
  });

  for (const kind of registeredOpKinds()) {
    it(`${kind}: estimateModel reports the registered cost, with closed-form MACs and bytes`, () => {
      const op = samples[kind];
      const before = 'weights' in op ? Int8Array.from(op.weights) : undefined;
      const cost = getOpCost(kind)(op, firstOpContext());
      const r = estimateModel({ name: kind, ops: [op] }, system);
      const e = r.ops[0];
      expect(r.ops).toHaveLength(1);
      expect(e?.kind).toBe(kind);
      const want = expected(op);
      expect(cost.macs).toBe(want.macs);
      expect(cost.ifmBytes).toBe(want.ifm);
      expect(cost.ofmBytes).toBe(want.ofm);
      for (const v of Object.values(cost)) {
        expect(Number.isFinite(v) && v >= 0).toBe(true);
      }
      expect(cost.computeCycles).toBeGreaterThan(0);
      if ('weights' in op) {
        expect(cost.rawWeightBytes).toBe(op.weights.length);
        const shape = weightMatrixShape(op);
        expect(cost.encodedWeightBytes).toBe(encodedWeightBytes(op.weights, shape, acc));
        expect(cost.biasBytes).toBe(10 * shape[0]);
        expect(Array.from(op.weights)).toEqual(Array.from(before as Int8Array));
      } else {
        expect([cost.rawWeightBytes, cost.encodedWeightBytes, cost.biasBytes, cost.offChipBytes]).toEqual([
          0, 0, 0, 0,
        ]);
      }
      // estimateModel combines exactly this cost: cycles = max(compute + stall, SRAM, off-chip).
      const sramCycles = cost.sramBytes / (system.sramBytesPerSecond / system.clockHz);
      const offChipCycles = cost.offChipBytes / (system.offChip.bytesPerSecond / system.clockHz);
      expect(e).toMatchObject({
        macs: cost.macs,
        computeCycles: cost.computeCycles,
        dmaStallCycles: cost.dmaStallCycles,
        sramBytes: cost.sramBytes,
        offChipBytes: cost.offChipBytes,
        sramCycles,
        offChipCycles,
        cycles: Math.max(cost.computeCycles + cost.dmaStallCycles, sramCycles, offChipCycles),
        liveSramBytes: cost.ifmBytes + cost.ofmBytes,
      });
    });
  }

  it("elementwise costs follow the accelerator's cycles per element", () => {
    const cpe = acc.elementwiseCyclesPerElement;
    const ctx = firstOpContext();
    // int16 Add with a fused sigmoid: the slower of Add and LUT; no LUT DMA at int16.
    const add = getOpCost('Add')(samples.Add, ctx);
    expect(add.computeCycles).toBe(Math.ceil(Math.max(cpe.add, cpe.lut) * 100));
    expect(add.dmaStallCycles).toBe(0);
    expect(getOpCost('Mul')(samples.Mul, ctx).computeCycles).toBe(Math.ceil(cpe.mul * 77));
    // int8 tanh: an Add with the LUT fused, after a 256-byte LUT DMA (nothing runs before it).
    const act = getOpCost('Activation')(samples.Activation, ctx);
    expect(act.computeCycles).toBe(Math.ceil(Math.max(cpe.add, cpe.lut) * 50));
    expect(act.dmaStallCycles).toBe(256 / ctx.offChipBytesPerCycle + ctx.offChipLatencyCycles);
  });

  it('throws LabInputError for a kind without a cost, naming the registered kinds', () => {
    expect(() => getOpCost('Softmax')).toThrow(LabInputError);
    expect(() => getOpCost('Softmax', 'estimateModel', 'model.ops[2].kind')).toThrow(
      /estimateModel: argument 'model.ops\[2\].kind' must be an op kind with a registered cost \(FullyConnected, Conv2D/,
    );
    // Map lookup: prototype names are not kinds.
    expect(() => getOpCost('constructor')).toThrow(LabInputError);
    expect(() => getOpCost('__proto__')).toThrow(LabInputError);
  });

  it('refuses a second cost for a registered kind', () => {
    const before = getOpCost('Mul');
    expect(() => registerOpCost('Mul', () => getOpCost('Add')(samples.Add, firstOpContext()))).toThrow(
      LabInputError,
    );
    expect(getOpCost('Mul')).toBe(before);
  });

  it('estimateModel names an op kind it cannot cost', () => {
    const model = { name: 'm', ops: [samples.Mul, { kind: 'Softmax', name: 'sm', size: 4 }] } as never;
    expect(() => estimateModel(model, system)).toThrow(LabInputError);
    expect(() => estimateModel(model, system)).toThrow(/model.ops\[1\].kind/);
  });
});
