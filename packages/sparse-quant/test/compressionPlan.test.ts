import { Conv2d, Dense, GRU, LSTM, LabInputError, ParameterStore, initBackend } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CompressionPlan,
  applyCompression,
  compressionPlan,
  polynomialDecay,
  pruneInt8Model,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

function store() {
  const s = new ParameterStore({ seed: 1 });
  new LSTM(s, 'lstm', { inputDim: 6, units: 8 });
  new GRU(s, 'gru', { inputDim: 8, units: 4 });
  new Dense(s, 'fc', { inputDim: 4, units: 12 });
  new Conv2d(s, 'conv', { inChannels: 3, outChannels: 8, kernelSize: 3 });
  return s;
}

/** The LabInputError's fn and arg (or 'no error'). */
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LabInputError);
    return `${(e as LabInputError).fn} ${(e as LabInputError).arg}`;
  }
  return 'no error';
}

describe('compressionPlan validation', () => {
  it('rejects field errors without a model', () => {
    const bad: [CompressionPlan, string][] = [
      [{ layers: [] }, 'plan.layers'],
      [{ structure: 'weight', sparsity: 1, layers: [{ layer: 'fc' }] }, 'plan.sparsity'],
      [{ structure: 'weight', layers: [{ layer: 'fc', sparsity: -0.5 }] }, 'plan.layers[0].sparsity'],
      [{ structure: 'weight', layers: [{ layer: 'fc' }] }, 'plan.layers[0].sparsity'],
      [{ structure: 'mystery' as never, sparsity: 0.5, layers: [{ layer: 'fc' }] }, 'plan.structure'],
      [{ structure: 'block', block: [0, 8], sparsity: 0.5, layers: [{ layer: 'fc' }] }, 'plan.block'],
      [{ structure: 'unit', sparsity: 0.5, layers: [{ layer: 'lstm' }] }, 'plan.layers[0].consumers'],
      [{ sparsity: 0.5, layers: [{ layer: 'fc' }, { layer: 'fc' }] }, 'plan.layers[1].layer'],
      [
        { scope: 'global', sparsity: 0.5, structure: 'weight', layers: [{ layer: 'fc', sparsity: 0.3 }] },
        'plan.layers[0].sparsity',
      ],
      [{ weightBits: 4 as never, layers: [{ layer: 'fc' }] }, 'plan.weightBits'],
      [
        {
          structure: 'weight',
          sparsity: 0.5,
          schedule: polynomialDecay({ finalSparsity: 0.8, endStep: 10 }),
          layers: [{ layer: 'fc' }],
        },
        'plan.sparsity',
      ],
      [{ schedule: { kind: 'linear' } as never, layers: [{ layer: 'fc' }] }, 'plan.schedule'],
    ];
    for (const [plan, arg] of bad)
      expect(errorOf(() => compressionPlan(plan))).toBe(`compressionPlan ${arg}`);
    const ok: CompressionPlan = { structure: 'weight', sparsity: 0.5, layers: [{ layer: 'fc' }] };
    expect(compressionPlan(ok)).toBe(ok);
  });

  it('rejects plans that do not fit the model (unknown layer, block that does not divide, consumers, kind)', () => {
    const s = store();
    const bad: [CompressionPlan, string][] = [
      [{ sparsity: 0.5, structure: 'weight', layers: [{ layer: 'nope' }] }, 'plan.layers[0].layer'],
      // lstm.kernel is [6, 32]: 4x4 blocks do not divide 6 rows.
      [{ structure: 'block', block: [4, 4], sparsity: 0.5, layers: [{ layer: 'lstm' }] }, 'plan.block'],
      [
        { structure: 'block', sparsity: 0.5, layers: [{ layer: 'fc', block: [3, 5] }] },
        'plan.layers[0].block',
      ],
      [
        { structure: 'unit', sparsity: 0.5, layers: [{ layer: 'lstm', consumers: ['missing.kernel'] }] },
        'plan.layers[0].consumers[0]',
      ],
      // fc.kernel has 4 input rows, lstm has 8 units.
      [
        { structure: 'unit', sparsity: 0.5, layers: [{ layer: 'lstm', consumers: ['fc.kernel'] }] },
        'plan.layers[0].consumers[0]',
      ],
      [
        {
          structure: 'unit',
          sparsity: 0.5,
          layers: [{ layer: 'lstm', consumers: ['lstm.recurrentKernel'] }],
        },
        'plan.layers[0].consumers[0]',
      ],
      [{ layers: [{ layer: 'gru', kind: 'lstm' }] }, 'plan.layers[0].kind'],
      [{ layers: [{ layer: 'conv', kind: 'dense' }] }, 'plan.layers[0].kind'],
    ];
    for (const [plan, arg] of bad)
      expect(errorOf(() => applyCompression(s, plan))).toBe(`applyCompression ${arg}`);
    const empty = { weights: [], floats: [], activations: [] };
    expect(errorOf(() => pruneInt8Model(empty, { layers: [{ layer: 'fc' }] }))).toBe(
      'pruneInt8Model plan.layers[0].layer',
    );
    s.dispose();
  });

  it('infers kinds and accepts good plans for every layer family (block over the last two axes of a conv kernel)', () => {
    const s = store();
    const c = applyCompression(s, {
      sparsity: 0.5,
      layers: [
        { layer: 'lstm', structure: 'unit', consumers: ['gru.kernel'] },
        { layer: 'gru', structure: 'unit', consumers: ['fc.kernel'] },
        { layer: 'fc', structure: 'block', block: [4, 4] },
        { layer: 'conv', structure: 'block', block: [3, 8] },
      ],
    });
    expect(c.plan.layers.map((l) => l.kind)).toEqual(['lstm', 'gru', 'dense', 'conv']);
    expect(c.plan.layers[0]!.unitSlices.map((u) => `${u.parameter}@${u.axis}x${u.gates}`)).toEqual([
      'lstm.kernel@1x4',
      'lstm.recurrentKernel@1x4',
      'lstm.bias@0x4',
      'lstm.recurrentKernel@0x1',
      'gru.kernel@0x1',
    ]);
    c.step(0);
    expect(c.sparsity().layers.map((l) => l.target)).toEqual([0.5, 0.5, 0.5, 0.5]);
    c.dispose();
    s.dispose();
  });
});
