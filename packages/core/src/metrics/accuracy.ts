import { LabInputError } from '../errors.js';
import { type MetricInput, type MetricSelection, readInput, selectRows } from './metricInput.js';

/** Options for {@link accuracy}: restrict to a mask or an index subset (e.g. the test nodes). */
export type AccuracyOptions = MetricSelection;

/** Class per row: the value itself for 1-D input, the first maximum (argmax) for 2-D input. */
function classesOf(
  fn: string,
  arg: string,
  x: MetricInput,
): { cls: Float64Array | ArrayLike<number>; n: number } {
  const { data, shape } = readInput(fn, arg, x);
  if (shape.length === 1) return { cls: data, n: shape[0] as number };
  if (shape.length !== 2 || (shape[1] as number) < 1) {
    throw new LabInputError(
      fn,
      arg,
      'must be 1-D class labels or 2-D [n, classes] scores',
      `shape [${shape.join(', ')}]`,
    );
  }
  const [n, c] = shape as [number, number];
  const cls = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestV = data[i * c] as number;
    for (let j = 1; j < c; j++) {
      const v = data[i * c + j] as number;
      if (v > bestV || (Number.isNaN(bestV) && !Number.isNaN(v))) {
        best = j;
        bestV = v;
      }
    }
    if (Number.isNaN(bestV)) throw new LabInputError(fn, `${arg}[${i}]`, 'must not be all NaN');
    cls[i] = best;
  }
  return { cls, n };
}

/**
 * Classification accuracy: the fraction of selected examples whose predicted class equals the label.
 *
 * `predictions` are class ids (1-D) or scores/logits/probabilities `[n, classes]` (argmax, ties
 * to the lowest class, as `tf.argMax`). `labels` are class ids (1-D) or one-hot `[n, classes]`.
 * Arrays or tensors; nothing is disposed or modified and no tensors are created.
 *
 * @param predictions - predicted classes or scores.
 * @param labels - true classes.
 * @param options - `mask` (length n, 0/1 or boolean) or `index` (example ids) to score a subset.
 * @returns accuracy in [0, 1].
 * @example
 * ```ts
 * const logits = tf.tensor2d([[2, 1], [0, 3], [1, 0]]); // predicted classes 0, 1, 0
 * accuracy(logits, [0, 1, 1]); // 2/3
 * accuracy(logits, [0, 1, 1], { index: [0, 1] }); // 1 (a subset, e.g. a graph's testIndex)
 * ```
 */
export function accuracy(predictions: MetricInput, labels: MetricInput, options?: AccuracyOptions): number {
  const fn = 'accuracy';
  const p = classesOf(fn, 'predictions', predictions);
  const l = classesOf(fn, 'labels', labels);
  if (p.n !== l.n) throw new LabInputError(fn, 'labels', `must have ${p.n} rows like predictions`, l.n);
  const rows = selectRows(fn, p.n, options);
  if (rows.length === 0) throw new LabInputError(fn, 'options', 'must select at least one example');
  let correct = 0;
  for (const i of rows) if (p.cls[i] === l.cls[i]) correct++;
  return correct / rows.length;
}
