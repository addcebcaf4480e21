import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type CsvSeries, initBackend, LabFormatError, LabInputError, loadCsvSeries } from '@lab/core';
import { expectAllClose, expectNoLeaks } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ettSplit,
  gatherWindows,
  prepareForecastData,
  ratioSplit,
  StandardScaler,
  slidingWindows,
} from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

/** A toy CsvSeries (values row-major). */
function series(rows: number, cols: number, f: (r: number, c: number) => number): CsvSeries {
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values[r * cols + c] = f(r, c);
  return { dates: [], columns: Array.from({ length: cols }, (_, c) => `v${c}`), values, rows, cols };
}

describe('slidingWindows', () => {
  it('lists every window start, as a brute-force scan does', () => {
    for (const [start, end, L, H, stride] of [
      [0, 20, 5, 3, 1],
      [7, 40, 6, 6, 1],
      [3, 30, 4, 2, 3],
      [0, 8, 5, 3, 1],
    ] as const) {
      const brute: number[] = [];
      for (let s = start; s + L + H <= end; s += stride) brute.push(s);
      expect(Array.from(slidingWindows({ start, end }, { lookback: L, horizon: H, stride }))).toEqual(brute);
    }
  });

  it('throws when the window is longer than the data', () => {
    expect(() => slidingWindows({ start: 0, end: 10 }, { lookback: 8, horizon: 3 })).toThrow(LabInputError);
    expect(() => slidingWindows({ start: 0, end: 10 }, { lookback: 8, horizon: 3 })).toThrow(
      /longer than the data/,
    );
    expect(() => slidingWindows({ start: 0, end: 10 }, { lookback: 0, horizon: 3 })).toThrow(
      /options.lookback/,
    );
  });
});

describe('splits', () => {
  it('ettSplit gives the standard ETTh borders', () => {
    for (const L of [96, 336]) {
      expect(ettSplit(17420, { lookback: L })).toEqual({
        train: { start: 0, end: 8640 },
        val: { start: 8640 - L, end: 11520 },
        test: { start: 11520 - L, end: 14400 },
      });
    }
    // Window counts of the literature: 2785 test windows at L = 96, H = 96 (and 2161 at H = 720).
    expect(slidingWindows(ettSplit(17420, { lookback: 96 }).test, { lookback: 96, horizon: 96 }).length).toBe(
      2785,
    );
    expect(
      slidingWindows(ettSplit(17420, { lookback: 336 }).test, { lookback: 336, horizon: 720 }).length,
    ).toBe(2161);
    expect(() => ettSplit(1000, { lookback: 96 })).toThrow(/ettSplit: argument 'rows'/);
    // ETTm: every border times 4 (Dataset_ETT_minute).
    expect(ettSplit(69680, { lookback: 96, stepsPerHour: 4 })).toEqual({
      train: { start: 0, end: 34560 },
      val: { start: 34560 - 96, end: 46080 },
      test: { start: 46080 - 96, end: 57600 },
    });
  });

  it('ratioSplit follows the 0.7 / 0.1 / 0.2 borders of the Autoformer code', () => {
    const rows = 1003;
    const L = 24;
    const nTrain = Math.floor(0.7 * rows);
    const nTest = Math.floor(0.2 * rows);
    expect(ratioSplit(rows, { lookback: L })).toEqual({
      train: { start: 0, end: nTrain },
      val: { start: nTrain - L, end: rows - nTest },
      test: { start: rows - nTest - L, end: rows },
    });
  });
});

describe('StandardScaler', () => {
  it('uses training statistics and round-trips', () => {
    const s = series(50, 3, (r, c) => Math.sin(r * (c + 1)) * (c + 2) + c * 10);
    const scaler = StandardScaler.fit(s.values, { cols: 3, start: 0, end: 30 });
    for (let c = 0; c < 3; c++) {
      let m = 0;
      for (let r = 0; r < 30; r++) m += s.values[r * 3 + c]!;
      m /= 30;
      let v = 0;
      for (let r = 0; r < 30; r++) v += (s.values[r * 3 + c]! - m) ** 2;
      expect(scaler.mean[c]).toBeCloseTo(m, 10);
      expect(scaler.std[c]).toBeCloseTo(Math.sqrt(v / 30), 10);
    }
    const copy = Float32Array.from(s.values);
    const z = scaler.transform(s.values);
    expect(s.values).toEqual(copy); // input untouched
    // float32 storage of z: ~1e-7 relative error, values of size ~10
    expectAllClose(scaler.inverseTransform(z), s.values, { atol: 1e-5, rtol: 1e-6 });
  });
});

describe('prepareForecastData', () => {
  it('normalises with train rows only and gathers windows like slicing the array', async () => {
    const s = series(120, 2, (r, c) => r * (c + 1) + Math.cos(r));
    const data = prepareForecastData(s, { lookback: 10, horizon: 4, split: 'ratio' });
    const split = ratioSplit(120, { lookback: 10 });
    expect(data.split).toEqual(split);
    expect(data.windows.test.length).toBe(split.test.end - split.test.start - 14 + 1);
    // z-normalised training rows have mean 0
    let m = 0;
    for (let r = 0; r < split.train.end; r++) m += data.values[r * 2]!;
    expect(Math.abs(m / split.train.end)).toBeLessThan(1e-5);
    const starts = data.windows.val;
    await expectNoLeaks(() => {
      const seriesT = tf.tensor2d(data.values, [data.rows, data.cols]);
      const startsT = tf.tensor1d(starts, 'int32');
      const { x, y } = gatherWindows(seriesT, startsT, 10, 4);
      const xs = x.dataSync();
      const ys = y.dataSync();
      for (let b = 0; b < starts.length; b++) {
        for (let t = 0; t < 10; t++)
          for (let c = 0; c < 2; c++)
            expect(xs[(b * 10 + t) * 2 + c]).toBe(data.values[(starts[b]! + t) * 2 + c]);
        for (let t = 0; t < 4; t++)
          for (let c = 0; c < 2; c++)
            expect(ys[(b * 4 + t) * 2 + c]).toBe(data.values[(starts[b]! + 10 + t) * 2 + c]);
      }
      tf.dispose([seriesT, startsT, x, y]);
      return null;
    });
  });

  it('rejects windows longer than a segment and non-finite values', () => {
    const s = series(60, 2, (r) => r);
    expect(() => prepareForecastData(s, { lookback: 30, horizon: 20, split: 'ratio' })).toThrow(
      LabInputError,
    );
    const bad = series(60, 2, (r) => (r === 7 ? Number.NaN : r));
    expect(() => prepareForecastData(bad, { lookback: 5, horizon: 2, split: 'ratio' })).toThrow(
      /row 7, column 'v0'/,
    );
    expect(() => prepareForecastData(s, { lookback: 5, horizon: 2 })).toThrow(/ettSplit: argument 'rows'/);
  });
});

describe('ETT CSV through loadCsvSeries of @lab/core', () => {
  const csv = async (text: string): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'pf-csv-'));
    const path = join(dir, 'data.csv');
    await writeFile(path, text);
    return path;
  };

  it('reads an ETT-format file', async () => {
    const path = await csv('date,a,b\n2020-01-01 00:00:00,1,2\n2020-01-01 01:00:00,3,4.5\n');
    const s = await loadCsvSeries(path);
    expect(s.columns).toEqual(['a', 'b']);
    expect(Array.from(s.values)).toEqual([1, 2, 3, 4.5]);
    expect(s.dates[1]).toBe('2020-01-01 01:00:00');
  });

  it('names file, line and column of ragged rows, non-numeric cells and NaNs', async () => {
    const ragged = await csv('date,a,b\nd1,1,2\nd2,3\n');
    await expect(loadCsvSeries(ragged)).rejects.toThrow(LabFormatError);
    await expect(loadCsvSeries(ragged)).rejects.toThrow(/line 3/);
    await expect(loadCsvSeries(ragged)).rejects.toThrow(ragged);
    const text = await csv('date,a,b\nd1,1,2\nd2,3,x7\n');
    await expect(loadCsvSeries(text)).rejects.toThrow(/line 3.*b|b.*line 3/);
    const nan = await csv('date,a,b\nd1,NaN,2\n');
    await expect(loadCsvSeries(nan)).rejects.toThrow(/line 2.*a|a.*line 2/);
  });
});

describe('options objects (readOptions)', () => {
  it('reject unknown keys, null and wrong types with a LabInputError naming the option', () => {
    expect(() => ettSplit(17420, { lookback: 96, stepPerHour: 4 } as never)).toThrow(
      /ettSplit: argument 'options.stepPerHour'/,
    );
    expect(() => ettSplit(17420, null as never)).toThrow(LabInputError);
    expect(() => ratioSplit(100, { lookback: 1.5 })).toThrow(/options.lookback/);
    expect(() =>
      slidingWindows({ start: 0, end: 10 }, { lookback: 2, horizon: 2, strid: 1 } as never),
    ).toThrow(/options.strid/);
    expect(() => StandardScaler.fit([1, 2, 3, 4], { cols: 2, end: 3 })).toThrow(LabInputError);
    expect(StandardScaler.fit([1, 2, 3, 4], { cols: 2 }).mean).toEqual(Float64Array.of(2, 3));
  });
});
