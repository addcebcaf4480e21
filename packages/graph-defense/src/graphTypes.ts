import type Graph from 'graphology';

/**
 * Node attributes every function of this package reads: `features` (same length on every
 * node), `label` (class index, or -1 when unknown) and an optional `split`.
 */
export interface NodeAttributes {
  features: Float32Array | number[];
  label: number;
  split?: 'train' | 'val' | 'test';
}

/** An undirected graphology graph whose nodes carry {@link NodeAttributes}. */
export type LabeledGraph = Graph<NodeAttributes>;

/** One edge flip: add an edge that was absent, or remove one that was present. */
export interface EdgeFlip {
  source: string;
  target: string;
  op: 'add' | 'remove';
}

/** What every global or targeted attack returns. */
export interface AttackResult {
  /** A perturbed copy; the input graph is never modified. */
  graph: LabeledGraph;
  /** Exactly the flips that turn the input into `graph`, in the order they were chosen. */
  flips: EdgeFlip[];
  /** Budget the attack was given (number of flips). */
  budget: number;
}

/**
 * The arrays behind a {@link LabeledGraph}: node order, row-major features, labels, the
 * undirected edge list (each edge once, `i < j`, sorted) and the split as node indices.
 * Plain typed arrays, no tensors.
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
