import { type MetricInput, readPair } from './metricInput.js';

/**
 * Mean absolute error `mean(|p - t|)` over all elements, accumulated in float64.
 *
 * @param predictions - array or tensor.
 * @param targets - same shape as `predictions`.
 * @returns the MAE (a plain number; no tensors created).
 */
export function meanAbsoluteError(predictions: MetricInput, targets: MetricInput): number {
  const [p, t] = readPair('meanAbsoluteError', predictions, targets);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs((p[i] as number) - (t[i] as number));
  return s / p.length;
}
