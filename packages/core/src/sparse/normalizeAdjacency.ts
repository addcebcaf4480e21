import { checkInteger, LabInputError } from '../errors.js';
import { readOptions } from '../validation/readOptions.js';
import { SparseMatrix } from './SparseMatrix.js';

/** An edge list: `source[e] -> target[e]` with optional weights, over `numNodes` nodes. */
export interface EdgeList {
  numNodes: number;
  source: ArrayLike<number>;
  target: ArrayLike<number>;
  /** Edge weights (default 1). */
  weight?: ArrayLike<number>;
}

/** Options of {@link normalizeAdjacency}. */
export interface NormalizeAdjacencyOptions {
  /**
   * Weight of the self loop added to every node, i.e. the `I` in `A + I` (default 1; 0 = none).
   * Added on top of any self loop already present.
   */
  selfLoopWeight?: number;
  /**
   * Edge lists only: add each edge in both directions (default `true`, as Cora's edge list
   * stores each undirected edge once). A `SparseMatrix` is used as given.
   */
  undirected?: boolean;
}

/**
 * The symmetric normalised adjacency of a GCN, `D^-1/2 (A + I) D^-1/2`, where `D` is the
 * diagonal degree matrix of `A + I` (row sums). Rows with zero degree (isolated nodes without a
 * self loop) stay zero instead of producing infinities.
 *
 * @param graph - a square {@link SparseMatrix} (used as given), or an {@link EdgeList}
 *   (duplicate edges are summed; by default each edge is added in both directions).
 * @param options - self-loop weight and edge-list direction handling.
 * @returns a new symmetric (for symmetric input) `SparseMatrix`.
 * @throws LabInputError on a non-square matrix, bad edge endpoints, negative degrees.
 * @example
 * ```ts
 * const ahat = normalizeAdjacency({ numNodes: 3, source: [0, 1], target: [1, 2] });
 * ```
 * @see Kipf & Welling, "Semi-Supervised Classification with Graph Convolutional Networks", ICLR 2017, eq. (2).
 */
export function normalizeAdjacency(
  graph: SparseMatrix | EdgeList,
  options: NormalizeAdjacencyOptions = {},
): SparseMatrix {
  const fn = 'normalizeAdjacency';
  readOptions(fn, options, ['selfLoopWeight', 'undirected']);
  const selfLoop = options.selfLoopWeight ?? 1;
  if (typeof selfLoop !== 'number' || !Number.isFinite(selfLoop)) {
    throw new LabInputError(fn, 'options.selfLoopWeight', 'must be a finite number', selfLoop);
  }
  let a: SparseMatrix;
  if (graph instanceof SparseMatrix) {
    if (graph.rows !== graph.cols)
      throw new LabInputError(fn, 'graph', 'must be a square matrix', graph.shape);
    a = graph;
  } else {
    if (graph === null || typeof graph !== 'object') {
      throw new LabInputError(
        fn,
        'graph',
        'must be a SparseMatrix or an edge list { numNodes, source, target }',
        graph,
      );
    }
    checkInteger(fn, 'graph.numNodes', graph.numNodes, 0, 2 ** 31 - 1);
    const { source, target, weight } = graph;
    if (source == null || typeof source.length !== 'number')
      throw new LabInputError(fn, 'graph.source', 'must be an array of node indices', source);
    if (target == null || target.length !== source.length) {
      throw new LabInputError(
        fn,
        'graph.target',
        `must be an array of the same length as source (${source.length})`,
        target,
      );
    }
    if (weight !== undefined && (weight == null || weight.length !== source.length)) {
      throw new LabInputError(
        fn,
        'graph.weight',
        `must have the same length as source (${source.length})`,
        weight,
      );
    }
    const both = options.undirected ?? true;
    const e = source.length;
    const size = both ? 2 * e : e;
    const rows = new Int32Array(size);
    const cols = new Int32Array(size);
    const vals = new Float32Array(size);
    for (let k = 0; k < e; k++) {
      for (const [arg, v] of [
        ['source', source[k]],
        ['target', target[k]],
      ] as const) {
        if (!Number.isInteger(v) || (v as number) < 0 || (v as number) >= graph.numNodes) {
          throw new LabInputError(
            fn,
            `graph.${arg}[${k}]`,
            `must be a node index in [0, ${graph.numNodes - 1}]`,
            v,
          );
        }
      }
      const w = weight === undefined ? 1 : (weight[k] as number);
      if (!Number.isFinite(w)) throw new LabInputError(fn, `graph.weight[${k}]`, 'must be finite', w);
      rows[k] = source[k] as number;
      cols[k] = target[k] as number;
      vals[k] = w;
      if (both) {
        rows[e + k] = target[k] as number;
        cols[e + k] = source[k] as number;
        vals[e + k] = w;
      }
    }
    // A self loop listed once in an undirected edge list is one loop, not two.
    if (both) {
      for (let k = 0; k < e; k++) if (rows[k] === cols[k]) vals[e + k] = 0;
    }
    a = SparseMatrix.fromCoo([graph.numNodes, graph.numNodes], rows, cols, vals);
  }
  const withLoops = selfLoop === 0 ? a : a.add(SparseMatrix.identity(a.rows, selfLoop));
  const deg = withLoops.rowSums();
  const dInvSqrt = new Float64Array(deg.length);
  for (let i = 0; i < deg.length; i++) {
    const d = deg[i] as number;
    if (d < 0) throw new LabInputError(fn, 'graph', `must have non-negative degrees (node ${i} has ${d})`, d);
    dInvSqrt[i] = d > 0 ? 1 / Math.sqrt(d) : 0;
  }
  return withLoops.scale(dInvSqrt, dInvSqrt);
}
