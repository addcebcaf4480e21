import { LabInputError, readOptions } from '@lab/core';

/** A half-open row range `[start, end)`. */
export interface RowRange {
  start: number;
  end: number;
}

/** Row ranges of the training, validation and test segments (look-back context included). */
export interface SeriesSplit {
  train: RowRange;
  val: RowRange;
  test: RowRange;
}

/** Options of {@link ettSplit}. */
export interface EttSplitOptions {
  /** Look-back length L. */
  lookback: number;
  /** 1 for the hourly ETTh files (default), 4 for the 15-minute ETTm files. */
  stepsPerHour?: number;
}

/** Options of {@link ratioSplit}. */
export interface RatioSplitOptions {
  /** Look-back length L. */
  lookback: number;
}

/** Rows of the standard ETT-hour split: 12 / 4 / 4 months of 30 days x 24 hours. */
export const ETT_HOUR_BORDERS = { train: 8640, val: 11520, test: 14400 } as const;

/**
 * The standard ETTh split of Informer/Autoformer/DLinear/PatchTST: train rows `[0, 8640)`,
 * validation `[8640 - L, 11520)`, test `[11520 - L, 14400)`. Validation and test segments start
 * `L` rows early so that their first forecast starts right after the previous segment; rows
 * after 14,400 are unused.
 *
 * For the 15-minute ETTm files pass `stepsPerHour: 4` (every border times 4, as
 * `Dataset_ETT_minute`).
 *
 * @param rows - rows in the file (at least 14,400 x stepsPerHour).
 * @param options - `lookback` L (< 8640 x stepsPerHour); `stepsPerHour` 1 for ETTh (default), 4 for ETTm.
 * @example
 * ```ts
 * const split = ettSplit(17420, { lookback: 96 });
 * if (split.test.start !== 11520 - 96) throw new Error('test starts L rows before 11520');
 * ```
 * @see Zhou et al., "Informer", AAAI 2021, `data_loader.py` (Dataset_ETT_hour, Dataset_ETT_minute).
 */
export function ettSplit(rows: number, options: EttSplitOptions): SeriesSplit {
  const fn = 'ettSplit';
  const o = readOptions(fn, options, ['lookback', 'stepsPerHour']);
  const lookback = o.integer('lookback', undefined, { min: 1 });
  const stepsPerHour = o.integer('stepsPerHour', 1, { min: 1 });
  const train = ETT_HOUR_BORDERS.train * stepsPerHour;
  const val = ETT_HOUR_BORDERS.val * stepsPerHour;
  const test = ETT_HOUR_BORDERS.test * stepsPerHour;
  if (!Number.isInteger(rows) || rows < test) {
    throw new LabInputError(
      fn,
      'rows',
      `must be an integer >= ${test} (the ETT split needs 20 months of rows)`,
      rows,
    );
  }
  if (lookback >= train) {
    throw new LabInputError(fn, 'lookback', `must be < ${train}`, lookback);
  }
  return {
    train: { start: 0, end: train },
    val: { start: train - lookback, end: val },
    test: { start: val - lookback, end: test },
  };
}

/**
 * The generic 0.7 / 0.1 / 0.2 chronological split of the Autoformer/DLinear code base for other
 * data sets: `nTrain = floor(0.7 rows)`, `nTest = floor(0.2 rows)`, `nVal = rows - nTrain - nTest`;
 * validation and test segments start `L` rows early.
 *
 * @param rows - number of rows.
 * @param options - `lookback` L.
 * @see Wu et al., "Autoformer", NeurIPS 2021, `data_loader.py` (Dataset_Custom).
 */
export function ratioSplit(rows: number, options: RatioSplitOptions): SeriesSplit {
  const fn = 'ratioSplit';
  const lookback = readOptions(fn, options, ['lookback']).integer('lookback', undefined, { min: 1 });
  if (!Number.isInteger(rows) || rows < 10)
    throw new LabInputError(fn, 'rows', 'must be an integer >= 10', rows);
  const nTrain = Math.floor(rows * 0.7);
  const nTest = Math.floor(rows * 0.2);
  const valEnd = rows - nTest;
  if (lookback > nTrain) {
    throw new LabInputError(fn, 'lookback', `must be <= the ${nTrain} training rows`, lookback);
  }
  return {
    train: { start: 0, end: nTrain },
    val: { start: nTrain - lookback, end: valEnd },
    test: { start: valEnd - lookback, end: rows },
  };
}
