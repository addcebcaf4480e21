import type * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import type { FitHistory, FitProgress } from '../nn/fit.js';
import { nextTurn } from '../nn/nextTurn.js';
import { normalizeAdjacency } from '../sparse/normalizeAdjacency.js';
import { SparseMatrix } from '../sparse/SparseMatrix.js';
import { type GraphArrays, graphArrays } from './graphArrays.js';
import type { LabeledGraph } from './LabeledGraph.js';

/** Which nodes to score: a split name or explicit node indices (graph order). */
export type NodeSelection = 'train' | 'val' | 'test' | 'all' | Int32Array | readonly number[];

/**
 * What `Gcn` and `Sgc` are once fitted: a trained node classifier that
 * can be evaluated on its training graph or on any graph with the same nodes in the same order
 * (an evasion attack's perturbed copy).
 */
export interface NodeClassifier {
  /** Node keys of the training graph, in the order rows of the outputs follow. */
  readonly nodes: readonly string[];
  readonly numClasses: number;
  /** Logits `[N, C]` (caller disposes); without `graph`, on the training graph. */
  logits(graph?: LabeledGraph | GraphArrays): tf.Tensor2D;
  /** Softmax probabilities, row-major `N * C`. */
  probabilities(graph?: LabeledGraph | GraphArrays): Float32Array;
  /** Arg-max class per node. */
  predict(graph?: LabeledGraph | GraphArrays): Int32Array;
  /** Accuracy on a split (default `'test'`) or explicit nodes, against the graph's labels. */
  accuracy(graph?: LabeledGraph | GraphArrays, nodes?: NodeSelection): number;
  /** Frees the model's tensors. */
  dispose(): void;
}

/** True for a {@link GraphArrays} record (as opposed to a graphology graph). */
function isGraphArrays(x: unknown): x is GraphArrays {
  return (
    x !== null &&
    typeof x === 'object' &&
    (x as GraphArrays).edges instanceof Int32Array &&
    (x as GraphArrays).features instanceof Float32Array &&
    typeof (x as GraphArrays).numNodes === 'number'
  );
}

/**
 * A graph or its arrays, as arrays ({@link graphArrays} of a graph; a `GraphArrays` as is).
 *
 * @param fn - function name for error messages.
 * @param graph - a labelled graph or its arrays.
 */
export function asGraphArrays(fn: string, graph: LabeledGraph | GraphArrays): GraphArrays {
  return isGraphArrays(graph) ? graph : graphArrays(graph as LabeledGraph, fn);
}

/**
 * Node indices of a selection: a split's indices, every labelled node (`'all'`), or explicit
 * indices checked to lie in `[0, numNodes)`.
 *
 * @param fn - function name for error messages.
 * @param a - the graph's arrays.
 * @param nodes - the selection.
 */
export function selectNodes(fn: string, a: GraphArrays, nodes: NodeSelection): Int32Array {
  if (nodes === 'train' || nodes === 'val' || nodes === 'test') return a[nodes];
  if (nodes === 'all') {
    const out: number[] = [];
    for (let i = 0; i < a.numNodes; i++) if ((a.labels[i] as number) >= 0) out.push(i);
    return Int32Array.from(out);
  }
  if (!(nodes instanceof Int32Array) && !Array.isArray(nodes)) {
    throw new LabInputError(fn, 'nodes', "must be 'train' | 'val' | 'test' | 'all' or node indices", nodes);
  }
  for (const i of nodes) {
    if (!Number.isInteger(i) || i < 0 || i >= a.numNodes) {
      throw new LabInputError(fn, 'nodes', `must hold node indices in [0, ${a.numNodes})`, i);
    }
  }
  return Int32Array.from(nodes);
}

/** Fraction of `index` whose prediction equals the label (NaN for an empty selection). */
export function accuracyOf(pred: Int32Array, labels: Int32Array, index: Int32Array): number {
  if (index.length === 0) return Number.NaN;
  let ok = 0;
  for (const i of index) if (pred[i] === labels[i]) ok++;
  return ok / index.length;
}

/** Row-wise arg-max of an `N x C` row-major array. */
export function argmaxRows(values: ArrayLike<number>, numClasses: number): Int32Array {
  const n = values.length / numClasses;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const off = i * numClasses;
    let best = 0;
    for (let c = 1; c < numClasses; c++)
      if ((values[off + c] as number) > (values[off + best] as number)) best = c;
    out[i] = best;
  }
  return out;
}

/** Whether every feature is >= 0 (then features are row-normalised by default, as Kipf's code does). */
export function nonNegative(features: Float32Array): boolean {
  for (let k = 0; k < features.length; k++) if ((features[k] as number) < 0) return false;
  return true;
}

/**
 * Sparse features (CSR of the non-zeros), optionally each row scaled to sum 1 (Kipf's
 * `preprocess_features`; rows summing to 0 stay as they are). Internal.
 */
export function sparseFeatures(a: GraphArrays, rowNormalize: boolean): SparseMatrix {
  const { numNodes: n, numFeatures: f, features } = a;
  const indptr = new Int32Array(n + 1);
  let nnz = 0;
  for (let k = 0; k < features.length; k++) if (features[k] !== 0) nnz++;
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const off = i * f;
    let sum = 0;
    const start = p;
    for (let j = 0; j < f; j++) {
      const v = features[off + j] as number;
      if (v !== 0) {
        indices[p] = j;
        values[p++] = v;
        sum += v;
      }
    }
    if (rowNormalize && sum !== 0) for (let q = start; q < p; q++) values[q] = (values[q] as number) / sum;
    indptr[i + 1] = p;
  }
  return SparseMatrix.fromCsr([n, f], indptr, indices, values);
}

/** `D^-1/2 (A + I) D^-1/2` of the graph's edge list. Internal. */
export function normalizedAdjacency(a: GraphArrays): SparseMatrix {
  const source = new Int32Array(a.numEdges);
  const target = new Int32Array(a.numEdges);
  for (let e = 0; e < a.numEdges; e++) {
    source[e] = a.edges[2 * e] as number;
    target[e] = a.edges[2 * e + 1] as number;
  }
  return normalizeAdjacency({ numNodes: a.numNodes, source, target });
}

/**
 * Throws a `LabInputError` unless `other` has the node keys `nodes` in the same order (a model
 * trained on one graph evaluated on a perturbed copy of it).
 *
 * @param fn - function name for error messages.
 * @param nodes - the training graph's node keys.
 * @param other - the graph to evaluate on.
 */
export function checkSameNodes(fn: string, nodes: readonly string[], other: GraphArrays): void {
  if (other.numNodes !== nodes.length) {
    throw new LabInputError(
      fn,
      'graph',
      `must have the training graph's ${nodes.length} nodes`,
      other.numNodes,
    );
  }
  for (let i = 0; i < nodes.length; i++) {
    if (other.nodes[i] !== nodes[i]) {
      throw new LabInputError(
        fn,
        'graph',
        `must list the training graph's nodes in the same order (position ${i}: '${nodes[i]}')`,
        other.nodes[i],
      );
    }
  }
}

/**
 * Reads a tensor into a Float32Array and disposes it. Use instead of returning `dataSync()` from
 * `tf.tidy`: tidy walks a returned typed array element by element looking for tensors (~0.5 us per
 * element measured here, 0.7 s for 1e6 floats). Internal.
 */
export function readAndDispose(t: tf.Tensor): Float32Array {
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
}

/** The training node indices (`trainNodes`, or the `'train'` split), checked non-empty and labelled. Internal. */
export function trainingNodes(fn: string, a: GraphArrays, trainNodes: NodeSelection | undefined): Int32Array {
  const index = trainNodes === undefined ? a.train : selectNodes(fn, a, trainNodes);
  if (index.length === 0) throw new LabInputError(fn, 'graph', "must have training nodes (split 'train')", 0);
  for (const i of index) {
    if ((a.labels[i] as number) < 0)
      throw new LabInputError(fn, 'options.trainNodes', 'must be labelled nodes', i);
  }
  return index;
}

/** The `onProgress` option of `Gcn.fit` / `Sgc.fit`: called after each epoch (may be async); returning `false` stops. */
export type GraphFitProgressCallback = (
  p: FitProgress,
) => boolean | undefined | Promise<boolean | undefined> | void | Promise<void>;

/** A graph's arrays, checked to have `numFeatures` features per node. Internal. */
export function arraysWithFeatures(
  fn: string,
  graph: LabeledGraph | GraphArrays,
  numFeatures: number,
): GraphArrays {
  const arrays = asGraphArrays(fn, graph);
  if (arrays.numFeatures !== numFeatures) {
    throw new LabInputError(fn, 'graph', `must have ${numFeatures} features per node`, arrays.numFeatures);
  }
  return arrays;
}

/**
 * Records a finished epoch of a full-batch `fit` in `history` (loss, lr, best monitored value),
 * reports it through `onProgress` (else yields to the event loop) and says whether to stop
 * (non-finite loss, or `onProgress` returned `false`; `history.stopReason` is set). Internal.
 */
export async function endEpoch(
  history: FitHistory,
  epoch: number,
  report: { loss: number; valLoss: number; metrics: Record<string, number>; lr: number; startedAt: number },
  onProgress: GraphFitProgressCallback | undefined,
): Promise<boolean> {
  const { loss, valLoss, metrics, lr } = report;
  history.loss.push(loss);
  history.lr.push(lr);
  history.epochsRun = epoch + 1;
  history.steps = epoch + 1;
  const monitored = Number.isNaN(valLoss) ? loss : valLoss;
  if (Number.isFinite(monitored) && !(monitored >= history.bestValue)) {
    history.bestValue = monitored;
    history.bestEpoch = epoch;
  }
  if (!Number.isFinite(loss)) {
    history.stopReason = 'nonFiniteLoss';
    return true;
  }
  if (onProgress === undefined) {
    await nextTurn();
    return false;
  }
  const verdict = await onProgress({
    phase: 'epoch',
    epoch,
    step: epoch + 1,
    loss,
    valLoss,
    metrics,
    lr,
    elapsedMs: performance.now() - report.startedAt,
  });
  if (verdict === false) {
    history.stopReason = 'callback';
    return true;
  }
  return false;
}
