import { type CsvSeries, LabInputError, readOptions } from '@lab/core';
import { slidingWindows } from './slidingWindows.js';
import { ettSplit, ratioSplit, type SeriesSplit } from './splits.js';
import { StandardScaler } from './StandardScaler.js';

/** Options of {@link prepareForecastData}. */
export interface PrepareForecastDataOptions {
  /** Look-back length L. */
  lookback: number;
  /** Forecast horizon H. */
  horizon: number;
  /**
   * `'ett'`: the ETTh 12/4/4-month split; `'ett-minute'`: the same months for the 15-minute
   * ETTm files; `'ratio'`: 0.7/0.1/0.2 (default `'ett'`).
   */
  split?: 'ett' | 'ett-minute' | 'ratio';
}

/** A z-normalised multivariate series with its split and stride-1 windows. */
export interface ForecastData {
  /** Row-major `rows x cols` values, z-normalised with training statistics. */
  values: Float32Array;
  rows: number;
  /** Number of series N. */
  cols: number;
  columns: string[];
  dates: string[];
  lookback: number;
  horizon: number;
  /** Row ranges of the three segments. */
  split: SeriesSplit;
  /** Scaler fitted on the training rows (use `inverseTransform` for original units). */
  scaler: StandardScaler;
  /** Start rows of every stride-1 window of each segment. */
  windows: { train: Int32Array; val: Int32Array; test: Int32Array };
}

/**
 * Splits a series chronologically, z-normalises it with the training rows' statistics and lists
 * every stride-1 window (`L` inputs, `H` targets) of the training, validation and test segments.
 * The input is not modified.
 *
 * @param series - e.g. from `loadCsvSeries` of `@lab/core`.
 * @param options - look-back, horizon and split protocol.
 * @see Zeng et al., "Are Transformers Effective for Time Series Forecasting?" (DLinear), AAAI 2023 (protocol).
 */
export function prepareForecastData(series: CsvSeries, options: PrepareForecastDataOptions): ForecastData {
  const fn = 'prepareForecastData';
  if (
    series === null ||
    typeof series !== 'object' ||
    !(series.values instanceof Float32Array || series.values instanceof Float64Array)
  ) {
    throw new LabInputError(
      fn,
      'series',
      'must be a CsvSeries { values, rows, cols, columns, dates }',
      series,
    );
  }
  if (series.values.length !== series.rows * series.cols) {
    throw new LabInputError(
      fn,
      'series.values',
      `must hold rows x cols = ${series.rows * series.cols} entries`,
      series.values.length,
    );
  }
  for (let i = 0; i < series.values.length; i++) {
    if (!Number.isFinite(series.values[i]!)) {
      throw new LabInputError(
        fn,
        'series.values',
        `must be finite (row ${Math.floor(i / series.cols)}, column '${series.columns[i % series.cols]}')`,
        series.values[i],
      );
    }
  }
  const o = readOptions(fn, options, ['lookback', 'horizon', 'split']);
  const lookback = o.integer('lookback', undefined, { min: 1 });
  const horizon = o.integer('horizon', undefined, { min: 1 });
  const mode = o.oneOf('split', ['ett', 'ett-minute', 'ratio'] as const, 'ett');
  const split =
    mode === 'ratio'
      ? ratioSplit(series.rows, { lookback })
      : ettSplit(series.rows, { lookback, stepsPerHour: mode === 'ett' ? 1 : 4 });
  const win = (r: { start: number; end: number }) => slidingWindows(r, { lookback, horizon });
  const windows = { train: win(split.train), val: win(split.val), test: win(split.test) };
  const scaler = StandardScaler.fit(series.values, {
    cols: series.cols,
    start: split.train.start,
    end: split.train.end,
  });
  return {
    values: scaler.transform(series.values),
    rows: series.rows,
    cols: series.cols,
    columns: series.columns.slice(),
    dates: series.dates.slice(),
    lookback,
    horizon,
    split,
    scaler,
    windows,
  };
}
