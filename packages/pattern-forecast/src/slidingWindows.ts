import { LabInputError, readOptions } from '@lab/core';
import type { RowRange } from './splits.js';

/** Options of {@link slidingWindows}. */
export interface SlidingWindowsOptions {
  /** Look-back length L. */
  lookback: number;
  /** Forecast horizon H. */
  horizon: number;
  /** Step between window starts (default 1: every window). */
  stride?: number;
}

/**
 * Start rows of every window of `L + H` consecutive rows inside `range` (stride 1 by default):
 * `range.start, range.start + stride, ...` up to `range.end - L - H`. No window is dropped.
 * Window `s` has inputs rows `[s, s + L)` and targets rows `[s + L, s + L + H)`.
 *
 * @throws LabInputError when the range is shorter than one window (`L + H` rows).
 * @see Zeng et al., "Are Transformers Effective for Time Series Forecasting?" (DLinear), AAAI 2023.
 */
export function slidingWindows(range: RowRange, options: SlidingWindowsOptions): Int32Array {
  const fn = 'slidingWindows';
  if (
    range === null ||
    typeof range !== 'object' ||
    !Number.isInteger(range.start) ||
    !Number.isInteger(range.end) ||
    range.start < 0
  ) {
    throw new LabInputError(fn, 'range', 'must be { start, end } with integer rows, start >= 0', range);
  }
  const o = readOptions(fn, options, ['lookback', 'horizon', 'stride']);
  const lookback = o.integer('lookback', undefined, { min: 1 });
  const horizon = o.integer('horizon', undefined, { min: 1 });
  const stride = o.integer('stride', 1, { min: 1 });
  const length = range.end - range.start;
  const span = lookback + horizon;
  if (length < span) {
    throw new LabInputError(
      fn,
      'range',
      `must hold at least lookback + horizon = ${lookback} + ${horizon} = ${span} rows (the window is longer than the data)`,
      `[${range.start}, ${range.end}) = ${length} rows`,
    );
  }
  const count = Math.floor((length - span) / stride) + 1;
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = range.start + i * stride;
  return out;
}
