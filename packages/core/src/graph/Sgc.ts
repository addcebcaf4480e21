import * as tf from '@tensorflow/tfjs-core';
import { LabInputError } from '../errors.js';
import { Adam } from '../nn/Adam.js';
import { emptyFitHistory, type FitHistory } from '../nn/fit.js';
import { glorotUniform } from '../nn/initializers.js';
import type { SparseMatrix } from '../sparse/SparseMatrix.js';
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

/** Architecture of an {@link Sgc}; defaults follow the SGC reference code for citation graphs. */
export interface SgcOptions extends SeedOptions {
  /** Input feature dimension F. */
  numFeatures: number;
  /** Output classes C. */
  numClasses: number;
  /** Propagation steps K in `Â^K X` (default 2, at most 10). */
  k?: number;
  /** Scale feature rows to sum 1 (default: decided by the first `fit`: when all features are >= 0). */
  normalizeFeatures?: boolean;
}

/** Training options of {@link Sgc.fit}; defaults follow the SGC reference code. */
export interface SgcFitOptions {
  /** Adam learning rate (default 0.2). */
  lr?: number;
  /** L2 penalty on the weights (default 5e-6). */
  weightDecay?: number;
  /** Full-batch epochs (default 100). */
  epochs?: number;
  /** Training nodes (indices in graph order); default: the `'train'` split. */
  trainNodes?: NodeSelection;
  /** Called after every epoch (may be async; awaited). Returning `false` stops training. */
  onProgress?: GraphFitProgressCallback;
}

/** Result of {@link Sgc.fit}: the {@link FitHistory} fields plus accuracies and timing. */
export interface SgcFitResult extends FitHistory {
  trainAccuracy: number;
  valAccuracy: number;
  testAccuracy: number;
  /** Mean wall time of a training epoch, ms (propagation excluded). */
  msPerEpoch: number;
}

/** `Â^K X` as a dense row-major `N x F` array. */
function propagate(x: SparseMatrix, a: SparseMatrix, k: number): Float32Array {
  const [n, f] = x.shape;
  let cur = new Float32Array(n * f);
  for (let i = 0; i < n; i++) {
    for (let p = x.indptr[i] as number; p < (x.indptr[i + 1] as number); p++) {
      cur[i * f + (x.indices[p] as number)] = x.values[p] as number;
    }
  }
  for (let step = 0; step < k; step++) {
    const next = new Float32Array(n * f);
    for (let i = 0; i < n; i++) {
      const out = i * f;
      for (let p = a.indptr[i] as number; p < (a.indptr[i + 1] as number); p++) {
        const w = a.values[p] as number;
        const src = (a.indices[p] as number) * f;
        for (let j = 0; j < f; j++) next[out + j] = (next[out + j] as number) + w * (cur[src + j] as number);
      }
    }
    cur = next;
  }
  return cur;
}

/**
 * SGC, `Z = Â^K X W + b` (`Â = D^-1/2 (A + I) D^-1/2`): a softmax regression on K-step
 * propagated features. Built from its architecture (`new Sgc({ numFeatures, numClasses, seed })`,
 * Glorot-uniform `W` from `rng.fork('init')`); `await sgc.fit(graph)` precomputes `Â^K X` and
 * fits on the training rows with Adam (lr 0.2, weight decay 5e-6, 100 epochs, the reference
 * code's defaults). Evaluates on any graph with the same nodes (propagation is recomputed).
 * Deterministic for a given seed (fitting draws no random numbers).
 *
 * @see Wu, Zhang, Souza, Fifty, Yu & Weinberger, "Simplifying Graph Convolutional Networks", ICML 2019.
 */
export class Sgc implements NodeClassifier {
  readonly numClasses: number;
  readonly numFeatures: number;
  readonly k: number;
  /** The weights `W`, `b` (owned by the model; freed by {@link Sgc.dispose}). */
  readonly params: Record<'W' | 'b', tf.Variable>;
  private normalize: boolean | undefined;
  private train: { arrays: GraphArrays; features: Float32Array } | undefined;
  private disposed = false;

  /** @param options - architecture and `seed` / `rng` of the initialisation (default seed 0). */
  constructor(options: SgcOptions) {
    const fn = 'Sgc';
    const o = readOptions(fn, options, [
      'numFeatures',
      'numClasses',
      'k',
      'normalizeFeatures',
      'seed',
      'rng',
    ]);
    this.numFeatures = o.integer('numFeatures', undefined, { min: 1 });
    this.numClasses = o.integer('numClasses', undefined, { min: 1 });
    this.k = o.integer('k', 2, { min: 0, max: 10 });
    this.normalize = o.has('normalizeFeatures') ? o.boolean('normalizeFeatures', false) : undefined;
    const rng = o.rng().fork('init');
    const f = this.numFeatures;
    const c = this.numClasses;
    this.params = tf.tidy(() => ({
      W: tf.variable(tf.tensor2d(glorotUniform([f, c], rng), [f, c]), true),
      b: tf.variable(tf.zeros([c]), true),
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

  private inputs(
    fn: string,
    graph?: LabeledGraph | GraphArrays,
  ): { features: Float32Array; arrays: GraphArrays } {
    if (this.disposed) throw new LabInputError(fn, 'this', 'must not be disposed');
    if (graph === undefined) {
      if (this.train === undefined) {
        throw new LabInputError(fn, 'this', 'must be fitted first (await model.fit(graph)), or pass a graph');
      }
      return this.train;
    }
    const arrays = arraysWithFeatures(fn, graph, this.numFeatures);
    if (this.train !== undefined) checkSameNodes(fn, this.train.arrays.nodes, arrays);
    const normalize = this.normalize ?? nonNegative(arrays.features);
    return {
      features: propagate(sparseFeatures(arrays, normalize), normalizedAdjacency(arrays), this.k),
      arrays,
    };
  }

  /** Logits of propagated features. Internal. */
  private forward(features: Float32Array): tf.Tensor2D {
    const n = features.length / this.numFeatures;
    return tf.tidy(
      () =>
        tf.add(
          tf.matMul(tf.tensor2d(features, [n, this.numFeatures]), this.params.W as tf.Tensor2D),
          this.params.b,
        ) as tf.Tensor2D,
    );
  }

  /**
   * Trains in place: precomputes `Â^K X` and fits the softmax regression on the training rows,
   * full-batch with Adam. Yields to the event loop between epochs; `onProgress` returning `false`
   * stops. The graph becomes the default of the evaluation methods.
   *
   * @param graph - a labelled graph (or its arrays) with a `'train'` split (or `trainNodes`).
   * @param options - training settings.
   * @returns the history (loss per epoch, ...) and the final train / val / test accuracy.
   */
  async fit(graph: LabeledGraph | GraphArrays, options: SgcFitOptions = {}): Promise<SgcFitResult> {
    const fn = 'Sgc.fit';
    if (this.disposed) throw new LabInputError(fn, 'this', 'must not be disposed');
    const o = readOptions(fn, options, ['lr', 'weightDecay', 'epochs', 'trainNodes', 'onProgress']);
    const lr = o.number('lr', 0.2, { min: 0, open: { min: true } });
    const weightDecay = o.number('weightDecay', 5e-6, { min: 0 });
    const epochs = o.integer('epochs', 100, { min: 0 });
    const onProgress = o.optionalFunction<NonNullable<SgcFitOptions['onProgress']>>('onProgress');
    const a = arraysWithFeatures(fn, graph, this.numFeatures);
    const trainIndex = trainingNodes(fn, a, options?.trainNodes);
    const c = this.numClasses;
    for (const i of a.labels) {
      if (i >= c) throw new LabInputError(fn, 'graph', `must have labels < numClasses ${c}`, i);
    }
    if (this.normalize === undefined) this.normalize = nonNegative(a.features);
    const propagated = propagate(sparseFeatures(a, this.normalize), normalizedAdjacency(a), this.k);
    this.train = { arrays: a, features: propagated };
    // Only the training rows enter the loss: fit on them alone.
    const f = a.numFeatures;
    const xTrain = new Float32Array(trainIndex.length * f);
    const yTrain = new Float32Array(trainIndex.length * c);
    trainIndex.forEach((node, r) => {
      xTrain.set(propagated.subarray(node * f, (node + 1) * f), r * f);
      yTrain[r * c + (a.labels[node] as number)] = 1 / trainIndex.length;
    });
    const x = tf.tensor2d(xTrain, [trainIndex.length, f]);
    const y = tf.tensor2d(yTrain, [trainIndex.length, c]);
    const optimizer = new Adam(this.params, { lr, weightDecay });
    const history = emptyFitHistory();
    const t0 = performance.now();
    let trainMs = 0;
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        const s0 = performance.now();
        const { value, grads } = tf.tidy(() =>
          tf.variableGrads(
            () =>
              tf.neg(
                tf.sum(
                  tf.mul(y, tf.logSoftmax(tf.add(tf.matMul(x, this.params.W as tf.Tensor2D), this.params.b))),
                ),
              ) as tf.Scalar,
            [this.params.W, this.params.b],
          ),
        );
        optimizer.step({
          W: grads[this.params.W.name] as tf.Tensor,
          b: grads[this.params.b.name] as tf.Tensor,
        });
        const loss = value.dataSync()[0] as number;
        tf.dispose([value, ...Object.values(grads)]);
        trainMs += performance.now() - s0;
        const stop = await endEpoch(
          history,
          epoch,
          { loss, valLoss: Number.NaN, metrics: {}, lr, startedAt: t0 },
          onProgress,
        );
        if (stop) break;
      }
    } finally {
      optimizer.dispose();
      tf.dispose([x, y]);
    }
    history.elapsedMs = performance.now() - t0;
    const pred = this.predict();
    return {
      ...history,
      trainAccuracy: accuracyOf(pred, a.labels, trainIndex),
      valAccuracy: accuracyOf(pred, a.labels, a.val),
      testAccuracy: accuracyOf(pred, a.labels, a.test),
      msPerEpoch: history.epochsRun > 0 ? trainMs / history.epochsRun : Number.NaN,
    };
  }

  /** Logits `[N, C]` (caller disposes), on the fitted graph or on `graph` (same nodes, same order). */
  logits(graph?: LabeledGraph | GraphArrays): tf.Tensor2D {
    return this.forward(this.inputs('Sgc.logits', graph).features);
  }

  /** Softmax probabilities, row-major `N * C`. */
  probabilities(graph?: LabeledGraph | GraphArrays): Float32Array {
    const { features } = this.inputs('Sgc.probabilities', graph);
    return readAndDispose(tf.tidy(() => tf.softmax(this.forward(features))));
  }

  /** Arg-max class per node. */
  predict(graph?: LabeledGraph | GraphArrays): Int32Array {
    const { features } = this.inputs('Sgc.predict', graph);
    return argmaxRows(readAndDispose(tf.tidy(() => this.forward(features))), this.numClasses);
  }

  /** Accuracy on a split (default `'test'`) or explicit node indices, against `graph`'s labels. */
  accuracy(graph?: LabeledGraph | GraphArrays, nodes: NodeSelection = 'test'): number {
    const fn = 'Sgc.accuracy';
    const { features, arrays } = this.inputs(fn, graph);
    const index = selectNodes(fn, arrays, nodes);
    const pred = argmaxRows(readAndDispose(tf.tidy(() => this.forward(features))), this.numClasses);
    return accuracyOf(pred, arrays.labels, index);
  }

  /** Frees the weights (idempotent). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.params.W.dispose();
    this.params.b.dispose();
  }
}
