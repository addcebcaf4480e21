// Option objects are read with core's readOptions: misspelt keys and mistyped values throw a
// LabInputError naming the option (issue #12).
import { LabInputError, ParameterStore, initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type TensorEncoding,
  QuantGRU,
  QuantLSTM,
  bsrFromDense,
  bsrMatVec,
  compressionPlan,
  exportModel,
  footprint,
} from '../src/index.js';
import { fixtureModel } from './exportFixtures.js';

let store: ParameterStore;
beforeAll(async () => {
  await initBackend();
  store = new ParameterStore({ seed: 3 });
});
afterAll(() => store.dispose());

const expectOptionError = (call: () => unknown, fn: string, arg: string): void => {
  expect(call).toThrow(LabInputError);
  try {
    call();
  } catch (err) {
    expect((err as LabInputError).fn).toBe(fn);
    expect((err as LabInputError).arg).toBe(arg);
  }
};

describe('bsrMatVec options', () => {
  const a = bsrFromDense(
    Float32Array.from({ length: 16 }, (_, i) => i - 8),
    4,
    4,
    [2, 2],
  );
  const x = Float32Array.from([1, 2, 3, 4]);
  it('reads out and inputZeroPoint, rejects other keys and non-objects', () => {
    const out = new Float32Array(4);
    expect(bsrMatVec(a, x, { out })).toBe(out);
    // Row i of the matrix is [4i - 8, ..., 4i - 5]: y_i = sum_j (4i - 8 + j)(j + 1).
    expect(Array.from(out)).toEqual(
      [0, 1, 2, 3].map((i) => [0, 1, 2, 3].reduce((s, j) => s + (4 * i - 8 + j) * (j + 1), 0)),
    );
    expectOptionError(() => bsrMatVec(a, x, { output: out } as never), 'bsrMatVec', 'options.output');
    expectOptionError(() => bsrMatVec(a, x, null as never), 'bsrMatVec', 'options');
    expectOptionError(() => bsrMatVec(a, x, 3 as never), 'bsrMatVec', 'options');
  });
});

describe('QuantLSTM / QuantGRU options.quant', () => {
  it('rejects unknown keys, null and mistyped values, naming options.quant.*', () => {
    const base = { inputDim: 3, units: 2 };
    let i = 0;
    const lstm = (quant: unknown) => () => new QuantLSTM(store, `l${i++}`, { ...base, quant } as never);
    const gru = (quant: unknown) => () => new QuantGRU(store, `g${i++}`, { ...base, quant } as never);
    expectOptionError(lstm({ hiddenbits: 16 }), 'QuantLSTM', 'options.quant.hiddenbits');
    expectOptionError(gru({ enable: false }), 'QuantGRU', 'options.quant.enable');
    expectOptionError(lstm(null), 'QuantLSTM', 'options.quant');
    expectOptionError(lstm({ enabled: 0 }), 'QuantLSTM', 'options.quant.enabled');
    expectOptionError(lstm({ quantizeInput: 'yes' }), 'QuantLSTM', 'options.quant.quantizeInput');
    expectOptionError(lstm({ hiddenBits: 12 }), 'QuantLSTM', 'options.quant.hiddenBits');
    expectOptionError(lstm({ momentum: 1 }), 'QuantLSTM', 'options.quant.momentum');
    expectOptionError(lstm({ momentum: Number.NaN }), 'QuantLSTM', 'options.quant.momentum');
    expectOptionError(lstm({ cellShift: 0 }), 'QuantLSTM', 'options.quant.cellShift');
    expectOptionError(lstm({ cellShift: -11.5 }), 'QuantLSTM', 'options.quant.cellShift');
  });

  it('keeps the documented defaults and accepts cellShift null (float cell)', () => {
    const x = tf.randomNormal([2, 3, 3], 0, 1, 'float32', 5);
    const names = (q: QuantLSTM): Map<string, number> => {
      const r = q.apply(x, { training: true });
      tf.dispose([r.output, r.h, r.c]);
      return new Map(q.quantParams().map((p) => [p.name, p.scale]));
    };
    const d = names(new QuantLSTM(store, 'ok', { inputDim: 3, units: 2 }));
    expect(d.has('ok.input')).toBe(true);
    expect(d.get('ok.cell')).toBe(2 ** -11);
    const f = names(
      new QuantLSTM(store, 'float-cell', {
        inputDim: 3,
        units: 2,
        quant: { cellShift: null, quantizeInput: false },
      }),
    );
    expect(f.has('float-cell.cell')).toBe(false);
    expect(f.has('float-cell.input')).toBe(false);
    x.dispose();
  });

  it('apply rejects misspelt per-call options, quantised or not', () => {
    const x = tf.zeros([1, 2, 3]);
    const on = new QuantLSTM(store, 'apply-on', { inputDim: 3, units: 2 });
    const off = new QuantGRU(store, 'apply-off', { inputDim: 3, units: 2, quant: { enabled: false } });
    expectOptionError(() => on.apply(x, { trainig: true } as never), 'QuantLSTM.apply', 'options.trainig');
    expectOptionError(
      () => off.apply(x, { initialstate: x } as never),
      'QuantGRU.apply',
      'options.initialstate',
    );
    expectOptionError(() => on.apply(x, { training: 1 } as never), 'QuantLSTM.apply', 'options.training');
    x.dispose();
  });
});

describe('exportModel / footprint encoding options', () => {
  const good = fixtureModel(1);
  it('rejects unknown keys and bad encodings with the option named', () => {
    expectOptionError(
      () => exportModel(good, { encodeing: 'csr' } as never),
      'exportModel',
      'options.encodeing',
    );
    expectOptionError(
      () => footprint(good, { blockShape: [[8, 8]] } as never),
      'footprint',
      'options.blockShape',
    );
    expectOptionError(
      () => exportModel(good, { encoding: 'zip' as TensorEncoding }),
      'exportModel',
      'options.encoding',
    );
    expectOptionError(
      () => exportModel(good, { encodings: null } as never),
      'exportModel',
      'options.encodings',
    );
    expectOptionError(
      () => exportModel(good, { encodings: ['csr'] } as never),
      'exportModel',
      'options.encodings',
    );
    const w = good.weights[0]?.name as string;
    expectOptionError(
      () => exportModel(good, { encodings: { [w]: 'zip' as TensorEncoding } }),
      'exportModel',
      `options.encodings.${w}`,
    );
    // Valid per-weight choices still export.
    expect(exportModel(good, { encodings: { [w]: 'dense' }, encoding: 'auto' })).toBeInstanceOf(Uint8Array);
  });
});

describe('compressionPlan keys', () => {
  const layers = [{ layer: 'lstm1' }, { layer: 'mask', exclude: true }];
  it('accepts a valid plan and rejects misspelt plan and layer keys', () => {
    const plan = { structure: 'block' as const, block: [4, 4] as const, sparsity: 0.5, layers };
    expect(compressionPlan(plan)).toBe(plan);
    expectOptionError(
      () => compressionPlan({ ...plan, spasity: 0.9 } as never),
      'compressionPlan',
      'plan.spasity',
    );
    expectOptionError(
      () => compressionPlan({ ...plan, layers: [{ layer: 'lstm1', excluded: true }] } as never),
      'compressionPlan',
      'plan.layers[0].excluded',
    );
  });
  it('type-checks values with the key named', () => {
    expectOptionError(() => compressionPlan(undefined as never), 'compressionPlan', 'plan');
    expectOptionError(() => compressionPlan(null as never), 'compressionPlan', 'plan');
    expectOptionError(
      () => compressionPlan({ layers, scope: 'all' } as never),
      'compressionPlan',
      'plan.scope',
    );
    expectOptionError(() => compressionPlan({ layers, norm: 'l3' } as never), 'compressionPlan', 'plan.norm');
    expectOptionError(
      () => compressionPlan({ layers, weightBits: 16 } as never),
      'compressionPlan',
      'plan.weightBits',
    );
    expectOptionError(
      () => compressionPlan({ layers, perChannel: 1 } as never),
      'compressionPlan',
      'plan.perChannel',
    );
    expectOptionError(
      () => compressionPlan({ layers, zeroPrunedWeights: 'yes' } as never),
      'compressionPlan',
      'plan.zeroPrunedWeights',
    );
    expectOptionError(
      () => compressionPlan({ layers: [null] } as never),
      'compressionPlan',
      'plan.layers[0]',
    );
    expectOptionError(
      () => compressionPlan({ layers: [undefined] } as never),
      'compressionPlan',
      'plan.layers[0]',
    );
    expectOptionError(
      () => compressionPlan({ layers: [{ layer: '' }] }),
      'compressionPlan',
      'plan.layers[0].layer',
    );
    expectOptionError(
      () => compressionPlan({ layers: [{ layer: 'a', kind: 'rnn' }] } as never),
      'compressionPlan',
      'plan.layers[0].kind',
    );
    expectOptionError(
      () => compressionPlan({ layers: [{ layer: 'a', structure: 'row' }] } as never),
      'compressionPlan',
      'plan.layers[0].structure',
    );
    expectOptionError(
      () => compressionPlan({ layers: [{ layer: 'a', exclude: 'no' }] } as never),
      'compressionPlan',
      'plan.layers[0].exclude',
    );
  });
});
