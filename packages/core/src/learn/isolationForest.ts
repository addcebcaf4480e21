import { checkInteger, LabInputError } from '../errors.js';
import type { Rng } from '../random/createRng.js';
import { readOptions } from '../validation/readOptions.js';
import type { SeedOptions } from '../validation/resolveRng.js';

/** Options of {@link isolationForest}. */
export interface IsolationForestOptions extends SeedOptions {
  /** Number of trees (default 100). */
  numTrees?: number;
  /** Rows sampled (without replacement) per tree (default 256, capped at the number of rows). */
  sampleSize?: number;
}

/** What {@link isolationForest} returns. */
export interface IsolationForestResult {
  /** Anomaly score per row, `2^(-E[h(x)] / c(psi))` in (0, 1]: higher = more isolated = more anomalous. */
  scores: Float64Array;
  /** Mean path length per row over the trees (with the `c(size)` correction at leaves). */
  meanPathLength: Float64Array;
}

/** Average path length of an unsuccessful BST search among `n` points: `2 H(n-1) - 2 (n-1)/n`. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  const harmonic = Math.log(n - 1) + 0.5772156649015329;
  return 2 * harmonic - (2 * (n - 1)) / n;
}

interface Node {
  feature: number;
  split: number;
  left: Node | null;
  right: Node | null;
  size: number;
}

function buildTree(
  x: Float64Array,
  dim: number,
  rows: Int32Array,
  depth: number,
  limit: number,
  rng: Rng,
): Node {
  if (depth >= limit || rows.length <= 1)
    return { feature: -1, split: 0, left: null, right: null, size: rows.length };
  // Pick a feature with spread among these rows (try each once in random order).
  const order = rng.permutation(dim);
  for (const f of order) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of rows) {
      const v = x[r * dim + f];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi > lo) {
      const split = lo + rng.next() * (hi - lo);
      const left: number[] = [];
      const right: number[] = [];
      for (const r of rows) (x[r * dim + f] < split ? left : right).push(r);
      return {
        feature: f,
        split,
        left: buildTree(x, dim, Int32Array.from(left), depth + 1, limit, rng),
        right: buildTree(x, dim, Int32Array.from(right), depth + 1, limit, rng),
        size: rows.length,
      };
    }
  }
  return { feature: -1, split: 0, left: null, right: null, size: rows.length };
}

/**
 * Isolation forest (Liu, Ting & Zhou 2008): each tree isolates a random subsample of `psi` rows
 * by random axis-aligned splits (a random feature, a uniform threshold between its min and max)
 * up to depth `ceil(log2 psi)`; a row's path length h(x) (plus `c(size)` at an unsplit leaf)
 * averaged over trees gives the anomaly score `s = 2^(-E[h(x)] / c(psi))`. Anomalies are
 * isolated in few splits and score near 1; typical rows score below 0.5. Seeded, pure JS.
 *
 * @param x - row-major data, `numRows x dim`, finite.
 * @param dim - number of columns.
 * @param options - `numTrees`, `sampleSize` and `seed` / `rng` (default seed 0).
 * @see Liu, Ting & Zhou, "Isolation Forest", ICDM 2008.
 */
export function isolationForest(
  x: Float64Array | Float32Array,
  dim: number,
  options: IsolationForestOptions = {},
): IsolationForestResult {
  const fn = 'isolationForest';
  checkInteger(fn, 'dim', dim, 1);
  if (!(x instanceof Float64Array || x instanceof Float32Array) || x.length % dim !== 0 || x.length === 0) {
    throw new LabInputError(
      fn,
      'x',
      `must be a non-empty Float64Array/Float32Array with a multiple of dim = ${dim} entries`,
      x,
    );
  }
  for (let p = 0; p < x.length; p++)
    if (!Number.isFinite(x[p])) throw new LabInputError(fn, `x[${p}]`, 'must be finite', x[p]);
  const rng = readOptions(fn, options, ['numTrees', 'sampleSize', 'seed', 'rng']).rng();
  const numTrees = options?.numTrees ?? 100;
  checkInteger(fn, 'options.numTrees', numTrees, 1);
  const n = x.length / dim;
  const psi = Math.min(options?.sampleSize ?? 256, n);
  checkInteger(fn, 'options.sampleSize', options?.sampleSize ?? 256, 2);
  const data = x instanceof Float64Array ? x : Float64Array.from(x);
  const limit = Math.ceil(Math.log2(Math.max(psi, 2)));
  const total = new Float64Array(n);
  for (let t = 0; t < numTrees; t++) {
    const tr = rng.fork(t);
    const tree = buildTree(data, dim, tr.sample(n, psi), 0, limit, tr);
    for (let r = 0; r < n; r++) {
      let node = tree;
      let depth = 0;
      while (node.left !== null && node.right !== null) {
        node = data[r * dim + node.feature] < node.split ? node.left : node.right;
        depth++;
      }
      total[r] += depth + averagePathLength(node.size);
    }
  }
  const c = averagePathLength(psi);
  const meanPathLength = new Float64Array(n);
  const scores = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    meanPathLength[r] = total[r] / numTrees;
    scores[r] = c === 0 ? 0.5 : 2 ** (-meanPathLength[r] / c);
  }
  return { scores, meanPathLength };
}
