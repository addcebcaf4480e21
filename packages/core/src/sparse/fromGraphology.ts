import { LabInputError } from '../errors.js';
import { readOptions } from '../validation/readOptions.js';
import { SparseMatrix } from './SparseMatrix.js';

/**
 * The part of a `graphology` graph {@link fromGraphology} reads (any `Graph` instance fits).
 * Declared structurally so `@lab/core` needs neither `graphology` nor its types at run time.
 */
export interface GraphologyGraphLike {
  /** Number of nodes. */
  readonly order: number;
  nodes(): string[];
  hasNode(key: string): boolean;
  forEachEdge(
    callback: (
      edge: string,
      attributes: Record<string, unknown>,
      source: string,
      target: string,
      sourceAttributes: Record<string, unknown>,
      targetAttributes: Record<string, unknown>,
      undirected: boolean,
    ) => void,
  ): void;
}

/** Options of {@link fromGraphology}. */
export interface FromGraphologyOptions {
  /** Node keys in matrix order (a permutation of the graph's nodes); default `graph.nodes()`. */
  nodes?: readonly string[];
  /**
   * Edge attribute holding the weight (default `'weight'`); edges without it weigh 1.
   * `null` ignores attributes (every edge weighs 1).
   */
  weightAttribute?: string | null;
  /**
   * Also add directed edges in the reverse direction, giving a symmetric matrix (default
   * `false`). Undirected edges always contribute both directions.
   */
  symmetrize?: boolean;
}

/** What {@link fromGraphology} returns. */
export interface FromGraphologyResult {
  /** `n x n` adjacency: `A[i, j]` = summed weight of edges `i -> j` (and of undirected `i -- j`). */
  matrix: SparseMatrix;
  /** Node key of each row/column. */
  nodes: string[];
}

/**
 * Adjacency matrix of a `graphology` graph (any type: directed, undirected, mixed, multi).
 *
 * A directed edge `s -> t` sets `A[s, t]`; an undirected edge sets `A[s, t]` and `A[t, s]` (a
 * self loop once, on the diagonal); parallel edges are summed. Weights come from
 * `weightAttribute`; a non-numeric or non-finite weight throws.
 *
 * @param graph - a graphology graph (not modified).
 * @param options - node order, weight attribute, symmetrisation.
 * @example
 * ```ts
 * import Graph from 'graphology';
 * const g = new Graph({ type: 'undirected' });
 * g.mergeEdge('a', 'b', { weight: 2 });
 * const { matrix, nodes } = fromGraphology(g); // nodes = ['a', 'b'], matrix = [[0, 2], [2, 0]]
 * ```
 * @see https://graphology.github.io/
 */
export function fromGraphology(
  graph: GraphologyGraphLike,
  options: FromGraphologyOptions = {},
): FromGraphologyResult {
  const fn = 'fromGraphology';
  const g = graph as Partial<GraphologyGraphLike> | null;
  if (
    g === null ||
    typeof g !== 'object' ||
    typeof g.forEachEdge !== 'function' ||
    typeof g.nodes !== 'function'
  ) {
    throw new LabInputError(fn, 'graph', 'must be a graphology graph', graph);
  }
  readOptions(fn, options, ['nodes', 'weightAttribute', 'symmetrize']);
  const weightAttribute = options.weightAttribute === undefined ? 'weight' : options.weightAttribute;
  if (weightAttribute !== null && typeof weightAttribute !== 'string') {
    throw new LabInputError(fn, 'options.weightAttribute', 'must be a string or null', weightAttribute);
  }
  const symmetrize = options.symmetrize ?? false;
  const nodes = options.nodes === undefined ? graph.nodes() : [...options.nodes];
  if (!Array.isArray(nodes))
    throw new LabInputError(fn, 'options.nodes', 'must be an array of node keys', options.nodes);
  const index = new Map<string, number>();
  nodes.forEach((key, i) => {
    if (typeof key !== 'string' || !graph.hasNode(key)) {
      throw new LabInputError(fn, `options.nodes[${i}]`, 'must be a node key of the graph', key);
    }
    if (index.has(key)) throw new LabInputError(fn, `options.nodes[${i}]`, 'must not repeat a node', key);
    index.set(key, i);
  });
  if (nodes.length !== graph.order) {
    throw new LabInputError(
      fn,
      'options.nodes',
      `must list all ${graph.order} nodes of the graph`,
      nodes.length,
    );
  }
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  graph.forEachEdge((edge, attrs, source, target, _sa, _ta, undirected) => {
    let w = 1;
    if (weightAttribute !== null && attrs[weightAttribute] !== undefined) {
      w = attrs[weightAttribute] as number;
      if (typeof w !== 'number' || !Number.isFinite(w)) {
        throw new LabInputError(fn, `graph edge ${edge}.${weightAttribute}`, 'must be a finite number', w);
      }
    }
    const s = index.get(source) as number;
    const t = index.get(target) as number;
    rows.push(s);
    cols.push(t);
    vals.push(w);
    if ((undirected || symmetrize) && s !== t) {
      rows.push(t);
      cols.push(s);
      vals.push(w);
    }
  });
  return { matrix: SparseMatrix.fromCoo([nodes.length, nodes.length], rows, cols, vals), nodes };
}
