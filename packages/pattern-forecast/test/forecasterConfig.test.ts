import * as tf from '@tensorflow/tfjs-core';
import { createRng, initBackend, LabInputError } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectedParameters } from '../src/forecasterConfig.js';
import {
  DLinearForecaster,
  FORECASTER_LIMITS,
  LinearForecaster,
  type NeuralForecaster,
  PatternForecaster,
  RepeatForecaster,
  SeasonalNaiveForecaster,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

const shapesOf = (m: NeuralForecaster) => {
  const rec = m.store.toRecord();
  const out = Object.fromEntries(Object.entries(rec).map(([k, t]) => [k, t.shape]));
  tf.dispose(Object.values(rec));
  return out;
};

describe('forecaster options', () => {
  it('expectedParameters (used by the loaders before building) equals the built store, for every kind and switch', () => {
    const base = { lookback: 20, horizon: 5, numSeries: 3 };
    const configs: ['Linear' | 'DLinear' | 'PatternForecaster', Record<string, unknown>][] = [
      ['Linear', base],
      ['DLinear', { ...base, kernel: 7 }],
      ['PatternForecaster', base],
      [
        'PatternForecaster',
        { ...base, patchLength: 6, patchStride: 4, numPatterns: 3, attentionDim: 2, embeddingDim: 4 },
      ],
      [
        'PatternForecaster',
        { ...base, patterns: 'fixed', subsequenceCorrelation: false, seriesCorrelation: false },
      ],
    ];
    for (const [kind, c] of configs) {
      const m =
        kind === 'Linear'
          ? new LinearForecaster(c as never)
          : kind === 'DLinear'
            ? new DLinearForecaster(c as never)
            : new PatternForecaster(c as never);
      expect(expectedParameters(kind, c, 'test')).toEqual(shapesOf(m));
      m.dispose();
    }
  });

  it('constructors reject unknown keys, sizes over FORECASTER_LIMITS and seed with rng', () => {
    const base = { lookback: 8, horizon: 2, numSeries: 2 };
    expect(() => new LinearForecaster({ ...base, epochs: 3 } as never)).toThrow(/options.epochs/);
    expect(() => new DLinearForecaster({ ...base, lookback: FORECASTER_LIMITS.lookback + 1 })).toThrow(
      LabInputError,
    );
    expect(() => new DLinearForecaster({ ...base, kernel: 4 })).toThrow(/options.kernel/);
    expect(() => new PatternForecaster({ ...base, seed: 1, rng: createRng(1) })).toThrow(LabInputError);
    expect(() => new RepeatForecaster({ ...base, period: 2 } as never)).toThrow(/options.period/);
    expect(() => new SeasonalNaiveForecaster({ ...base, period: 9 })).toThrow(/options.period/);
    expect(() => new RepeatForecaster(null as never)).toThrow(LabInputError);
  });

  it('rng and seed give the same initialisation; seed defaults to 0', () => {
    const base = { lookback: 12, horizon: 3, numSeries: 2, patchLength: 4 };
    const a = new PatternForecaster({ ...base, seed: 3 });
    const b = new PatternForecaster({ ...base, rng: createRng(3) });
    const c = new PatternForecaster(base);
    const d = new PatternForecaster({ ...base, seed: 0 });
    const x = tf.randomNormal([2, 12, 2], 0, 1, 'float32', 1);
    const p = (m: PatternForecaster) => tf.tidy(() => Array.from(m.predict(x).dataSync()));
    expect(p(b)).toEqual(p(a));
    expect(p(c)).toEqual(p(d));
    expect(b.seed).toBeUndefined();
    expect(c.seed).toBe(0);
    for (const m of [a, b, c, d]) m.dispose();
    x.dispose();
  });
});
