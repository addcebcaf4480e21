import * as tf from '@tensorflow/tfjs-core';
import { type CsvSeries, initBackend, LabInputError } from '@lab/core';
import { expectAllClose, expectNoLeaks, TOL } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DLinearForecaster,
  LinearForecaster,
  movingAverageMatrix,
  prepareForecastData,
  RepeatForecaster,
  SeasonalNaiveForecaster,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

/** DLinear's moving average written out: replicate-pad (k-1)/2 at both ends, then box average. */
function bruteMovingAverage(x: number[], k: number): number[] {
  const pad = (k - 1) / 2;
  const padded = [...Array(pad).fill(x[0]), ...x, ...Array(pad).fill(x[x.length - 1])];
  return x.map((_, t) => padded.slice(t, t + k).reduce((a, b) => a + b, 0) / k);
}

describe('movingAverageMatrix', () => {
  it('equals the replicate-padded moving average of DLinear', () => {
    const x = Array.from({ length: 40 }, (_, t) => Math.sin(t / 3) + 0.1 * t * (t % 5));
    for (const k of [1, 3, 25, 41]) {
      const a = movingAverageMatrix(40, k);
      const got = Array.from({ length: 40 }, (_, t) => x.reduce((s, v, j) => s + a[t * 40 + j]! * v, 0));
      // float32 weights 1/k (relative error 6e-8) times O(10) values
      expectAllClose(got, bruteMovingAverage(x, k), { atol: 1e-5 });
    }
    expect(() => movingAverageMatrix(10, 4)).toThrow(/odd/);
  });
});

describe('DLinearForecaster', () => {
  it('forward = W_s (x - A x) + W_t (A x) + biases, per series', async () => {
    const L = 30;
    const H = 5;
    const m = new DLinearForecaster({ lookback: L, horizon: H, numSeries: 2, seed: 3, kernel: 7 });
    const rec = m.store.toRecord();
    const ws = rec['seasonal.kernel']!.arraySync() as number[][];
    const bs = rec['seasonal.bias']!.arraySync() as number[];
    const wt = rec['trend.kernel']!.arraySync() as number[][];
    const bt = rec['trend.bias']!.arraySync() as number[];
    tf.dispose(Object.values(rec));
    const xs = Array.from({ length: L * 2 }, (_, i) => Math.cos(i * 0.37) * (1 + (i % 3)));
    const x = tf.tensor3d(xs, [1, L, 2]);
    const y = (await expectNoLeaks(() => m.predict(x), { keepResult: true })).arraySync() as number[][][];
    for (let n = 0; n < 2; n++) {
      const series = Array.from({ length: L }, (_, t) => xs[t * 2 + n]!);
      const trend = bruteMovingAverage(series, 7);
      for (let h = 0; h < H; h++) {
        let v = bs[h]! + bt[h]!;
        for (let t = 0; t < L; t++) v += (series[t]! - trend[t]!) * ws[t]![h]! + trend[t]! * wt[t]![h]!;
        expect(y[0]![h]![n]).toBeCloseTo(v, 4);
      }
    }
    x.dispose();
    m.dispose();
  });
});

/** A single-column ramp x_t = t. */
function ramp(rows: number): CsvSeries {
  return {
    dates: [],
    columns: ['t'],
    values: Float32Array.from({ length: rows }, (_, t) => t),
    rows,
    cols: 1,
  };
}

describe('RepeatForecaster', () => {
  it('has the closed-form MSE/MAE on a ramp', async () => {
    // z-normalised ramp has slope 1/std; repeating the last value errs by h/std at step h.
    const data = prepareForecastData(ramp(200), { lookback: 8, horizon: 6, split: 'ratio' });
    const nTrain = 140;
    const std = Math.sqrt((nTrain * nTrain - 1) / 12);
    const H = 6;
    const mse = ((H + 1) * (2 * H + 1)) / 6 / (std * std);
    const mae = (H + 1) / 2 / std;
    const m = new RepeatForecaster({ lookback: 8, horizon: H, numSeries: 1 });
    const r = await expectNoLeaks(() => m.evaluate(data));
    // float32 normalised values (~1e-7 relative) over O(1) differences
    expect(r.mse).toBeCloseTo(mse, 5);
    expect(r.mae).toBeCloseTo(mae, 5);
    expect(r.windows).toBe(data.windows.test.length);
  });
});

describe('SeasonalNaiveForecaster', () => {
  it('is exact on a periodic series and repeats the last season', async () => {
    const p = 6;
    const rows = 300;
    const s: CsvSeries = {
      dates: [],
      columns: ['a', 'b'],
      values: Float32Array.from(
        { length: rows * 2 },
        (_, i) => ((Math.floor(i / 2) % p) + 1) * (1 + (i % 2)),
      ),
      rows,
      cols: 2,
    };
    const data = prepareForecastData(s, { lookback: 12, horizon: 15, split: 'ratio' });
    const m = new SeasonalNaiveForecaster({ lookback: 12, horizon: 15, numSeries: 2, period: p });
    const r = await expectNoLeaks(() => m.evaluate(data));
    expect(r.mse).toBeLessThan(1e-12);
    expect(() => new SeasonalNaiveForecaster({ lookback: 12, horizon: 3, numSeries: 2, period: 24 })).toThrow(
      /options.period/,
    );
  });
});

describe('LinearForecaster', () => {
  it('validates inputs and does not leak', async () => {
    const m = new LinearForecaster({ lookback: 10, horizon: 3, numSeries: 2, seed: 0 });
    const x = tf.zeros([4, 10, 2]);
    const y = await expectNoLeaks(() => m.predict(x));
    expect(y.shape).toEqual([4, 3, 2]);
    expect(() => m.predict(tf.zeros([4, 9, 2]))).toThrow(LabInputError);
    expect(m.numParameters()).toBe(10 * 3 + 3);
    x.dispose();
    m.dispose();
    expect(TOL.EXACT).toBe(0);
  });
});
