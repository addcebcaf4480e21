import { LabInputError } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { accelerators } from '../src/accelerators.js';
import { dtlnModel } from '../src/dtlnModel.js';
import { encodeWeights } from '../src/encodeWeights.js';
import { estimateModel } from '../src/estimateModel.js';
import { formatReport } from '../src/formatReport.js';
import { systems } from '../src/systems.js';
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
});
