import { LabInputError } from '../errors.js';
import type { LabeledGraph } from './LabeledGraph.js';

/**
 * The arrays behind a {@link LabeledGraph}: node order, row-major features, labels, the
 * undirected edge list (each edge once, `i < j`, sorted) and the split as node indices.
 * Plain typed arrays, no tensors. Built by {@link graphArrays}.
 */
export interface GraphArrays {
  nodes: string[];
  index: Map<string, number>;
  numNodes: number;
  numFeatures: number;
  /** `numNodes * numFeatures`, row-major. */
  features: Float32Array;
  /** Class per node, -1 when unknown. */
  labels: Int32Array;
  numClasses: number;
  /** Edge endpoints: edge e is `(edges[2e], edges[2e + 1])` with the first < the second. */
  edges: Int32Array;
  numEdges: number;
  train: Int32Array;
  val: Int32Array;
  test: Int32Array;
}

/**
 * Throws a `LabInputError` unless `graph` is an undirected, non-multi graphology graph (the
 * shape every {@link LabeledGraph} function accepts).
 *
 * @param fn - function name for the error message.
 * @param arg - argument name for the error message.
 * @param graph - the value to check.
 */
export function checkUndirectedGraph(fn: string, arg: string, graph: unknown): asserts graph is LabeledGraph {
  const g = graph as { forEachNode?: unknown; type?: unknown; multi?: unknown } | null;
  if (g === null || typeof g !== 'object' || typeof g.forEachNode !== 'function') {
    throw new LabInputError(fn, arg, 'must be a graphology graph', graph);
  }
  if (g.type !== 'undirected') {
    throw new LabInputError(
      fn,
      arg,
      "must be an undirected graph (graphology type 'undirected')",
      `type '${String(g.type)}'`,
    );
  }
  if (g.multi) throw new LabInputError(fn, arg, 'must not be a multi graph', 'multi graph');
}

/**
 * Extracts the arrays behind a {@link LabeledGraph}: node order (= `graph.nodes()` order),
 * row-major features, labels, the undirected edge list (each edge once, `i < j`, sorted by
 * `(i, j)`) and the train / val / test node indices (ascending). `numClasses` is 1 + the largest
 * label, or the graph attribute `numClasses` when that is larger.
 *
 * @param graph - an undirected graph whose nodes all carry `features` of one length and a `label`.
 * @param fn - function name for error messages (default `'graphArrays'`).
 * @returns plain typed arrays (no tensors); the graph is not modified.
 * @throws LabInputError for a directed or mixed graph, a multi graph, self loops, missing or
 *   ragged or non-finite features, or labels that are not integers >= -1.
 * @see Kipf & Welling, "Semi-Supervised Classification with Graph Convolutional Networks", ICLR 2017.
 */
export function graphArrays(graph: LabeledGraph, fn = 'graphArrays'): GraphArrays {
  checkUndirectedGraph(fn, 'graph', graph);
  const nodes = graph.nodes();
  const numNodes = nodes.length;
  if (numNodes === 0) throw new LabInputError(fn, 'graph', 'must have at least one node', 'empty graph');
  const index = new Map<string, number>();
  for (let i = 0; i < numNodes; i++) index.set(nodes[i] as string, i);

  let numFeatures = -1;
  let features = new Float32Array(0);
  const labels = new Int32Array(numNodes);
  const train: number[] = [];
  const val: number[] = [];
  const test: number[] = [];
  let maxLabel = -1;
  for (let i = 0; i < numNodes; i++) {
    const node = nodes[i] as string;
    const attrs = graph.getNodeAttributes(node) as unknown as Partial<Record<string, unknown>>;
    const f = attrs.features as ArrayLike<number> | undefined;
    if (f === undefined || f === null || typeof f !== 'object' || typeof f.length !== 'number') {
      throw new LabInputError(
        fn,
        `graph node '${node}' attribute 'features'`,
        'must be a Float32Array or number[]',
        f,
      );
    }
    if (numFeatures < 0) {
      numFeatures = f.length;
      if (numFeatures === 0)
        throw new LabInputError(fn, `graph node '${node}' attribute 'features'`, 'must not be empty', f);
      features = new Float32Array(numNodes * numFeatures);
    } else if (f.length !== numFeatures) {
      throw new LabInputError(
        fn,
        `graph node '${node}' attribute 'features'`,
        `must have length ${numFeatures} like node '${nodes[0]}' (ragged features)`,
        f.length,
      );
    }
    const off = i * numFeatures;
    for (let k = 0; k < numFeatures; k++) {
      const v = f[k] as number;
      if (!Number.isFinite(v)) {
        throw new LabInputError(
          fn,
          `graph node '${node}' attribute 'features'`,
          'must hold finite numbers',
          v,
        );
      }
      features[off + k] = v;
    }
    const label = attrs.label;
    if (typeof label !== 'number' || !Number.isInteger(label) || label < -1) {
      throw new LabInputError(
        fn,
        `graph node '${node}' attribute 'label'`,
        'must be an integer >= -1 (-1 = unknown)',
        label,
      );
    }
    labels[i] = label;
    if (label > maxLabel) maxLabel = label;
    const split = attrs.split;
    if (split !== undefined && split !== 'train' && split !== 'val' && split !== 'test') {
      throw new LabInputError(
        fn,
        `graph node '${node}' attribute 'split'`,
        "must be 'train', 'val', 'test' or undefined",
        split,
      );
    }
    if (split !== undefined && label < 0) {
      throw new LabInputError(
        fn,
        `graph node '${node}' attribute 'label'`,
        `must be known (>= 0) for a '${split}' node`,
        label,
      );
    }
    if (split === 'train') train.push(i);
    else if (split === 'val') val.push(i);
    else if (split === 'test') test.push(i);
  }
  const declared = graph.getAttribute('numClasses' as never) as unknown;
  const numClasses = Math.max(
    maxLabel + 1,
    typeof declared === 'number' && Number.isInteger(declared) ? declared : 0,
  );

  const numEdges = graph.size;
  const keys = new Float64Array(numEdges);
  let e = 0;
  graph.forEachEdge((_edge, _attrs, source, target) => {
    const a = index.get(source) as number;
    const b = index.get(target) as number;
    if (a === b)
      throw new LabInputError(fn, 'graph', 'must not have self loops', `self loop on node '${source}'`);
    keys[e++] = a < b ? a * numNodes + b : b * numNodes + a;
  });
  keys.sort();
  const edges = new Int32Array(2 * numEdges);
  for (let k = 0; k < numEdges; k++) {
    const key = keys[k] as number;
    const i = Math.floor(key / numNodes);
    edges[2 * k] = i;
    edges[2 * k + 1] = key - i * numNodes;
  }
  return {
    nodes,
    index,
    numNodes,
    numFeatures,
    features,
    labels,
    numClasses,
    edges,
    numEdges,
    train: Int32Array.from(train),
    val: Int32Array.from(val),
    test: Int32Array.from(test),
  };
}
