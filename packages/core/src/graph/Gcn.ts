import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import { Adam } from '../nn/Adam.js';
import { emptyFitHistory, type FitHistory } from '../nn/fit.js';
import { glorotUniform } from '../nn/initializers.js';
import type { Rng } from '../random/createRng.js';
import type { SparseMatrix } from '../sparse/SparseMatrix.js';
import { sparseDenseMatMul } from '../sparse/sparseDenseMatMul.js';
import { readOptions } from '../validation/readOptions.js';
import type { SeedOptions } from '../validation/resolveRng.js';
import type { GraphArrays } from './graphArrays.js';
import type { LabeledGraph } from './LabeledGraph.js';
import {
  accuracyOf,
  argmaxRows,
  arraysWithFeatures,
  checkSameNodes,
  type GraphFitProgressCallback,
  type NodeClassifier,
  type NodeSelection,
  endEpoch,
  nonNegative,
  normalizedAdjacency,
  readAndDispose,
  selectNodes,
  sparseFeatures,
  trainingNodes,
} from './nodeClassifier.js';

/** Architecture of a {@link Gcn}; defaults are Kipf & Welling's Cora settings. */
export interface GcnOptions extends SeedOptions {
  /** Input feature dimension F. */
  numFeatures: number;
  /** Output classes C. */
  numClasses: number;
  /** Hidden units (default 16). */
  hidden?: number;
  /** Dropout rate on the input's non-zeros and on the hidden layer during `fit` (default 0.5). */
  dropout?: number;
  /**
   * Scale each feature row to sum 1 (Kipf's `preprocess_features`). Default: decided by the first
   * `fit`: `true` when every feature is >= 0 (bag-of-words), `false` otherwise (e.g. Gaussian
   * CSBM features); fixed from then on.
   */
  normalizeFeatures?: boolean;
}

/** Training options of {@link Gcn.fit}; defaults are Kipf & Welling's Cora settings. */
export interface GcnFitOptions extends SeedOptions {
  /** Full-batch epochs (default 200); the final model is kept (no early stopping). */
  epochs?: number;
  /** Adam learning rate (default 0.01). */
  lr?: number;
  /** L2 penalty on the first layer's weights, gradient `weightDecay * W1` (default 5e-4). */
  weightDecay?: number;
  /** Training nodes (indices in graph order); default: nodes whose `split` is `'train'`. */
  trainNodes?: NodeSelection;
  /**
   * Evaluate the validation split after every epoch (default `false`): `valLoss` and
   * `metrics.valAccuracy` in the progress reports and the history.
   */
  validation?: boolean;
  /** Called after every epoch (may be async; awaited). Returning `false` stops training. */
  onProgress?: GraphFitProgressCallback;
}

/** Result of {@link Gcn.fit}: the {@link FitHistory} fields plus accuracies and step timings. */
export interface GcnFitResult extends FitHistory {
  /** Accuracy of the final model on the training nodes, the `'val'` and the `'test'` split. */
  trainAccuracy: number;
  valAccuracy: number;
  testAccuracy: number;
  /** Wall time of each epoch's training step (forward, backward, Adam update), ms. */
  stepMs: number[];
  /** Wall time of each epoch's validation pass, ms (empty without `validation`). */
  evalMs: number[];
  /** Mean of `stepMs`. */
  msPerEpoch: number;
}

/** The trainable variables of a {@link Gcn}: two weight matrices and two biases. */
export type GcnParams = Record<'W1' | 'b1' | 'W2' | 'b2', tf.Variable>;

/** Glorot-uniform `[fanIn, fanOut]` weights drawn from `rng` (core's `glorotUniform`). */
function glorot(rng: Rng, fanIn: number, fanOut: number): tf.Tensor2D {
  return tf.tensor2d(glorotUniform([fanIn, fanOut], rng), [fanIn, fanOut]);
}

function dropoutScale(rng: Rng, size: number, rate: number): Float32Array {
  const out = new Float32Array(size);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < size; i++) out[i] = rng.next() < rate ? 0 : keep;
  return out;
}

/**
 * A 2-layer GCN, `Z = Â relu(Â X W1 + b1) W2 + b2`, `Â = D^-1/2 (A + I) D^-1/2`, for node
 * classification. Built from its architecture (`new Gcn({ numFeatures, numClasses, seed })`:
 * Glorot-uniform weights from `rng.fork('init')`), trained full-batch in place by
 * `await gcn.fit(graph, options)` (Adam, cross-entropy on the training nodes, L2 on the first
 * layer, dropout from the fit's `rng.fork('dropout')`). `X` stays sparse (a {@link SparseMatrix}:
 * the first layer is a sparse x dense product and input dropout drops non-zeros); `Â` is sparse
 * for the standard forward and dense in {@link Gcn.logitsFromDenseAdjacency}, the differentiable
 * path graph attacks use. After `fit`, the evaluation methods default to the fitted graph and
 * accept any graph with the same nodes in the same order (an attack's perturbed copy).
 *
 * @example
 * ```ts
 * const cora = await loadGraphFolder(resolveDataDir('graphs', 'cora'));
 * const gcn = new Gcn({ numFeatures: 1433, numClasses: 7, seed: 1 });
 * const history = await gcn.fit(cora, { seed: 1 }); // 200 epochs, Kipf's settings
 * history.testAccuracy; // ~0.81
 * gcn.dispose();
 * ```
 * @see Kipf & Welling, "Semi-Supervised Classification with Graph Convolutional Networks", ICLR 2017.
 */
export class Gcn implements NodeClassifier {
  readonly numClasses: number;
  readonly numFeatures: number;
  readonly hidden: number;
  readonly dropout: number;
  /** The weights `W1`, `b1`, `W2`, `b2` (owned by the model; freed by {@link Gcn.dispose}). */
  readonly params: GcnParams;
  private normalize: boolean | undefined;
  private train: { arrays: GraphArrays; x: SparseMatrix; a: SparseMatrix } | undefined;
  private disposed = false;

  /**
   * @param options - architecture (`numFeatures`, `numClasses`, `hidden`, `dropout`,
   *   `normalizeFeatures`) and `seed` / `rng` of the initialisation (default seed 0).
   */
  constructor(options: GcnOptions) {
    const fn = 'Gcn';
    const o = readOptions(fn, options, [
      'numFeatures',
      'numClasses',
      'hidden',
      'dropout',
      'normalizeFeatures',
      'seed',
      'rng',
    ]);
    this.numFeatures = o.integer('numFeatures', undefined, { min: 1 });
    this.numClasses = o.integer('numClasses', undefined, { min: 1 });
    this.hidden = o.integer('hidden', 16, { min: 1 });
    this.dropout = o.number('dropout', 0.5, { min: 0, max: 1, open: { max: true } });
    this.normalize = o.has('normalizeFeatures') ? o.boolean('normalizeFeatures', false) : undefined;
    const rng = o.rng().fork('init');
    this.params = tf.tidy(() => ({
      W1: tf.variable(glorot(rng, this.numFeatures, this.hidden), true),
      b1: tf.variable(tf.zeros([this.hidden]), true),
      W2: tf.variable(glorot(rng, this.hidden, this.numClasses), true),
      b2: tf.variable(tf.zeros([this.numClasses]), true),
    }));
  }

  /** Node keys of the graph of the last `fit` (empty before the first). */
  get nodes(): readonly string[] {
    return this.train?.arrays.nodes ?? [];
  }

  /** Whether feature rows are scaled to sum 1 (`undefined` until the first `fit` decides). */
  get normalizeFeatures(): boolean | undefined {
    return this.normalize;
  }

  private check(fn: string): void {
    if (this.disposed) throw new LabInputError(fn, 'this', 'must not be disposed');
  }

  private trained(fn: string): { arrays: GraphArrays; x: SparseMatrix; a: SparseMatrix } {
    this.check(fn);
    if (this.train === undefined) {
      throw new LabInputError(fn, 'this', 'must be fitted first (await model.fit(graph)), or pass a graph');
    }
    return this.train;
  }

  private trainedNodes(fn: string): readonly string[] {
    return this.trained(fn).arrays.nodes;
  }

  private inputs(
    fn: string,
    graph?: LabeledGraph | GraphArrays,
  ): { x: SparseMatrix; a: SparseMatrix; arrays: GraphArrays } {
    this.check(fn);
    if (graph === undefined) return this.trained(fn);
    const arrays = arraysWithFeatures(fn, graph, this.numFeatures);
    if (this.train !== undefined) checkSameNodes(fn, this.train.arrays.nodes, arrays);
    const normalize = this.normalize ?? nonNegative(arrays.features);
    return { x: sparseFeatures(arrays, normalize), a: normalizedAdjacency(arrays), arrays };
  }

  /** Forward pass with optional dropout (training). Internal. */
  private forward(x: SparseMatrix, a: SparseMatrix, dropout?: { rate: number; rng: Rng }): tf.Tensor2D {
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

  /**
   * Trains the model in place, full-batch with Adam on the training nodes (cross-entropy, L2 on
   * `W1`), Kipf & Welling's defaults: lr 0.01, weight decay 5e-4, 200 epochs, final model kept.
   * Yields to the event loop between epochs; `onProgress` returning `false` stops. The graph
   * becomes the default of the evaluation methods. Deterministic for given seeds.
   *
   * @param graph - a labelled graph (or its {@link GraphArrays}) with `numFeatures` features and
   *   a `'train'` split (or `trainNodes`).
   * @param options - training settings and `seed` / `rng` of the dropout (default seed 0).
   * @returns the history (loss per epoch, ...) and the final train / val / test accuracy.
   */
  async fit(graph: LabeledGraph | GraphArrays, options: GcnFitOptions = {}): Promise<GcnFitResult> {
    const fn = 'Gcn.fit';
    this.check(fn);
    const o = readOptions(fn, options, [
      'epochs',
      'lr',
      'weightDecay',
      'trainNodes',
      'validation',
      'onProgress',
      'seed',
      'rng',
    ]);
    const epochs = o.integer('epochs', 200, { min: 0 });
    const lr = o.number('lr', 0.01, { min: 0, open: { min: true } });
    const weightDecay = o.number('weightDecay', 5e-4, { min: 0 });
    const validation = o.boolean('validation', false);
    const onProgress = o.optionalFunction<NonNullable<GcnFitOptions['onProgress']>>('onProgress');
    const dropRng = o.rng().fork('dropout');
    const a = arraysWithFeatures(fn, graph, this.numFeatures);
    const trainIndex = trainingNodes(fn, a, options?.trainNodes);
    if (this.normalize === undefined) this.normalize = nonNegative(a.features);
    const x = sparseFeatures(a, this.normalize);
    const adj = normalizedAdjacency(a);
    this.train = { arrays: a, x, a: adj };
    const c = this.numClasses;
    for (const i of a.labels) {
      if (i >= c) throw new LabInputError(fn, 'graph', `must have labels < numClasses ${c}`, i);
    }
    // Loss weights: T[i, y_i] = 1 / |train| on training nodes, so loss = -sum(T * log softmax(Z)).
    const targetData = new Float32Array(a.numNodes * c);
    for (const i of trainIndex) targetData[i * c + (a.labels[i] as number)] = 1 / trainIndex.length;
    const target = tf.tensor2d(targetData, [a.numNodes, c]);
    const optimizer = new Adam(this.params, { lr, weightDecay, noDecay: (name: string) => name !== 'W1' });
    const names = Object.keys(this.params) as Array<keyof GcnParams>;
    const varList = names.map((k) => this.params[k]);
    const history = emptyFitHistory();
    const stepMs: number[] = [];
    const evalMs: number[] = [];
    const valAccuracy: number[] = [];
    const t0 = performance.now();
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        const s0 = performance.now();
        const { value, grads } = tf.tidy(() =>
          tf.variableGrads(() => {
            const z = this.forward(x, adj, { rate: this.dropout, rng: dropRng });
            return tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(z)))) as tf.Scalar;
          }, varList),
        );
        const byName: Record<string, tf.Tensor> = {};
        for (const k of names) byName[k] = grads[this.params[k].name] as tf.Tensor;
        optimizer.step(byName);
        const loss = value.dataSync()[0] as number;
        tf.dispose([value, ...Object.values(grads)]);
        stepMs.push(performance.now() - s0);
        let valLoss = Number.NaN;
        const metrics: Record<string, number> = {};
        if (validation) {
          const e0 = performance.now();
          const logProbs = readAndDispose(tf.tidy(() => tf.logSoftmax(this.forward(x, adj))));
          const v = lossAndAccuracy(logProbs, c, a.labels, a.val);
          valLoss = v.loss;
          metrics.valAccuracy = v.accuracy;
          valAccuracy.push(v.accuracy);
          history.valLoss.push(valLoss);
          evalMs.push(performance.now() - e0);
        }
        const stop = await endEpoch(
          history,
          epoch,
          { loss, valLoss, metrics, lr, startedAt: t0 },
          onProgress,
        );
        if (stop) break;
      }
    } finally {
      optimizer.dispose();
      target.dispose();
    }
    if (validation) history.metrics.valAccuracy = valAccuracy;
    history.elapsedMs = performance.now() - t0;
    const z = readAndDispose(tf.tidy(() => this.forward(x, adj)));
    const pred = argmaxRows(z, c);
    return {
      ...history,
      trainAccuracy: accuracyOf(pred, a.labels, trainIndex),
      valAccuracy: accuracyOf(pred, a.labels, a.val),
      testAccuracy: accuracyOf(pred, a.labels, a.test),
      stepMs,
      evalMs,
      msPerEpoch: stepMs.length ? stepMs.reduce((s, v) => s + v, 0) / stepMs.length : Number.NaN,
    };
  }

  /** Logits `[N, C]` (caller disposes), on the fitted graph or on `graph` (same nodes, same order). */
  logits(graph?: LabeledGraph | GraphArrays): tf.Tensor2D {
    const { x, a } = this.inputs('Gcn.logits', graph);
    return this.forward(x, a);
  }

  /** Softmax probabilities, row-major `N * C`, on the fitted graph or on `graph`. */
  probabilities(graph?: LabeledGraph | GraphArrays): Float32Array {
    const { x, a } = this.inputs('Gcn.probabilities', graph);
    return readAndDispose(tf.tidy(() => tf.softmax(this.forward(x, a))));
  }

  /** Arg-max class per node, on the fitted graph or on `graph`. */
  predict(graph?: LabeledGraph | GraphArrays): Int32Array {
    const { x, a } = this.inputs('Gcn.predict', graph);
    const z = readAndDispose(tf.tidy(() => this.forward(x, a)));
    return argmaxRows(z, this.numClasses);
  }

  /** Accuracy on a split (default `'test'`) or explicit node indices, against `graph`'s labels. */
  accuracy(graph?: LabeledGraph | GraphArrays, nodes: NodeSelection = 'test'): number {
    const fn = 'Gcn.accuracy';
    const { x, a, arrays } = this.inputs(fn, graph);
    const index = selectNodes(fn, arrays, nodes);
    const z = readAndDispose(tf.tidy(() => this.forward(x, a)));
    return accuracyOf(argmaxRows(z, this.numClasses), arrays.labels, index);
  }

  /**
   * Differentiable logits for a dense (possibly relaxed, entries in [0, 1]) symmetric adjacency
   * `adjacency` `[N, N]` without self loops, on the features of the graph of the last `fit`:
   * `Â = D^-1/2 (A + I) D^-1/2` with `D = diag(rowsum(A) + 1)` is formed inside, so gradients flow
   * through the normalisation. Caller disposes the result. Used by `@lab/graph-defense`'s `pgdAttack`.
   */
  logitsFromDenseAdjacency(adjacency: tf.Tensor2D): tf.Tensor2D {
    const fn = 'Gcn.logitsFromDenseAdjacency';
    const { x: trainX } = this.trained(fn);
    const n = this.trainedNodes(fn).length;
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
      const xw = sparseDenseMatMul(trainX, W1 as tf.Tensor2D);
      const h = tf.relu(tf.add(prop(xw), b1)) as tf.Tensor2D;
      return tf.add(prop(tf.matMul(h, W2 as tf.Tensor2D)), b2) as tf.Tensor2D;
    });
  }

  /**
   * The loss and its exact gradient with respect to every entry of a weighted adjacency, in
   * factored form. `adjacency` is a symmetric `N x N` matrix without self loops, sparse (a
   * {@link SparseMatrix}, e.g. a relaxed `A + (1 - 2A) * S` whose non-zeros are the edges and the
   * pairs with `s > 0`) or dense (a tensor, not differentiated: only `N x k` products are);
   * the forward pass is the GCN of {@link Gcn.logitsFromDenseAdjacency}. The gradient of
   * `loss(logits)` with respect to the dense entry `A_ij` (every pair, zero or not) is
   * `left[i] . right[j] + rowTerm[i]`: each propagation `Â M = D^-1/2 (A X + X)`, `X = D^-1/2 M`,
   * contributes `dY_i . X_j` (`dY` the gradient at `Y = A X`), and the degree normalisation
   * contributes `dL/d deg_i`. This is what tf autodiff returns for the dense formulation (tested
   * against it) without forming `N x N` tensors. Used by `@lab/graph-defense`'s `pgdAttack`.
   *
   * @returns `loss`, `left` and `right` (`N x k` row-major, `k = hidden + numClasses`), `rowTerm` (`N`).
   */
  adjacencyGradient(
    adjacency: SparseMatrix | tf.Tensor2D,
    loss: (logits: tf.Tensor2D) => tf.Scalar,
  ): { loss: number; left: Float32Array; right: Float32Array; k: number; rowTerm: Float32Array } {
    const fn = 'Gcn.adjacencyGradient';
    const { x: trainX } = this.trained(fn);
    const n = this.trainedNodes(fn).length;
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
        const xw = sparseDenseMatMul(trainX, W1 as tf.Tensor2D);
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

  /** Frees the weights (idempotent). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of Object.values(this.params)) v.dispose();
  }
}

/** Mean cross-entropy and accuracy over `index` from row-major log-probabilities. */
function lossAndAccuracy(
  logProbs: Float32Array,
  numClasses: number,
  labels: Int32Array,
  index: Int32Array,
): { loss: number; accuracy: number } {
  let loss = 0;
  let correct = 0;
  for (const i of index) {
    const off = i * numClasses;
    let best = 0;
    for (let k = 1; k < numClasses; k++)
      if ((logProbs[off + k] as number) > (logProbs[off + best] as number)) best = k;
    if (best === labels[i]) correct++;
    loss -= logProbs[off + (labels[i] as number)] as number;
  }
  return {
    loss: index.length ? loss / index.length : Number.NaN,
    accuracy: index.length ? correct / index.length : Number.NaN,
  };
}
