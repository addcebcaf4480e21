import { type MetricInput, readPair } from './metricInput.js';

/**
 * Mean squared error `mean((p - t)^2)` over all elements, accumulated in float64.
 *
 * @param predictions - array or tensor.
 * @param targets - same shape as `predictions`.
 * @returns the MSE (a plain number; no tensors created).
 */
export function meanSquaredError(predictions: MetricInput, targets: MetricInput): number {
  const [p, t] = readPair('meanSquaredError', predictions, targets);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += ((p[i] as number) - (t[i] as number)) ** 2;
  return s / p.length;
}
