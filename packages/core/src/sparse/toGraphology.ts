import { LabInputError } from '../errors.js';
import { readOptions } from '../validation/readOptions.js';
import { checkSparseMatrix, type SparseMatrix } from './SparseMatrix.js';

/** The part of a `graphology` graph {@link toGraphology} writes (any `Graph` instance fits). */
export interface GraphologyGraphBuilder {
  addNode(key: string): unknown;
  addEdge(source: string, target: string, attributes?: Record<string, unknown>): unknown;
}

/**
 * A graphology graph class, e.g. the default export of `graphology` (declared structurally so
 * `@lab/core` needs neither `graphology` nor its types at run time).
 */
export type GraphConstructor<G extends GraphologyGraphBuilder = GraphologyGraphBuilder> = new (options?: {
  type?: 'directed' | 'undirected' | 'mixed';
  multi?: boolean;
  allowSelfLoops?: boolean;
}) => G;

/** Options of {@link toGraphology}. */
export interface ToGraphologyOptions {
  /** Node key of each row/column (default `'0'`, `'1'`, ...). */
  nodes?: readonly string[];
  /**
   * `undirected`: one edge per pair `i <= j` from the upper triangle (the matrix must be
   * symmetric); `directed`: one edge per stored entry. Default: `undirected` when the matrix is
   * symmetric, else `directed`.
   */
  type?: 'directed' | 'undirected';
  /** Edge attribute receiving the value (default `'weight'`; `null` = no attribute). */
  weightAttribute?: string | null;
  /** Skip stored entries equal to 0 (default `true`). */
  dropZeros?: boolean;
}

/**
 * Builds a `graphology` graph from a square {@link SparseMatrix} (inverse of `fromGraphology`
 * for simple graphs). Every row becomes a node (isolated ones too); self loops are kept.
 *
 * @param matrix - square adjacency (not modified).
 * @param Graph - the graphology class to instantiate (passed in so `@lab/core` does not load
 *   `graphology` itself; it is an optional peer dependency).
 * @param options - node keys, edge type, weight attribute.
 * @example
 * ```ts
 * import Graph from 'graphology';
 * const matrix = SparseMatrix.fromCoo([2, 2], [0, 1], [1, 0], [2, 2]);
 * const g = toGraphology(matrix, Graph, { nodes: ['a', 'b'] }); // a <-> b, weight 2
 * ```
 * @see https://graphology.github.io/
 */
export function toGraphology<G extends GraphologyGraphBuilder>(
  matrix: SparseMatrix,
  Graph: GraphConstructor<G>,
  options: ToGraphologyOptions = {},
): G {
  const fn = 'toGraphology';
  checkSparseMatrix(fn, 'matrix', matrix);
  if (matrix.rows !== matrix.cols) throw new LabInputError(fn, 'matrix', 'must be square', matrix.shape);
  if (typeof Graph !== 'function')
    throw new LabInputError(fn, 'Graph', 'must be a graphology Graph class', Graph);
  readOptions(fn, options, ['nodes', 'type', 'weightAttribute', 'dropZeros']);
  const n = matrix.rows;
  const nodes =
    options.nodes === undefined ? Array.from({ length: n }, (_, i) => String(i)) : [...options.nodes];
  if (nodes.length !== n)
    throw new LabInputError(fn, 'options.nodes', `must have one key per row (${n})`, nodes.length);
  if (new Set(nodes).size !== n || nodes.some((k) => typeof k !== 'string')) {
    throw new LabInputError(fn, 'options.nodes', 'must be distinct strings', options.nodes);
  }
  const symmetric = matrix.isSymmetric();
  const type = options.type ?? (symmetric ? 'undirected' : 'directed');
  if (type !== 'directed' && type !== 'undirected') {
    throw new LabInputError(fn, 'options.type', "must be 'directed' or 'undirected'", type);
  }
  if (type === 'undirected' && !symmetric) {
    throw new LabInputError(fn, 'matrix', "must be symmetric for options.type 'undirected'", matrix.shape);
  }
  const weightAttribute = options.weightAttribute === undefined ? 'weight' : options.weightAttribute;
  if (weightAttribute !== null && typeof weightAttribute !== 'string') {
    throw new LabInputError(fn, 'options.weightAttribute', 'must be a string or null', weightAttribute);
  }
  const dropZeros = options.dropZeros ?? true;
  const graph = new Graph({ type, multi: false, allowSelfLoops: true });
  for (const key of nodes) graph.addNode(key);
  const { indptr, indices, values } = matrix;
  for (let i = 0; i < n; i++) {
    for (let p = indptr[i] as number; p < (indptr[i + 1] as number); p++) {
      const j = indices[p] as number;
      const v = values[p] as number;
      if ((type === 'undirected' && j < i) || (dropZeros && v === 0)) continue;
      const attrs: Record<string, unknown> = weightAttribute === null ? {} : { [weightAttribute]: v };
      graph.addEdge(nodes[i] as string, nodes[j] as string, attrs);
    }
  }
  return graph;
}
