import { Adam, checkInteger, checkRange, createRng, LabInputError, type SparseMatrix } from '@lab/core';
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

/** Options of {@link trainSgc}; defaults follow the SGC reference code for citation graphs. */
export interface TrainSgcOptions {
  /** Propagation steps K in `Â^K X` (default 2). */
  k?: number;
  /** Adam learning rate (default 0.2). */
  lr?: number;
  /** L2 penalty on the weights (default 5e-6). */
  weightDecay?: number;
  /** Full-batch epochs (default 100). */
  epochs?: number;
  /** Scale feature rows to sum 1 (default: when all features are >= 0). */
  normalizeFeatures?: boolean;
  /** Training nodes (indices in graph order); default: the `'train'` split. */
  trainNodes?: Int32Array | readonly number[];
  seed: number | string;
}

/** Result of {@link trainSgc}. */
export interface TrainSgcResult {
  model: SgcModel;
  trainAccuracy: number;
  valAccuracy: number;
  testAccuracy: number;
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
 * A trained SGC, `Z = Â^K X W + b` (a linear model on K-step propagated features). Built by
 * {@link trainSgc}; evaluates on any graph with the same nodes (propagation is recomputed).
 *
 * @see Wu et al., "Simplifying Graph Convolutional Networks", ICML 2019.
 */
export class SgcModel implements NodeClassifier {
  readonly nodes: readonly string[];
  readonly numClasses: number;
  readonly numFeatures: number;
  readonly k: number;
  readonly normalizeFeatures: boolean;
  readonly params: Record<'W' | 'b', tf.Variable>;
  private readonly train: GraphArrays;
  private readonly trainFeatures: Float32Array;
  private disposed = false;

  /** @internal use {@link trainSgc}. */
  constructor(
    train: GraphArrays,
    k: number,
    normalizeFeatures: boolean,
    propagated: Float32Array,
    seed: number | string,
  ) {
    this.train = train;
    this.nodes = train.nodes;
    this.numClasses = train.numClasses;
    this.numFeatures = train.numFeatures;
    this.k = k;
    this.normalizeFeatures = normalizeFeatures;
    this.trainFeatures = propagated;
    const rng = createRng(seed);
    const limit = Math.sqrt(6 / (train.numFeatures + train.numClasses));
    this.params = tf.tidy(() => ({
      W: tf.variable(
        tf.tensor2d(rng.fillUniform(new Float32Array(train.numFeatures * train.numClasses), -limit, limit), [
          train.numFeatures,
          train.numClasses,
        ]),
        true,
      ),
      b: tf.variable(tf.zeros([train.numClasses]), true),
    }));
  }

  private inputs(
    fn: string,
    graph?: LabeledGraph | GraphArrays,
  ): { features: Float32Array; arrays: GraphArrays } {
    if (this.disposed) throw new LabInputError(fn, 'this', 'must not be disposed');
    if (graph === undefined) return { features: this.trainFeatures, arrays: this.train };
    const arrays = sameGraphArrays(fn, graph, this.nodes, this.numFeatures);
    return {
      features: propagate(
        sparseFeatures(arrays, this.normalizeFeatures),
        normalizedAdjacency(arrays),
        this.k,
      ),
      arrays,
    };
  }

  /** @internal logits of propagated features. */
  forward(features: Float32Array): tf.Tensor2D {
    return tf.tidy(
      () =>
        tf.add(
          tf.matMul(
            tf.tensor2d(features, [this.nodes.length, this.numFeatures]),
            this.params.W as tf.Tensor2D,
          ),
          this.params.b,
        ) as tf.Tensor2D,
    );
  }

  logits(graph?: LabeledGraph | GraphArrays): tf.Tensor2D {
    return this.forward(this.inputs('SgcModel.logits', graph).features);
  }

  probabilities(graph?: LabeledGraph | GraphArrays): Float32Array {
    const { features } = this.inputs('SgcModel.probabilities', graph);
    return readAndDispose(tf.tidy(() => tf.softmax(this.forward(features))));
  }

  predict(graph?: LabeledGraph | GraphArrays): Int32Array {
    const { features } = this.inputs('SgcModel.predict', graph);
    return argmaxRows(readAndDispose(tf.tidy(() => this.forward(features))), this.numClasses);
  }

  accuracy(graph?: LabeledGraph | GraphArrays, nodes: NodeSelection = 'test'): number {
    const fn = 'SgcModel.accuracy';
    const { features, arrays } = this.inputs(fn, graph);
    const index = selectNodes(fn, arrays, nodes);
    const pred = argmaxRows(readAndDispose(tf.tidy(() => this.forward(features))), this.numClasses);
    return accuracyOf(pred, arrays.labels, index);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.params.W.dispose();
    this.params.b.dispose();
  }
}

/**
 * Trains SGC: precomputes `Â^K X` (`Â = D^-1/2 (A + I) D^-1/2`, K = 2) and fits a softmax
 * regression on the training nodes with Adam (lr 0.2, weight decay 5e-6, 100 epochs, the
 * reference code's defaults). Deterministic for a given seed.
 *
 * @param graph - a labelled graph (or its arrays) with a `'train'` split.
 * @param options - hyper-parameters and the seed.
 * @see Wu, Zhang, Souza, Fifty, Yu & Weinberger, "Simplifying Graph Convolutional Networks", ICML 2019.
 */
export function trainSgc(graph: LabeledGraph | GraphArrays, options: TrainSgcOptions): TrainSgcResult {
  const fn = 'trainSgc';
  if (options === null || typeof options !== 'object')
    throw new LabInputError(fn, 'options', 'must be an object', options);
  const a = asGraphArrays(fn, graph);
  const k = options.k ?? 2;
  checkInteger(fn, 'options.k', k, 0, 10);
  const lr = options.lr ?? 0.2;
  checkRange(fn, 'options.lr', lr, 0, Number.POSITIVE_INFINITY, { min: true });
  const weightDecay = options.weightDecay ?? 5e-6;
  checkRange(fn, 'options.weightDecay', weightDecay, 0, Number.POSITIVE_INFINITY);
  const epochs = options.epochs ?? 100;
  checkInteger(fn, 'options.epochs', epochs, 0);
  const trainIndex = trainingNodes(fn, a, options.trainNodes);
  const normalize = options.normalizeFeatures ?? nonNegative(a.features);
  const propagated = propagate(sparseFeatures(a, normalize), normalizedAdjacency(a), k);
  const model = new SgcModel(a, k, normalize, propagated, `${String(options.seed)}/init`);
  // Only the training rows enter the loss: fit on them alone.
  const f = a.numFeatures;
  const c = a.numClasses;
  const xTrain = new Float32Array(trainIndex.length * f);
  const yTrain = new Float32Array(trainIndex.length * c);
  trainIndex.forEach((node, r) => {
    xTrain.set(propagated.subarray(node * f, (node + 1) * f), r * f);
    yTrain[r * c + (a.labels[node] as number)] = 1 / trainIndex.length;
  });
  const x = tf.tensor2d(xTrain, [trainIndex.length, f]);
  const y = tf.tensor2d(yTrain, [trainIndex.length, c]);
  const optimizer = new Adam(model.params, { lr, weightDecay });
  const t0 = performance.now();
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const { value, grads } = tf.tidy(() =>
        tf.variableGrads(
          () =>
            tf.neg(
              tf.sum(
                tf.mul(y, tf.logSoftmax(tf.add(tf.matMul(x, model.params.W as tf.Tensor2D), model.params.b))),
              ),
            ) as tf.Scalar,
          [model.params.W, model.params.b],
        ),
      );
      optimizer.step({
        W: grads[model.params.W.name] as tf.Tensor,
        b: grads[model.params.b.name] as tf.Tensor,
      });
      tf.dispose([value, ...Object.values(grads)]);
    }
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    optimizer.dispose();
    tf.dispose([x, y]);
  }
  const msPerEpoch = epochs > 0 ? (performance.now() - t0) / epochs : Number.NaN;
  const pred = model.predict();
  return {
    model,
    trainAccuracy: accuracyOf(pred, a.labels, trainIndex),
    valAccuracy: accuracyOf(pred, a.labels, a.val),
    testAccuracy: accuracyOf(pred, a.labels, a.test),
    msPerEpoch,
  };
}
