import { LabInputError } from '../errors.js';
import { type MetricInput, type MetricSelection, readInput, selectRows } from './metricInput.js';

/** Options for {@link rocAuc}: restrict to a mask or an index subset. */
export type RocAucOptions = MetricSelection;

/**
 * Area under the ROC curve for binary labels, computed exactly through the Mann-Whitney U
 * statistic with average ranks for tied scores: AUC = (R+ - n+(n+ + 1)/2) / (n+ n-), where R+ is
 * the rank sum of the positives. Equals the fraction of (positive, negative) pairs ordered
 * correctly, ties counting 1/2. O(n log n).
 *
 * @param scores - 1-D scores (higher = more positive), finite; array or tensor.
 * @param labels - 1-D 0/1 or boolean labels; both classes must be present.
 * @param options - `mask` or `index` to score a subset.
 * @returns AUC in [0, 1].
 * @see Hanley & McNeil (1982), "The meaning and use of the area under a ROC curve", Radiology 143.
 */
export function rocAuc(scores: MetricInput, labels: MetricInput, options?: RocAucOptions): number {
  const fn = 'rocAuc';
  const s = readInput(fn, 'scores', scores);
  const l = readInput(fn, 'labels', labels);
  if (s.shape.length !== 1)
    throw new LabInputError(fn, 'scores', 'must be 1-D', `shape [${s.shape.join(', ')}]`);
  if (l.shape.length !== 1 || l.data.length !== s.data.length) {
    throw new LabInputError(
      fn,
      'labels',
      `must be 1-D with length ${s.data.length} like scores`,
      `shape [${l.shape.join(', ')}]`,
    );
  }
  const rows = selectRows(fn, s.data.length, options);
  const m = rows.length;
  const sc = new Float64Array(m);
  let nPos = 0;
  for (let k = 0; k < m; k++) {
    const i = rows[k] as number;
    const v = s.data[i] as number;
    if (!Number.isFinite(v)) throw new LabInputError(fn, `scores[${i}]`, 'must be finite', v);
    const y = l.data[i];
    if (y !== 0 && y !== 1) throw new LabInputError(fn, `labels[${i}]`, 'must be 0/1 or boolean', y);
    sc[k] = v;
    nPos += y;
  }
  const nNeg = m - nPos;
  if (nPos === 0 || nNeg === 0) {
    throw new LabInputError(
      fn,
      'labels',
      'must contain both classes (AUC is undefined for one class)',
      `${nPos} positives, ${nNeg} negatives`,
    );
  }
  const order = Array.from({ length: m }, (_, k) => k).sort((a, b) => (sc[a] as number) - (sc[b] as number));
  let rankSumPos = 0;
  for (let start = 0; start < m; ) {
    let end = start + 1;
    while (end < m && sc[order[end] as number] === sc[order[start] as number]) end++;
    const avgRank = (start + 1 + end) / 2; // ranks start+1 .. end
    for (let k = start; k < end; k++)
      if (l.data[rows[order[k] as number] as number] === 1) rankSumPos += avgRank;
    start = end;
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
