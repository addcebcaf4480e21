import { Adam, createRng, normalizeAdjacency, type Rng, SparseMatrix, sparseDenseMatMul } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

/** The parts of a graph folder (see `loadGraphFolder`) the GCN needs. */
export interface GcnGraph {
  numNodes: number;
  numFeatures: number;
  numClasses: number;
  edgeSource: Int32Array;
  edgeTarget: Int32Array;
  featureIndptr: Int32Array;
  featureIndices: Int32Array;
  featureValues: Float32Array;
  labels: Int32Array;
  trainIndex: Int32Array;
  valIndex: Int32Array;
  testIndex: Int32Array;
}

/** Preprocessed inputs: row-normalised sparse features and `D^-1/2 (A + I) D^-1/2`. */
export interface GcnData {
  numNodes: number;
  numFeatures: number;
  numClasses: number;
  /** Sparse `X`, each row scaled to sum 1 (Kipf's `preprocess_features`). */
  features: SparseMatrix;
  /** Symmetric normalised adjacency with self loops. */
  adjacency: SparseMatrix;
  labels: Int32Array;
  trainIndex: Int32Array;
  valIndex: Int32Array;
  testIndex: Int32Array;
}

/** Hyper-parameters; {@link KIPF_SETTINGS} are the paper's. */
export interface GcnSettings {
  hidden: number;
  /** Dropout rate on the sparse input's non-zeros and on the hidden layer. */
  dropout: number;
  lr: number;
  /** L2 penalty on the first layer's weights (gradient `wd * W1`, as `wd * l2_loss(W1)` in Kipf's code). */
  weightDecay: number;
  epochs: number;
  seed: number;
}

/** Kipf & Welling (2017), Cora: 16 hidden, dropout 0.5, Adam lr 0.01, weight decay 5e-4, 200 epochs. */
export const KIPF_SETTINGS: Omit<GcnSettings, 'seed'> = {
  hidden: 16,
  dropout: 0.5,
  lr: 0.01,
  weightDecay: 5e-4,
  epochs: 200,
};

/** One training epoch's record. */
export interface EpochRecord {
  epoch: number;
  /** Cross-entropy on the training nodes, with dropout (the optimised loss, without the L2 term). */
  trainLoss: number;
  /** Cross-entropy and accuracy of the model after this epoch's update, without dropout. */
  valLoss: number;
  valAccuracy: number;
  /** Wall time of the training step (forward, backward, Adam update). */
  stepMs: number;
  /** Wall time of the evaluation forward pass. */
  evalMs: number;
}

/** Result of {@link trainGcn}. */
export interface TrainGcnResult {
  history: EpochRecord[];
  /** Final model (after the last epoch), no early stopping, as the PyG reference example. */
  trainAccuracy: number;
  valAccuracy: number;
  testAccuracy: number;
  /** Mean / median training-step time over all epochs. */
  msPerEpoch: number;
  msPerEpochMedian: number;
  /** Mean time of a training step plus the per-epoch evaluation. */
  msPerEpochWithEval: number;
  numParameters: number;
}

/** Builds the normalised adjacency and row-normalised sparse features from a graph folder. */
export function prepareGcnData(graph: GcnGraph): GcnData {
  const features = SparseMatrix.fromCsr(
    [graph.numNodes, graph.numFeatures],
    graph.featureIndptr,
    graph.featureIndices,
    graph.featureValues,
  );
  const sums = features.rowSums();
  const inv = Array.from(sums, (s) => (s > 0 ? 1 / s : 0));
  const adjacency = normalizeAdjacency({
    numNodes: graph.numNodes,
    source: graph.edgeSource,
    target: graph.edgeTarget,
  });
  return {
    numNodes: graph.numNodes,
    numFeatures: graph.numFeatures,
    numClasses: graph.numClasses,
    features: features.scale(inv),
    adjacency,
    labels: graph.labels,
    trainIndex: graph.trainIndex,
    valIndex: graph.valIndex,
    testIndex: graph.testIndex,
  };
}

function glorot(rng: Rng, fanIn: number, fanOut: number): tf.Tensor2D {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.tensor2d(rng.fillUniform(new Float32Array(fanIn * fanOut), -limit, limit), [fanIn, fanOut]);
}

/** Inverted-dropout multipliers: 0 with probability `rate`, else `1 / (1 - rate)`. */
function dropoutScale(rng: Rng, size: number, rate: number): Float32Array {
  const out = new Float32Array(size);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < size; i++) out[i] = rng.next() < rate ? 0 : keep;
  return out;
}

/** Mean cross-entropy and accuracy over `index` from row-major log-probabilities. */
export function lossAndAccuracy(
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
    for (let c = 1; c < numClasses; c++)
      if ((logProbs[off + c] as number) > (logProbs[off + best] as number)) best = c;
    if (best === labels[i]) correct++;
    loss -= logProbs[off + (labels[i] as number)] as number;
  }
  return {
    loss: index.length ? loss / index.length : Number.NaN,
    accuracy: index.length ? correct / index.length : Number.NaN,
  };
}

/**
 * A 2-layer GCN, `Z = A relu(A X W1 + b1) W2 + b2` with `A = D^-1/2 (A + I) D^-1/2`, trained
 * full-batch on the labelled training nodes. `X` stays sparse: the first layer is a sparse x
 * dense product, and input dropout drops non-zeros of `X`.
 */
export class GcnModel {
  readonly params: Record<'W1' | 'b1' | 'W2' | 'b2', tf.Variable>;
  private readonly data: GcnData;

  constructor(data: GcnData, hidden: number, rng: Rng) {
    this.data = data;
    // Inside a tidy so the initial-value tensors are freed (variables survive a tidy).
    this.params = tf.tidy(() => ({
      W1: tf.variable(glorot(rng, data.numFeatures, hidden), true),
      b1: tf.variable(tf.zeros([hidden]), true),
      W2: tf.variable(glorot(rng, hidden, data.numClasses), true),
      b2: tf.variable(tf.zeros([data.numClasses]), true),
    }));
  }

  /** Logits `[N, C]`; with `dropout` = { rate, rng } applies (inverted) dropout as in training. */
  logits(dropout?: { rate: number; rng: Rng }): tf.Tensor2D {
    const { W1, b1, W2, b2 } = this.params;
    const { features, adjacency } = this.data;
    return tf.tidy(() => {
      // Dropout on a sparse input drops its non-zeros (Kipf's sparse_dropout).
      let xValues: Float32Array | undefined;
      if (dropout && dropout.rate > 0) {
        const scale = dropoutScale(dropout.rng, features.nnz, dropout.rate);
        xValues = new Float32Array(features.nnz);
        for (let p = 0; p < xValues.length; p++)
          xValues[p] = (features.values[p] as number) * (scale[p] as number);
      }
      const xw = sparseDenseMatMul(features, W1 as tf.Tensor2D, xValues);
      let h = tf.relu(tf.add(sparseDenseMatMul(adjacency, xw), b1)) as tf.Tensor2D;
      if (dropout && dropout.rate > 0) {
        const scale = dropoutScale(dropout.rng, h.size, dropout.rate);
        h = tf.mul(h, tf.tensor2d(scale, h.shape as [number, number])) as tf.Tensor2D;
      }
      return tf.add(sparseDenseMatMul(adjacency, tf.matMul(h, W2 as tf.Tensor2D)), b2) as tf.Tensor2D;
    });
  }

  /** Number of scalar parameters. */
  numParameters(): number {
    return Object.values(this.params).reduce((s, v) => s + v.size, 0);
  }

  dispose(): void {
    for (const v of Object.values(this.params)) v.dispose();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * Trains a {@link GcnModel} full-batch with Adam and returns per-epoch history and final
 * accuracies. Deterministic for a given `settings.seed`. Disposes everything it creates.
 *
 * @see Kipf & Welling, "Semi-Supervised Classification with Graph Convolutional Networks", ICLR 2017.
 */
export function trainGcn(
  data: GcnData,
  settings: GcnSettings,
  onEpoch?: (record: EpochRecord) => void,
): TrainGcnResult {
  const rng = createRng(settings.seed);
  const model = new GcnModel(data, settings.hidden, rng.fork('init'));
  const dropRng = rng.fork('dropout');
  const { numNodes, numClasses, labels, trainIndex } = data;
  // Loss weights: T[i, y_i] = 1 / |train| on training nodes, so loss = -sum(T * log softmax(Z)).
  const targetData = new Float32Array(numNodes * numClasses);
  for (const i of trainIndex) targetData[i * numClasses + (labels[i] as number)] = 1 / trainIndex.length;
  const target = tf.tensor2d(targetData, [numNodes, numClasses]);
  const names = Object.keys(model.params) as Array<keyof GcnModel['params']>;
  const optimizer = new Adam(model.params, {
    lr: settings.lr,
    weightDecay: settings.weightDecay,
    noDecay: (name: string) => name !== 'W1',
  });
  const varList = names.map((n) => model.params[n]);
  const history: EpochRecord[] = [];
  let last = { train: Number.NaN, val: Number.NaN, test: Number.NaN };
  try {
    for (let epoch = 1; epoch <= settings.epochs; epoch++) {
      const t0 = performance.now();
      // Gradients inside a tidy; the optimizer step outside it (Adam keeps its moment tensors).
      const { value, grads } = tf.tidy(() =>
        tf.variableGrads(() => {
          const z = model.logits({ rate: settings.dropout, rng: dropRng });
          return tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(z)))) as tf.Scalar;
        }, varList),
      );
      const byName: Record<string, tf.Tensor> = {};
      for (const n of names) byName[n] = grads[model.params[n].name] as tf.Tensor;
      optimizer.step(byName);
      const lossValue = value.dataSync()[0] as number;
      tf.dispose([value, ...Object.values(grads)]);
      const t1 = performance.now();
      const logProbs = tf.tidy(() => tf.logSoftmax(model.logits()).dataSync() as Float32Array);
      const val = lossAndAccuracy(logProbs, numClasses, labels, data.valIndex);
      const t2 = performance.now();
      last = {
        train: lossAndAccuracy(logProbs, numClasses, labels, trainIndex).accuracy,
        val: val.accuracy,
        test: lossAndAccuracy(logProbs, numClasses, labels, data.testIndex).accuracy,
      };
      const record: EpochRecord = {
        epoch,
        trainLoss: lossValue,
        valLoss: val.loss,
        valAccuracy: val.accuracy,
        stepMs: t1 - t0,
        evalMs: t2 - t1,
      };
      history.push(record);
      onEpoch?.(record);
    }
    const steps = history.map((h) => h.stepMs);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    return {
      history,
      trainAccuracy: last.train,
      valAccuracy: last.val,
      testAccuracy: last.test,
      msPerEpoch: mean(steps),
      msPerEpochMedian: median(steps),
      msPerEpochWithEval: mean(history.map((h) => h.stepMs + h.evalMs)),
      numParameters: model.numParameters(),
    };
  } finally {
    optimizer.dispose();
    target.dispose();
    model.dispose();
  }
}
