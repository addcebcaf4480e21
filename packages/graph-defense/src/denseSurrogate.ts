import { createRng, LabInputError, graphArrays, type GraphArrays, type LabeledGraph } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Shared machinery of the gradient-based attacks (Metattack, Nettack): reading a labelled
 * graphology graph into plain arrays, a dense 0/1 adjacency, the linearised two-layer GCN
 * surrogate `logits = Â² X W1 W2` (Zügner et al.; DeepRobust's `GCN(with_relu=False,
 * with_bias=False)`), the edge-flip constraints and the power-law degree likelihood-ratio test.
 * Internal to the package (not re-exported), tested through the attacks.
 */

/**
 * {@link graphArrays} plus what the attacks need beyond it: at least two nodes.
 */
export function readAttackGraph(fn: string, graph: LabeledGraph): GraphArrays {
  const arrays = graphArrays(graph, fn);
  if (arrays.numNodes < 2)
    throw new LabInputError(fn, 'graph', 'must have at least 2 nodes', arrays.numNodes);
  return arrays;
}

/** Dense symmetric 0/1 adjacency (row-major `n * n`, no self loops) of the edge list. */
export function denseAdjacency(arrays: GraphArrays): Float32Array {
  const n = arrays.numNodes;
  const a = new Float32Array(n * n);
  for (let e = 0; e < arrays.numEdges; e++) {
    const i = arrays.edges[2 * e] as number;
    const j = arrays.edges[2 * e + 1] as number;
    a[i * n + j] = 1;
    a[j * n + i] = 1;
  }
  return a;
}

/** Degrees of a dense adjacency (row sums, no self loops). */
export function degreesOf(adjacency: Float32Array, n: number): Float64Array {
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const off = i * n;
    for (let j = 0; j < n; j++) s += adjacency[off + j] as number;
    d[i] = s;
  }
  return d;
}

/** `Â² X` with the sparse normalised adjacency of an edge list, in float64 JS loops. */
function propagateTwice(arrays: GraphArrays, features: Float32Array = arrays.features): Float32Array {
  const n = arrays.numNodes;
  const f = arrays.numFeatures;
  const deg = new Float64Array(n).fill(1);
  for (let e = 0; e < arrays.numEdges; e++) {
    deg[arrays.edges[2 * e] as number] += 1;
    deg[arrays.edges[2 * e + 1] as number] += 1;
  }
  const once = (x: Float64Array): Float64Array => {
    const out = new Float64Array(n * f);
    for (let i = 0; i < n; i++) {
      const w = 1 / (deg[i] as number);
      for (let k = 0; k < f; k++) out[i * f + k] = w * (x[i * f + k] as number);
    }
    for (let e = 0; e < arrays.numEdges; e++) {
      const i = arrays.edges[2 * e] as number;
      const j = arrays.edges[2 * e + 1] as number;
      const w = 1 / Math.sqrt((deg[i] as number) * (deg[j] as number));
      for (let k = 0; k < f; k++) {
        out[i * f + k] += w * (x[j * f + k] as number);
        out[j * f + k] += w * (x[i * f + k] as number);
      }
    }
    return out;
  };
  return Float32Array.from(once(once(Float64Array.from(features))));
}

/** Options of {@link trainLinearSurrogate}. */
export interface LinearSurrogateOptions {
  seed: number | string;
  hidden?: number;
  epochs?: number;
  lr?: number;
  weightDecay?: number;
}

/** A trained linearised GCN: weights and full-graph logits as plain arrays. */
export interface LinearSurrogate {
  hidden: number;
  numClasses: number;
  /** `numFeatures x hidden`, row-major. */
  w1: Float32Array;
  /** `hidden x numClasses`, row-major. */
  w2: Float32Array;
  /** `numFeatures x numClasses` = W1 W2 (the surrogate is linear). */
  w: Float32Array;
  /** `numNodes x numClasses` logits on the clean graph. */
  logits: Float32Array;
  /** Arg-max class per node. */
  predictions: Int32Array;
}

/**
 * Trains the linearised two-layer GCN `Â² X W1 W2` (no ReLU, no bias, no dropout) on the
 * training nodes with Adam and L2 weight decay, the surrogate DeepRobust uses for Metattack and
 * Nettack. Full-batch: `Â² X` is computed once, so training costs `O(|train| F H)` an epoch.
 */
export function trainLinearSurrogate(arrays: GraphArrays, options: LinearSurrogateOptions): LinearSurrogate {
  const { seed, hidden = 16, epochs = 200, lr = 0.01, weightDecay = 5e-4 } = options;
  const n = arrays.numNodes;
  const f = arrays.numFeatures;
  const c = arrays.numClasses;
  const z = propagateTwice(arrays);
  const rng = createRng(seed).fork('linear-surrogate');
  const glorot = (rows: number, cols: number): Float32Array => {
    const lim = Math.sqrt(6 / (rows + cols));
    return rng.fillUniform(new Float32Array(rows * cols), -lim, lim);
  };
  const init1 = glorot(f, hidden);
  const init2 = glorot(hidden, c);
  const trainIdx = arrays.train;
  const trainLabels = Int32Array.from(trainIdx, (i) => arrays.labels[i] as number);
  const w1 = tf.tidy(() => tf.variable(tf.tensor2d(init1, [f, hidden])));
  const w2 = tf.tidy(() => tf.variable(tf.tensor2d(init2, [hidden, c])));
  const optimizer = tf.train.adam(lr);
  try {
    const zAll = tf.tensor2d(z, [n, f]);
    const zTrain = tf.tidy(() => tf.gather(zAll, tf.tensor1d(trainIdx, 'int32')));
    const yTrain = tf.tidy(() => tf.oneHot(tf.tensor1d(trainLabels, 'int32'), c));
    for (let epoch = 0; epoch < epochs; epoch++) {
      optimizer.minimize(() =>
        tf.tidy(() => {
          const logits = tf.matMul(tf.matMul(zTrain, w1), w2);
          const ce = tf.losses.softmaxCrossEntropy(yTrain, logits);
          const l2 = tf.mul(weightDecay / 2, tf.add(tf.sum(tf.square(w1)), tf.sum(tf.square(w2))));
          return tf.add(ce, l2) as tf.Scalar;
        }),
      );
    }
    const w1v = Float32Array.from(w1.dataSync());
    const w2v = Float32Array.from(w2.dataSync());
    const [wT, logitsT] = tf.tidy(() => {
      const wt = tf.matMul(w1, w2);
      return [wt, tf.matMul(zAll, wt)];
    });
    const w = Float32Array.from((wT as tf.Tensor).dataSync());
    const logits = Float32Array.from((logitsT as tf.Tensor).dataSync());
    tf.dispose([zAll, zTrain, yTrain, wT as tf.Tensor, logitsT as tf.Tensor]);
    const predictions = new Int32Array(n);
    for (let i = 0; i < n; i++) predictions[i] = argmaxRow(logits, i, c);
    return {
      hidden,
      numClasses: c,
      w1: w1v,
      w2: w2v,
      w: w as Float32Array,
      logits: logits as Float32Array,
      predictions,
    };
  } finally {
    optimizer.dispose();
    w1.dispose();
    w2.dispose();
  }
}

/** Index of the largest entry of row `i` of a row-major `? x c` array (first on ties). */
function argmaxRow(values: ArrayLike<number>, i: number, c: number): number {
  let best = 0;
  let bestV = -Infinity;
  for (let k = 0; k < c; k++) {
    const v = values[i * c + k] as number;
    if (v > bestV) {
      bestV = v;
      best = k;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Power-law degree likelihood-ratio test (Zügner et al. 2018, Sec. 4.1), incremental.

/** Sufficient statistics of the power-law fit on degrees >= dMin: count and sum of log degrees. */
export interface DegreeStats {
  n: number;
  sumLog: number;
}

/** Statistics of a degree sequence for degrees >= `dMin`. */
export function degreeStats(degrees: ArrayLike<number>, dMin: number): DegreeStats {
  let n = 0;
  let sumLog = 0;
  for (let i = 0; i < degrees.length; i++) {
    const d = degrees[i] as number;
    if (d >= dMin) {
      n++;
      sumLog += Math.log(d);
    }
  }
  return { n, sumLog };
}

/**
 * Maximum log-likelihood of the discrete power law approximated as in the paper:
 * `alpha = 1 + n / (S - n log(dMin - 1/2))`, `l = n log alpha + n alpha log dMin - (alpha + 1) S`.
 */
export function powerLawLogLikelihood(stats: DegreeStats, dMin: number): number {
  const { n, sumLog } = stats;
  if (n === 0) return 0;
  const alpha = 1 + n / (sumLog - n * Math.log(dMin - 0.5));
  return n * Math.log(alpha) + n * alpha * Math.log(dMin) - (alpha + 1) * sumLog;
}

/** Statistics after degrees `du`, `dv` of the two endpoints change by `delta` (+1 add, -1 remove). */
export function statsAfterFlip(
  stats: DegreeStats,
  du: number,
  dv: number,
  delta: number,
  dMin: number,
): DegreeStats {
  let { n, sumLog } = stats;
  for (const d of [du, dv]) {
    if (d >= dMin) {
      n--;
      sumLog -= Math.log(d);
    }
    const e = d + delta;
    if (e >= dMin) {
      n++;
      sumLog += Math.log(e);
    }
  }
  return { n, sumLog };
}

/** Likelihood-ratio statistic `-2 l(G0 ∪ G') + 2 (l(G0) + l(G'))` of the original and a perturbed degree sequence. */
export function degreeLikelihoodRatio(original: DegreeStats, current: DegreeStats, dMin: number): number {
  const combined = { n: original.n + current.n, sumLog: original.sumLog + current.sumLog };
  return (
    -2 * powerLawLogLikelihood(combined, dMin) +
    2 * (powerLawLogLikelihood(original, dMin) + powerLawLogLikelihood(current, dMin))
  );
}
