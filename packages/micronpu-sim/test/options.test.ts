import { LabInputError } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { accelerators, defineAccelerator } from '../src/accelerators.js';
import { conv2dInt8 } from '../src/conv2dInt8.js';
import { elementwiseInt8 } from '../src/elementwiseInt8.js';
import { fullyConnectedInt8 } from '../src/fullyConnectedInt8.js';
import { lstmInt8 } from '../src/lstmInt8.js';
import { dtlnModel } from '../src/dtlnModel.js';
import { encodeWeights } from '../src/encodeWeights.js';
import { estimateModel } from '../src/estimateModel.js';
import { formatReport } from '../src/formatReport.js';
import { defineSystem, systemFor, systems } from '../src/systems.js';
import { syntheticWeights } from '../src/weightEncoding/syntheticWeights.js';

describe('option objects are read with readOptions', () => {
  const acc = accelerators['ethos-u55-128'];
  const model = dtlnModel({ seed: 1, hidden: 8, bins: 9, frame: 16, features: 8 });
  const system = Object.values(systems)[0];

  it('rejects null and non-objects with LabInputError naming options', () => {
    for (const call of [
      () => dtlnModel(null as never),
      () => syntheticWeights(null as never),
      () => encodeWeights(new Int8Array(4), [2, 2], acc, null as never),
      () => estimateModel(model, system, null as never),
      () => formatReport(estimateModel(model, system), 3 as never),
    ]) {
      expect(call).toThrow(LabInputError);
      expect(call).toThrow(/'options'/);
    }
  });

  it('type-checks values instead of coercing them', () => {
    expect(() => estimateModel(model, system, { checkSram: 0 as never })).toThrow(/options.checkSram/);
    expect(() => estimateModel(model, system, { zeroSkipping: { blockOut: 8, blockIn: 0 } })).toThrow(
      /options.zeroSkipping.blockIn/,
    );
    expect(() => dtlnModel({ seed: 1, hidden: 2.5 })).toThrow(/options.hidden/);
    expect(() => dtlnModel({ seed: 1, weightStd: Number.NaN })).toThrow(/options.weightStd/);
    expect(() => syntheticWeights({ shape: [2, 2], structure: 'dense', bits: '8' as never })).toThrow(
      /options.bits/,
    );
    expect(() => formatReport(estimateModel(model, system), { rows: 'x' as never })).toThrow(/options.rows/);
  });

  it('follows the seed convention: seed or rng, default seed 0', () => {
    const a = syntheticWeights({ shape: [4, 4], structure: 'dense' });
    const b = syntheticWeights({ shape: [4, 4], structure: 'dense', seed: 0 });
    expect(a).toEqual(b);
    expect(() => syntheticWeights({ shape: [4, 4], structure: 'dense', seed: 1, rng: {} as never })).toThrow(
      LabInputError,
    );
  });

  it('rejects unknown (misspelt) keys instead of ignoring them', () => {
    const q = { multiplier: 1 << 30, shift: 0 };
    const fc = {
      input: new Int8Array(2),
      weights: new Int8Array(2),
      shape: [1, 2] as const,
      inputZeroPoint: 0,
      outputZeroPoint: 0,
      multiplier: q,
    };
    const conv = {
      input: new Int8Array(4),
      inputShape: [2, 2, 1] as const,
      weights: new Int8Array(1),
      weightShape: [1, 1, 1, 1] as const,
      inputZeroPoint: 0,
      outputZeroPoint: 0,
      multiplier: q,
    };
    const operand = { values: new Int8Array(2), scale: 0.1, zeroPoint: 0 };
    const ew = { op: 'add' as const, a: operand, b: operand, outputScale: 0.2, outputZeroPoint: 0 };
    const lstm = {
      input: new Int8Array(1),
      inputScale: 0.1,
      inputZeroPoint: 0,
      hidden: new Int8Array(1),
      hiddenScale: 0.1,
      hiddenZeroPoint: 0,
      cell: new Int16Array(1),
      inputWeights: new Int8Array(4),
      inputWeightScales: 0.01,
      recurrentWeights: new Int8Array(4),
      recurrentWeightScales: 0.01,
    };
    const sys = {
      name: 's',
      accelerator: 'ethos-u55-64',
      clockHz: 1,
      sramBytesPerSecond: 1,
      sramBytes: 1,
      offChip: { kind: 'flash' as const, bytesPerSecond: 1 },
    };
    const accOpts = { name: 'a', ofmMicroBlock: { width: 2, height: 2, depth: 8 } };
    // The valid calls run; each misspelt key fails naming itself.
    expect(fullyConnectedInt8(fc)).toHaveLength(1);
    expect(conv2dInt8(conv).output).toHaveLength(4);
    expect(elementwiseInt8(ew)).toHaveLength(2);
    expect(lstmInt8(lstm).hidden).toHaveLength(1);
    expect(defineSystem(sys).offChip.readLatencyCycles).toBe(64);
    expect(defineAccelerator(accOpts).macsPerCycle).toBe(256);
    for (const [call, arg] of [
      [() => fullyConnectedInt8({ ...fc, weightZeropoint: 0 } as never), 'options.weightZeropoint'],
      [() => conv2dInt8({ ...conv, strides: 2 } as never), 'options.strides'],
      [() => elementwiseInt8({ ...ew, outputscale: 1 } as never), 'options.outputscale'],
      [() => elementwiseInt8({ ...ew, a: { ...operand, zero: 0 } } as never), 'options.a.zero'],
      [() => lstmInt8({ ...lstm, activation: 'lut' } as never), 'options.activation'],
      [() => defineSystem({ ...sys, sramSize: 1 } as never), 'options.sramSize'],
      [
        () => defineSystem({ ...sys, offChip: { ...sys.offChip, latency: 1 } } as never),
        'options.offChip.latency',
      ],
      [() => defineAccelerator({ ...accOpts, core: 2 } as never), 'options.core'],
      [
        () =>
          defineAccelerator({ ...accOpts, ofmMicroBlock: { width: 2, height: 2, depth: 8, d: 1 } } as never),
        'options.ofmMicroBlock.d',
      ],
      [() => formatReport(estimateModel(model, system), { row: 'op' } as never), 'options.row'],
    ] as const) {
      expect(call).toThrow(LabInputError);
      expect(call).toThrow(new RegExp(`argument '${arg.replace(/\./g, '\\.')}' is not an option`));
    }
  });

  it('type-checks the values of the int kernels and configs with named arguments', () => {
    const operand = { values: new Int8Array(2), scale: 0.1, zeroPoint: 0 };
    const ew = { op: 'add' as const, a: operand, b: operand, outputScale: 0.2, outputZeroPoint: 0 };
    expect(() => elementwiseInt8({ ...ew, op: 'sub' } as never)).toThrow(
      /options.op' must be one of "add", "mul"/,
    );
    expect(() => elementwiseInt8({ ...ew, b: { ...operand, scale: 0 } })).toThrow(/options.b.scale/);
    expect(() => elementwiseInt8({ ...ew, b: null } as never)).toThrow(/options.b'/);
    expect(() => elementwiseInt8({ ...ew, outputScale: Number.POSITIVE_INFINITY })).toThrow(
      /options.outputScale/,
    );
    const sys = {
      name: 's',
      accelerator: 'ethos-u55-64',
      clockHz: 1,
      sramBytesPerSecond: 1,
      sramBytes: 1,
      offChip: { kind: 'flash' as const, bytesPerSecond: 1 },
    };
    expect(() => defineSystem({ ...sys, offChip: { kind: 'tape', bytesPerSecond: 1 } } as never)).toThrow(
      /options.offChip.kind/,
    );
    expect(() => defineSystem({ ...sys, offChip: undefined } as never)).toThrow(
      /options.offChip' is required/,
    );
    expect(() => defineSystem({ ...sys, sramBytes: '1' } as never)).toThrow(/options.sramBytes/);
    expect(
      defineSystem({ ...sys, offChip: { kind: 'dram', bytesPerSecond: 1 } }).offChip.readLatencyCycles,
    ).toBe(500);
    // Names are looked up as own keys only (no prototype tricks).
    expect(() => defineSystem({ ...sys, accelerator: 'constructor' })).toThrow(/options.accelerator/);
    expect(() => systemFor('constructor', 'ethos-u55-64')).toThrow(/systemFor: argument 'preset'/);
    expect(() => systemFor('u55-high-end', '__proto__')).toThrow(/systemFor: argument 'accelerator'/);
    expect(() =>
      defineAccelerator({
        name: 'a',
        ofmMicroBlock: { width: 2, height: 2, depth: 8 },
        blockDelayCycles: -1,
      }),
    ).toThrow(/options.blockDelayCycles/);
    expect(() => defineAccelerator({ name: 'a' } as never)).toThrow(/options.ofmMicroBlock' is required/);
  });
});
