import { LabInputError } from '../errors.js';
import { type MetricInput, readPair } from './metricInput.js';

/**
 * Pearson correlation coefficient r between two equally shaped inputs (all elements, flattened),
 * computed with the two-pass formula in float64 for stability.
 *
 * @param x - array or tensor.
 * @param y - same shape as `x`.
 * @returns r in [-1, 1]; throws when either input is constant (r undefined).
 * @see https://en.wikipedia.org/wiki/Pearson_correlation_coefficient
 */
export function pearsonCorrelation(x: MetricInput, y: MetricInput): number {
  const fn = 'pearsonCorrelation';
  const [a, b] = readPair(fn, x, y, ['x', 'y']);
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] as number;
    mb += b[i] as number;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0) throw new LabInputError(fn, 'x', 'must not be constant (r undefined)');
  if (sbb === 0) throw new LabInputError(fn, 'y', 'must not be constant (r undefined)');
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}
