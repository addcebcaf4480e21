import {
  Adam,
  checkInteger,
  checkRange,
  createRng,
  LabInputError,
  type Rng,
  type SparseMatrix,
  sparseDenseMatMul,
} from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import type { GraphArrays, LabeledGraph } from './graphTypes.js';
import {
  accuracyOf,
  argmaxRows,
  asGraphArrays,
  type NodeClassifier,
  type NodeSelection,
  nonNegative,
  normalizedAdjacency,
  readAndDispose,
  sameGraphArrays,
  selectNodes,
  sparseFeatures,
  trainingNodes,
} from './nodeClassifier.js';

/** Options of {@link trainGcn}; defaults are Kipf & Welling's Cora settings. */
export interface TrainGcnOptions {
  /** Hidden units (default 16). */
  hidden?: number;
  /** Dropout rate on the input's non-zeros and on the hidden layer (default 0.5). */
  dropout?: number;
  /** Adam learning rate (default 0.01). */
  lr?: number;
  /** L2 penalty on the first layer's weights, gradient `weightDecay * W1` (default 5e-4). */
  weightDecay?: number;
  /** Full-batch training epochs (default 200); the final model is returned (no early stopping). */
  epochs?: number;
  /**
   * Scale each feature row to sum 1 (Kipf's `preprocess_features`). Default: `true` when every
   * feature is >= 0 (bag-of-words), `false` otherwise (e.g. Gaussian CSBM features).
   */
  normalizeFeatures?: boolean;
  /** Training nodes (indices in graph order); default: nodes whose `split` is `'train'`. */
  trainNodes?: Int32Array | readonly number[];
  seed: number | string;
  /** Called after every epoch. */
  onEpoch?: (record: GcnEpochRecord) => void;
}

/** One epoch of {@link trainGcn}. */
export interface GcnEpochRecord {
  epoch: number;
  /** Cross-entropy on the training nodes with dropout (the optimised loss without the L2 term). */
  loss: number;
  /** Wall time of the training step (forward, backward, Adam update), ms. */
  ms: number;
}

/** Result of {@link trainGcn}. */
export interface TrainGcnResult {
  model: GcnModel;
  trainAccuracy: number;
  valAccuracy: number;
  testAccuracy: number;
  history: GcnEpochRecord[];
  /** Mean training-step time per epoch, ms. */
  msPerEpoch: number;
}

type GcnParams = Record<'W1' | 'b1' | 'W2' | 'b2', tf.Variable>;

function glorot(rng: Rng, fanIn: number, fanOut: number): tf.Tensor2D {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.tensor2d(rng.fillUniform(new Float32Array(fanIn * fanOut), -limit, limit), [fanIn, fanOut]);
}

function dropoutScale(rng: Rng, size: number, rate: number): Float32Array {
  const out = new Float32Array(size);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < size; i++) out[i] = rng.next() < rate ? 0 : keep;
  return out;
}

/**
 * A trained 2-layer GCN, `Z = Â relu(Â X W1 + b1) W2 + b2`, `Â = D^-1/2 (A + I) D^-1/2`. Built by
 * {@link trainGcn}. `X` stays sparse; `Â` is sparse for the standard forward and dense in
 * {@link GcnModel.logitsFromDenseAdjacency}, the differentiable path the PGD attack uses.
 *
 * @see Kipf & Welling, "Semi-Supervised Classification with Graph Convolutional Networks", ICLR 2017.
 */
export class GcnModel implements NodeClassifier {
  readonly nodes: readonly string[];
  readonly numClasses: number;
  readonly numFeatures: number;
  readonly hidden: number;
  /** Whether feature rows are scaled to sum 1 before the first layer. */
  readonly normalizeFeatures: boolean;
  /** The weights (owned by the model; freed by {@link GcnModel.dispose}). */
  readonly params: GcnParams;
  private readonly train: GraphArrays;
  private readonly trainX: SparseMatrix;
  private readonly trainA: SparseMatrix;
  private disposed = false;

  /** @internal use {@link trainGcn}. */
  constructor(train: GraphArrays, hidden: number, normalizeFeatures: boolean, rng: Rng) {
    this.train = train;
    this.nodes = train.nodes;
    this.numClasses = train.numClasses;
    this.numFeatures = train.numFeatures;
    this.hidden = hidden;
    this.normalizeFeatures = normalizeFeatures;
    this.trainX = sparseFeatures(train, normalizeFeatures);
    this.trainA = normalizedAdjacency(train);
    this.params = tf.tidy(() => ({
      W1: tf.variable(glorot(rng, train.numFeatures, hidden), true),
      b1: tf.variable(tf.zeros([hidden]), true),
      W2: tf.variable(glorot(rng, hidden, train.numClasses), true),
      b2: tf.variable(tf.zeros([train.numClasses]), true),
    }));
  }

  private check(fn: string): void {
    if (this.disposed) throw new LabInputError(fn, 'this', 'must not be disposed');
  }

  private inputs(
    fn: string,
    graph?: LabeledGraph | GraphArrays,
  ): { x: SparseMatrix; a: SparseMatrix; arrays: GraphArrays } {
    this.check(fn);
    if (graph === undefined) return { x: this.trainX, a: this.trainA, arrays: this.train };
    const arrays = sameGraphArrays(fn, graph, this.nodes, this.numFeatures);
    return { x: sparseFeatures(arrays, this.normalizeFeatures), a: normalizedAdjacency(arrays), arrays };
  }

  /** @internal forward pass with optional dropout (training). */
  forward(x: SparseMatrix, a: SparseMatrix, dropout?: { rate: number; rng: Rng }): tf.Tensor2D {
    const { W1, b1, W2, b2 } = this.params;
    return tf.tidy(() => {
      let xValues: Float32Array | undefined;
      if (dropout && dropout.rate > 0) {
        // Dropout on a sparse input drops its non-zeros (Kipf's sparse_dropout).
        const scale = dropoutScale(dropout.rng, x.nnz, dropout.rate);
        xValues = new Float32Array(x.nnz);
        for (let p = 0; p < xValues.length; p++) xValues[p] = (x.values[p] as number) * (scale[p] as number);
      }
      const xw = sparseDenseMatMul(x, W1 as tf.Tensor2D, xValues);
      let h = tf.relu(tf.add(sparseDenseMatMul(a, xw), b1)) as tf.Tensor2D;
      if (dropout && dropout.rate > 0) {
        h = tf.mul(h, tf.tensor2d(dropoutScale(dropout.rng, h.size, dropout.rate), h.shape)) as tf.Tensor2D;
      }
      return tf.add(sparseDenseMatMul(a, tf.matMul(h, W2 as tf.Tensor2D)), b2) as tf.Tensor2D;
    });
  }

  /** Logits `[N, C]` (caller disposes), on the training graph or on `graph` (same nodes, same order). */
  logits(graph?: LabeledGraph | GraphArrays): tf.Tensor2D {
    const { x, a } = this.inputs('GcnModel.logits', graph);
    return this.forward(x, a);
  }

  /** Softmax probabilities, row-major `N * C`. */
  probabilities(graph?: LabeledGraph | GraphArrays): Float32Array {
    const { x, a } = this.inputs('GcnModel.probabilities', graph);
    return readAndDispose(tf.tidy(() => tf.softmax(this.forward(x, a))));
  }

  /** Arg-max class per node. */
  predict(graph?: LabeledGraph | GraphArrays): Int32Array {
    const { x, a } = this.inputs('GcnModel.predict', graph);
    const z = readAndDispose(tf.tidy(() => this.forward(x, a)));
    return argmaxRows(z, this.numClasses);
  }

  /** Accuracy on a split (default `'test'`) or explicit node indices, against `graph`'s labels. */
  accuracy(graph?: LabeledGraph | GraphArrays, nodes: NodeSelection = 'test'): number {
    const fn = 'GcnModel.accuracy';
    const { x, a, arrays } = this.inputs(fn, graph);
    const index = selectNodes(fn, arrays, nodes);
    const z = readAndDispose(tf.tidy(() => this.forward(x, a)));
    return accuracyOf(argmaxRows(z, this.numClasses), arrays.labels, index);
  }

  /**
   * Differentiable logits for a dense (possibly relaxed, entries in [0, 1]) symmetric adjacency
   * `adjacency` `[N, N]` without self loops, on the training graph's features:
   * `Â = D^-1/2 (A + I) D^-1/2` with `D = diag(rowsum(A) + 1)` is formed inside, so gradients flow
   * through the normalisation. Caller disposes the result. Used by {@link pgdAttack}.
   */
  logitsFromDenseAdjacency(adjacency: tf.Tensor2D): tf.Tensor2D {
    const fn = 'GcnModel.logitsFromDenseAdjacency';
    this.check(fn);
    const n = this.nodes.length;
    if (
      !(adjacency instanceof tf.Tensor) ||
      adjacency.rank !== 2 ||
      adjacency.shape[0] !== n ||
      adjacency.shape[1] !== n
    ) {
      throw new LabInputError(fn, 'adjacency', `must be a [${n}, ${n}] tensor`, adjacency);
    }
    const { W1, b1, W2, b2 } = this.params;
    return tf.tidy(() => {
      const dInv = tf.reshape(tf.rsqrt(tf.add(tf.sum(adjacency, 1), 1)), [n, 1]);
      // Â M = D^-1/2 (A M' + M'), M' = D^-1/2 M: no N x N elementwise work beyond A itself.
      const prop = (m: tf.Tensor2D): tf.Tensor2D => {
        const scaled = tf.mul(dInv, m) as tf.Tensor2D;
        return tf.mul(dInv, tf.add(tf.matMul(adjacency, scaled), scaled)) as tf.Tensor2D;
      };
      const xw = sparseDenseMatMul(this.trainX, W1 as tf.Tensor2D);
      const h = tf.relu(tf.add(prop(xw), b1)) as tf.Tensor2D;
      return tf.add(prop(tf.matMul(h, W2 as tf.Tensor2D)), b2) as tf.Tensor2D;
    });
  }

  /**
   * The loss and its exact gradient with respect to every entry of a weighted adjacency, in
   * factored form. `adjacency` is a symmetric `N x N` matrix without self loops, sparse (a
   * {@link SparseMatrix}, e.g. a relaxed `A + (1 - 2A) * S` whose non-zeros are the edges and the
   * pairs with `s > 0`) or dense (a tensor, not differentiated: only `N x k` products are);
   * the forward pass is the GCN of {@link GcnModel.logitsFromDenseAdjacency}. The gradient of
   * `loss(logits)` with respect to the dense entry `A_ij` (every pair, zero or not) is
   * `left[i] . right[j] + rowTerm[i]`: each propagation `Â M = D^-1/2 (A X + X)`, `X = D^-1/2 M`,
   * contributes `dY_i . X_j` (`dY` the gradient at `Y = A X`), and the degree normalisation
   * contributes `dL/d deg_i`. This is what tf autodiff returns for the dense formulation (tested
   * against it) without forming `N x N` tensors. Used by {@link pgdAttack}.
   *
   * @returns `loss`, `left` and `right` (`N x k` row-major, `k = hidden + numClasses`), `rowTerm` (`N`).
   */
  adjacencyGradient(
    adjacency: SparseMatrix | tf.Tensor2D,
    loss: (logits: tf.Tensor2D) => tf.Scalar,
  ): { loss: number; left: Float32Array; right: Float32Array; k: number; rowTerm: Float32Array } {
    const fn = 'GcnModel.adjacencyGradient';
    this.check(fn);
    const n = this.nodes.length;
    const dense = adjacency instanceof tf.Tensor;
    if (
      dense
        ? adjacency.rank !== 2 || adjacency.shape[0] !== n || adjacency.shape[1] !== n
        : adjacency.rows !== n || adjacency.cols !== n
    ) {
      throw new LabInputError(fn, 'adjacency', `must be ${n} x ${n}`, adjacency.shape);
    }
    const { W1, b1, W2, b2 } = this.params;
    const deg = new Float32Array(n).fill(1);
    const sums = dense ? readAndDispose(tf.sum(adjacency, 1)) : (adjacency as SparseMatrix).rowSums();
    for (let i = 0; i < n; i++) deg[i] = (deg[i] as number) + (sums[i] as number);
    const captured: { x?: Float32Array; dy?: Float32Array }[] = [{}, {}];
    const tap = (layer: number) =>
      tf.customGrad((...inputs) => ({
        value: tf.clone(inputs[0] as tf.Tensor),
        gradFunc: (dy: tf.Tensor) => {
          (captured[layer] as { dy?: Float32Array }).dy = (dy.dataSync() as Float32Array).slice();
          return dy;
        },
      }));
    const taps = [tap(0), tap(1)];
    const hidden = this.hidden;
    const c = this.numClasses;
    const result = tf.tidy(() => {
      const degT = tf.tensor1d(deg);
      const { value, grads } = tf.valueAndGrads((d: tf.Tensor) => {
        const dInv = tf.reshape(tf.rsqrt(d), [n, 1]);
        const prop = (m: tf.Tensor2D, layer: number): tf.Tensor2D => {
          const x = tf.mul(dInv, m) as tf.Tensor2D;
          (captured[layer] as { x?: Float32Array }).x = (x.dataSync() as Float32Array).slice();
          const ax = dense
            ? tf.matMul(adjacency as tf.Tensor2D, x)
            : sparseDenseMatMul(adjacency as SparseMatrix, x);
          const y = (taps[layer] as (t: tf.Tensor) => tf.Tensor)(ax) as tf.Tensor2D;
          return tf.mul(dInv, tf.add(y, x)) as tf.Tensor2D;
        };
        const xw = sparseDenseMatMul(this.trainX, W1 as tf.Tensor2D);
        const h = tf.relu(tf.add(prop(xw, 0), b1)) as tf.Tensor2D;
        return loss(tf.add(prop(tf.matMul(h, W2 as tf.Tensor2D), 1), b2) as tf.Tensor2D);
      })([degT]);
      return { loss: value, rowTerm: grads[0] as tf.Tensor };
    });
    const lossValue = readAndDispose(result.loss)[0] as number;
    const rowTerm = readAndDispose(result.rowTerm);
    const k = hidden + c;
    const left = new Float32Array(n * k);
    const right = new Float32Array(n * k);
    const parts = [
      { cap: captured[0], width: hidden, off: 0 },
      { cap: captured[1], width: c, off: hidden },
    ];
    for (const { cap, width, off } of parts) {
      const dy = cap?.dy ?? new Float32Array(n * width); // no gradient reached this layer: zero
      const x = cap?.x as Float32Array;
      for (let i = 0; i < n; i++) {
        for (let d = 0; d < width; d++) {
          left[i * k + off + d] = dy[i * width + d] as number;
          right[i * k + off + d] = x[i * width + d] as number;
        }
      }
    }
    return { loss: lossValue, left, right, k, rowTerm };
  }

  /** Number of scalar parameters. */
  numParameters(): number {
    return Object.values(this.params).reduce((s, v) => s + v.size, 0);
  }

  /** Frees the weights. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of Object.values(this.params)) v.dispose();
  }
}

/**
 * Trains a 2-layer GCN full-batch with Adam on the training nodes (cross-entropy, L2 on the first
 * layer) and returns the final model with its train / val / test accuracy. Defaults are Kipf &
 * Welling's: 16 hidden units, dropout 0.5, lr 0.01, weight decay 5e-4, 200 epochs. Deterministic
 * for a given seed; the returned model owns its tensors (call `model.dispose()`).
 *
 * @param graph - a labelled graph (or its {@link GraphArrays}) with a `'train'` split.
 * @param options - hyper-parameters and the seed.
 * @example
 * ```ts
 * const cora = await loadGraphFolder(resolveDataDir('graphs', 'cora'));
 * const { model, testAccuracy } = trainGcn(cora, { seed: 1 }); // ~0.81 on Cora
 * model.dispose();
 * ```
 * @see Kipf & Welling, "Semi-Supervised Classification with Graph Convolutional Networks", ICLR 2017.
 */
export function trainGcn(graph: LabeledGraph | GraphArrays, options: TrainGcnOptions): TrainGcnResult {
  const fn = 'trainGcn';
  if (options === null || typeof options !== 'object')
    throw new LabInputError(fn, 'options', 'must be an object', options);
  const a = asGraphArrays(fn, graph);
  const hidden = options.hidden ?? 16;
  checkInteger(fn, 'options.hidden', hidden, 1);
  const dropout = options.dropout ?? 0.5;
  checkRange(fn, 'options.dropout', dropout, 0, 1, { max: true });
  const lr = options.lr ?? 0.01;
  checkRange(fn, 'options.lr', lr, 0, Number.POSITIVE_INFINITY, { min: true });
  const weightDecay = options.weightDecay ?? 5e-4;
  checkRange(fn, 'options.weightDecay', weightDecay, 0, Number.POSITIVE_INFINITY);
  const epochs = options.epochs ?? 200;
  checkInteger(fn, 'options.epochs', epochs, 0);
  const trainIndex = trainingNodes(fn, a, options.trainNodes);
  const normalize = options.normalizeFeatures ?? nonNegative(a.features);
  const rng = createRng(options.seed);
  const model = new GcnModel(a, hidden, normalize, rng.fork('init'));
  const dropRng = rng.fork('dropout');
  const c = a.numClasses;
  const targetData = new Float32Array(a.numNodes * c);
  for (const i of trainIndex) targetData[i * c + (a.labels[i] as number)] = 1 / trainIndex.length;
  const target = tf.tensor2d(targetData, [a.numNodes, c]);
  const optimizer = new Adam(model.params, { lr, weightDecay, noDecay: (name: string) => name !== 'W1' });
  const names = Object.keys(model.params) as Array<keyof GcnParams>;
  const varList = names.map((k) => model.params[k]);
  const x = sparseFeatures(a, normalize);
  const adj = normalizedAdjacency(a);
  const history: GcnEpochRecord[] = [];
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const t0 = performance.now();
      const { value, grads } = tf.tidy(() =>
        tf.variableGrads(() => {
          const z = model.forward(x, adj, { rate: dropout, rng: dropRng });
          return tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(z)))) as tf.Scalar;
        }, varList),
      );
      const byName: Record<string, tf.Tensor> = {};
      for (const k of names) byName[k] = grads[model.params[k].name] as tf.Tensor;
      optimizer.step(byName);
      const loss = value.dataSync()[0] as number;
      tf.dispose([value, ...Object.values(grads)]);
      const record = { epoch, loss, ms: performance.now() - t0 };
      history.push(record);
      options.onEpoch?.(record);
    }
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    optimizer.dispose();
    target.dispose();
  }
  const z = readAndDispose(tf.tidy(() => model.forward(x, adj)));
  const pred = argmaxRows(z, c);
  return {
    model,
    trainAccuracy: accuracyOf(pred, a.labels, trainIndex),
    valAccuracy: accuracyOf(pred, a.labels, a.val),
    testAccuracy: accuracyOf(pred, a.labels, a.test),
    history,
    msPerEpoch: history.length ? history.reduce((s, h) => s + h.ms, 0) / history.length : Number.NaN,
  };
}
