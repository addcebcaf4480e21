import { LabInputError, readOptions } from '@lab/core';

/** Options of {@link StandardScaler.fit}. */
export interface StandardScalerFitOptions {
  /** Columns of the row-major matrix. */
  cols: number;
  /** First training row (default 0). */
  start?: number;
  /** End of the training rows, exclusive (default: every row). */
  end?: number;
}

/**
 * Per-column z-normalisation `(x - mean) / std` with statistics from a range of training rows
 * (population standard deviation, as scikit-learn's `StandardScaler` used by the ETT code).
 * Works on row-major `rows x cols` arrays; never modifies its input.
 *
 * @see Zhou et al., "Informer", AAAI 2021 (train-statistics scaling of ETT).
 */
export class StandardScaler {
  readonly mean: Float64Array;
  readonly std: Float64Array;

  constructor(mean: ArrayLike<number>, std: ArrayLike<number>) {
    if (mean.length !== std.length || mean.length === 0) {
      throw new LabInputError(
        'StandardScaler',
        'std',
        `must have the length of mean (${mean.length})`,
        std.length,
      );
    }
    for (let j = 0; j < std.length; j++) {
      if (!Number.isFinite(mean[j]!) || !(std[j]! > 0) || !Number.isFinite(std[j]!)) {
        throw new LabInputError(
          'StandardScaler',
          `std[${j}]`,
          'must be finite and > 0 (a constant column cannot be scaled)',
          std[j],
        );
      }
    }
    this.mean = Float64Array.from(mean);
    this.std = Float64Array.from(std);
  }

  /** Number of columns. */
  get cols(): number {
    return this.mean.length;
  }

  /**
   * Fits mean and population std of each column over rows `[start, end)` of a row-major matrix.
   * A constant column gets std 1 (it is only centred).
   *
   * @param values - row-major `rows x cols` values (not modified).
   * @param options - `cols`, and the row range `start` (default 0) .. `end` (default all rows).
   */
  static fit(values: ArrayLike<number>, options: StandardScalerFitOptions): StandardScaler {
    const fn = 'StandardScaler.fit';
    const o = readOptions(fn, options, ['cols', 'start', 'end']);
    const cols = o.integer('cols', undefined, { min: 1 });
    const start = o.integer('start', 0, { min: 0 });
    const end = o.optionalNumber('end', { integer: true, min: 0 });
    if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
      throw new LabInputError(fn, 'values', 'must be an array of numbers', values);
    }
    if (!Number.isInteger(cols) || cols < 1)
      throw new LabInputError(fn, 'cols', 'must be a positive integer', cols);
    if (values.length % cols !== 0)
      throw new LabInputError(fn, 'values', `must have a length divisible by cols (${cols})`, values.length);
    const rows = values.length / cols;
    const e = end ?? rows;
    if (!Number.isInteger(start) || !Number.isInteger(e) || start < 0 || e > rows || e - start < 1) {
      throw new LabInputError(fn, 'end', `must give a non-empty row range inside [0, ${rows}]`, [start, e]);
    }
    const mean = new Float64Array(cols);
    const m2 = new Float64Array(cols);
    for (let r = start; r < e; r++) for (let j = 0; j < cols; j++) mean[j]! += values[r * cols + j]!;
    for (let j = 0; j < cols; j++) mean[j]! /= e - start;
    for (let r = start; r < e; r++)
      for (let j = 0; j < cols; j++) {
        const d = values[r * cols + j]! - mean[j]!;
        m2[j]! += d * d;
      }
    const std = Array.from(m2, (s) => {
      const v = Math.sqrt(s / (e - start));
      return v > 0 ? v : 1;
    });
    return new StandardScaler(mean, std);
  }

  private check(fn: string, values: ArrayLike<number>): void {
    if (
      values === null ||
      typeof values !== 'object' ||
      typeof values.length !== 'number' ||
      values.length % this.cols !== 0
    ) {
      throw new LabInputError(
        fn,
        'values',
        `must be a row-major array with a multiple of ${this.cols} entries`,
        values?.length,
      );
    }
  }

  /** `(x - mean) / std`, column by column, as a new Float32Array. */
  transform(values: ArrayLike<number>): Float32Array {
    this.check('StandardScaler.transform', values);
    const out = new Float32Array(values.length);
    const c = this.cols;
    for (let i = 0; i < values.length; i++) out[i] = (values[i]! - this.mean[i % c]!) / this.std[i % c]!;
    return out;
  }

  /** `x std + mean`, column by column (the inverse of {@link StandardScaler.transform}). */
  inverseTransform(values: ArrayLike<number>): Float64Array {
    this.check('StandardScaler.inverseTransform', values);
    const out = new Float64Array(values.length);
    const c = this.cols;
    for (let i = 0; i < values.length; i++) out[i] = values[i]! * this.std[i % c]! + this.mean[i % c]!;
    return out;
  }
}
