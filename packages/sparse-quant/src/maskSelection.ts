/**
 * Internal helpers behind every mask: group scores (element, block, unit) and deterministic
 * bottom-k selection. Plain typed arrays, no tensors.
 */

/** How magnitudes are turned into a score: `'l1'` uses |w|, `'l2'` uses w^2. */
export type ScoreNorm = 'l1' | 'l2';
/** How element scores are pooled over a group: mean (`'avg'`) or maximum (`'max'`). */
export type ScorePooling = 'avg' | 'max';

/** Numbers of elements. */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The weight seen as `[lead, rows, cols]` over its last two axes (rank 1 -> `[1, 1, n]`). */
export function view3(shape: readonly number[]): { lead: number; rows: number; cols: number } {
  const r = shape.length;
  if (r === 0) return { lead: 1, rows: 1, cols: 1 };
  if (r === 1) return { lead: 1, rows: 1, cols: shape[0]! };
  return { lead: numel(shape.slice(0, -2)), rows: shape[r - 2]!, cols: shape[r - 1]! };
}

/** Round half to even (as `tf.round` and tfmot's `tf.round`). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Groups to prune out of `n` at sparsity `s`: `n - round((1 - s) * n)` (tfmot keeps
 * `round((1 - s) * n)` with round-half-to-even).
 */
export function prunedCount(n: number, s: number): number {
  return n - roundHalfEven((1 - s) * n);
}

/**
 * Block scores over the last two axes: block `[br, bc]` must divide `[rows, cols]`. Returns
 * `lead * (rows / br) * (cols / bc)` scores in row-major block order.
 */
export function blockScores(
  values: ArrayLike<number>,
  shape: readonly number[],
  block: readonly [number, number],
  norm: ScoreNorm,
  pooling: ScorePooling,
): Float64Array {
  const { lead, rows, cols } = view3(shape);
  const [br, bc] = block;
  const nbr = rows / br;
  const nbc = cols / bc;
  const out = new Float64Array(lead * nbr * nbc);
  const inv = 1 / (br * bc);
  for (let l = 0; l < lead; l++) {
    for (let bi = 0; bi < nbr; bi++) {
      for (let bj = 0; bj < nbc; bj++) {
        let acc = 0;
        for (let r = 0; r < br; r++) {
          const base = l * rows * cols + (bi * br + r) * cols + bj * bc;
          for (let c = 0; c < bc; c++) {
            const v = values[base + c]!;
            const e = norm === 'l1' ? Math.abs(v) : v * v;
            acc = pooling === 'avg' ? acc + e : Math.max(acc, e);
          }
        }
        out[(l * nbr + bi) * nbc + bj] = pooling === 'avg' ? acc * inv : acc;
      }
    }
  }
  return out;
}

/** Expands a per-block keep flag (1 keep, 0 prune) to an element mask. */
export function expandBlockMask(
  keep: Uint8Array,
  shape: readonly number[],
  block: readonly [number, number],
): Uint8Array {
  const { lead, rows, cols } = view3(shape);
  const [br, bc] = block;
  const nbr = rows / br;
  const nbc = cols / bc;
  const mask = new Uint8Array(lead * rows * cols);
  for (let l = 0; l < lead; l++) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        mask[l * rows * cols + i * cols + j] = keep[(l * nbr + ((i / br) | 0)) * nbc + ((j / bc) | 0)]!;
      }
    }
  }
  return mask;
}

/**
 * Indices of the `k` smallest scores: ascending score, ties broken by the lower key
 * (`keys[i]`, default `i`) first. Deterministic; returns them in selection order.
 */
export function bottomK(scores: ArrayLike<number>, k: number): Int32Array {
  const n = scores.length;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => {
    const d = (scores[a] as number) - (scores[b] as number);
    return d !== 0 ? d : a - b;
  });
  return idx.slice(0, k);
}

/** Zeroes, in a `shape` mask, every element whose index along `axis` is `index`. */
export function zeroAlongAxis(mask: Uint8Array, shape: readonly number[], axis: number, index: number): void {
  const outer = numel(shape.slice(0, axis));
  const dim = shape[axis]!;
  const inner = numel(shape.slice(axis + 1));
  for (let o = 0; o < outer; o++) {
    const base = (o * dim + index) * inner;
    mask.fill(0, base, base + inner);
  }
}
