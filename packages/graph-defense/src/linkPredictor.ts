import {
  Adam,
  checkInteger,
  LabInputError,
  normalizeAdjacency,
  ParameterStore,
  readOptions,
  type SeedOptions,
  SparseMatrix,
  sparseDenseMatMul,
} from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';

/** The graph a link predictor trains on. */
export interface LinkPredictorInput {
  numNodes: number;
  /** Node features: a `numNodes x numFeatures` SparseMatrix, or a row-major Float32Array (then give `numFeatures`). */
  features: SparseMatrix | Float32Array;
  numFeatures?: number;
  /** Message-passing edges of the encoder, each undirected edge once: `(edges[2e], edges[2e+1])`. */
  edges: Int32Array;
  /** Positive training pairs (default: `edges`). */
  positives?: Int32Array;
  /** Nodes negative pairs are drawn from (default: all). EDoG passes the subgraph's nodes. */
  negativeNodes?: Int32Array;
}

/** Options of {@link trainLinkPredictor}. */
export interface LinkPredictorOptions extends SeedOptions {
  /** Hidden width of the first GCN layer (default 32). */
  hidden?: number;
  /** Embedding width (default 16). */
  embeddingDim?: number;
  /** Full-batch epochs (default 150). */
  epochs?: number;
  /** Adam learning rate (default 0.01). */
  lr?: number;
  /** L2 weight decay (default 0). */
  weightDecay?: number;
  /** Negative pairs per positive pair, resampled every epoch (default 1). */
  negativeRatio?: number;
  /** Dropout on the hidden layer during training (default 0). */
  dropout?: number;
  /** `innerProduct` (GAE: `z_u . z_v`) or `bilinear` (`z_u^T R z_v`, R symmetric, learned; default `innerProduct`). */
  decoder?: 'innerProduct' | 'bilinear';
}

/** A trained GAE-style link predictor (weights as plain arrays: nothing to dispose). */
export interface LinkPredictor {
  hidden: number;
  embeddingDim: number;
  /** Final training loss (mean BCE over positives and negatives). */
  finalLoss: number;
  /** Loss after each epoch. */
  lossHistory: number[];
  /**
   * Node embeddings (row-major `numNodes x embeddingDim`) computed by the trained encoder on the
   * given message-passing edges (default: the training edges).
   */
  embed(edges?: Int32Array): Float32Array;
  /** Decoder logits of the pairs `(pairs[2p], pairs[2p+1])` under embeddings `z`. */
  logits(z: Float32Array, pairs: Int32Array): Float64Array;
}

/** Features as a SparseMatrix (converted from a dense row-major array when needed). */
export function featureMatrix(
  features: SparseMatrix | Float32Array,
  numNodes: number,
  numFeatures?: number,
): SparseMatrix {
  if (features instanceof SparseMatrix) return features;
  const f = numFeatures ?? 0;
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < numNodes; i++) {
    for (let c = 0; c < f; c++) {
      const v = features[i * f + c];
      if (v !== 0) {
        rows.push(i);
        cols.push(c);
        vals.push(v);
      }
    }
  }
  return SparseMatrix.fromCoo([numNodes, f], rows, cols, vals);
}

function checkPairs(fn: string, arg: string, pairs: unknown, n: number): asserts pairs is Int32Array {
  if (!(pairs instanceof Int32Array) || pairs.length % 2 !== 0)
    throw new LabInputError(fn, arg, 'must be an Int32Array of node-index pairs', pairs);
  for (let p = 0; p < pairs.length; p++) {
    if (pairs[p] < 0 || pairs[p] >= n)
      throw new LabInputError(fn, `${arg}[${p}]`, `must be a node index in [0, ${n - 1}]`, pairs[p]);
  }
}

/** The settings of {@link trainLinkPredictor} besides its seed (the detector passes them on). Internal. */
export const LINK_PREDICTOR_SETTINGS = [
  'hidden',
  'embeddingDim',
  'epochs',
  'lr',
  'weightDecay',
  'negativeRatio',
  'dropout',
  'decoder',
] as const;

/**
 * Trains a graph auto-encoder for link prediction (Kipf & Welling's GAE): a 2-layer GCN encoder
 * `Z = Â relu(Â X W1) W2` on the symmetric normalised adjacency `Â = D^-1/2 (A + I) D^-1/2`
 * (sparse, through `@lab/core`), an inner-product (or symmetric bilinear) decoder, and binary
 * cross-entropy on the positive pairs vs as many uniformly sampled non-edges (resampled every
 * epoch), full batch, Adam. Deterministic for a seed.
 *
 * We use the GAE rather than the VGAE: the variational noise only matters for generation, and
 * GAE and VGAE score held-out links alike on Cora (Kipf & Welling 2016, Table 1).
 *
 * @see Kipf & Welling, "Variational Graph Auto-Encoders", NeurIPS Bayesian Deep Learning workshop 2016 (arXiv 1611.07308).
 * @see Xu et al., "EDoG: Adversarial Edge Detection For Graph Neural Networks", SaTML 2023 (arXiv 2212.13607).
 */
export function trainLinkPredictor(input: LinkPredictorInput, options?: LinkPredictorOptions): LinkPredictor {
  const fn = 'trainLinkPredictor';
  if (input === null || typeof input !== 'object')
    throw new LabInputError(fn, 'input', 'must be an object', input);
  const o = readOptions(fn, options, [...LINK_PREDICTOR_SETTINGS, 'seed', 'rng']);
  const n = input.numNodes;
  checkInteger(fn, 'input.numNodes', n, 2);
  if (!(input.features instanceof SparseMatrix) && !(input.features instanceof Float32Array)) {
    throw new LabInputError(
      fn,
      'input.features',
      'must be a SparseMatrix or a Float32Array (node features are required)',
      input.features,
    );
  }
  if (input.features instanceof Float32Array) {
    checkInteger(fn, 'input.numFeatures', input.numFeatures, 1);
    if (input.features.length !== n * input.numFeatures) {
      throw new LabInputError(
        fn,
        'input.features',
        `must have numNodes * numFeatures = ${n * input.numFeatures} entries`,
        input.features.length,
      );
    }
  } else if (input.features.rows !== n) {
    throw new LabInputError(fn, 'input.features', `must have ${n} rows`, input.features.shape);
  }
  checkPairs(fn, 'input.edges', input.edges, n);
  const positives = input.positives ?? input.edges;
  checkPairs(fn, 'input.positives', positives, n);
  if (positives.length === 0)
    throw new LabInputError(fn, 'input.positives', 'must hold at least one pair', 0);
  const pool = input.negativeNodes ?? Int32Array.from({ length: n }, (_, i) => i);
  if (!(pool instanceof Int32Array) || pool.length < 2)
    throw new LabInputError(fn, 'input.negativeNodes', 'must be an Int32Array of at least 2 nodes', pool);
  const hidden = o.integer('hidden', 32, { min: 1 });
  const dim = o.integer('embeddingDim', 16, { min: 1 });
  const epochs = o.integer('epochs', 150, { min: 1 });
  const lr = o.number('lr', 0.01, { min: 0, max: 10, open: { min: true } });
  const weightDecay = o.number('weightDecay', 0, { min: 0, max: 1 });
  const negativeRatio = o.integer('negativeRatio', 1, { min: 1, max: 100 });
  const dropout = o.number('dropout', 0, { min: 0, max: 1, open: { max: true } });
  const decoder = o.oneOf('decoder', ['innerProduct', 'bilinear'], 'innerProduct');
  const rng = o.rng();

  const x = featureMatrix(input.features, n, input.numFeatures);
  const f = x.cols;
  const adjacency = (edges: Int32Array): SparseMatrix => {
    const m = edges.length / 2;
    const src = new Int32Array(m);
    const dst = new Int32Array(m);
    for (let e = 0; e < m; e++) {
      src[e] = edges[2 * e];
      dst[e] = edges[2 * e + 1];
    }
    return normalizeAdjacency({ numNodes: n, source: src, target: dst });
  };
  const trainAdj = adjacency(input.edges);
  const store = new ParameterStore({ seed: rng.fork('init') });
  store.create('w1', [f, hidden], 'glorotUniform');
  store.create('w2', [hidden, dim], 'glorotUniform');
  if (decoder === 'bilinear') store.create('r', [dim, dim], 'zeros');
  const opt = new Adam(store, { lr, weightDecay });
  const existing = new Set<number>();
  for (let e = 0; e < positives.length / 2; e++) {
    const a = positives[2 * e];
    const b = positives[2 * e + 1];
    existing.add(a * n + b).add(b * n + a);
  }
  for (let e = 0; e < input.edges.length / 2; e++) {
    const a = input.edges[2 * e];
    const b = input.edges[2 * e + 1];
    existing.add(a * n + b).add(b * n + a);
  }
  const numPos = positives.length / 2;
  const numNeg = numPos * negativeRatio;
  const posSrc = new Int32Array(numPos);
  const posDst = new Int32Array(numPos);
  for (let e = 0; e < numPos; e++) {
    posSrc[e] = positives[2 * e];
    posDst[e] = positives[2 * e + 1];
  }
  const labels = new Float32Array(numPos + numNeg);
  labels.fill(1, 0, numPos);
  const negRng = rng.fork('negatives');
  const dropRng = rng.fork('dropout');

  const encode = (adj: SparseMatrix, training: boolean): tf.Tensor2D => {
    let h = tf.relu(sparseDenseMatMul(adj, sparseDenseMatMul(x, store.get('w1') as tf.Tensor2D)));
    if (training && dropout > 0) {
      const mask = new Float32Array(n * hidden);
      for (let p = 0; p < mask.length; p++) mask[p] = dropRng.next() < dropout ? 0 : 1 / (1 - dropout);
      h = tf.mul(h, tf.tensor2d(mask, [n, hidden]));
    }
    return sparseDenseMatMul(adj, tf.matMul(h, store.get('w2') as tf.Tensor2D));
  };
  const decode = (z: tf.Tensor2D, src: tf.Tensor1D, dst: tf.Tensor1D): tf.Tensor1D => {
    let zs = tf.gather(z, src);
    const zd = tf.gather(z, dst);
    if (decoder === 'bilinear') {
      const r = store.get('r') as tf.Tensor2D;
      const eye = tf.eye(dim);
      zs = tf.matMul(zs, tf.add(eye, tf.mul(0.5, tf.add(r, tf.transpose(r)))));
    }
    return tf.sum(tf.mul(zs, zd), 1);
  };

  const lossHistory: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const src = new Int32Array(numPos + numNeg);
    const dst = new Int32Array(numPos + numNeg);
    src.set(posSrc);
    dst.set(posDst);
    for (let q = numPos; q < numPos + numNeg; q++) {
      let a = 0;
      let b = 0;
      for (let tries = 0; tries < 50; tries++) {
        a = pool[negRng.int(pool.length)];
        b = pool[negRng.int(pool.length)];
        if (a !== b && !existing.has(a * n + b)) break;
      }
      src[q] = a;
      dst[q] = b;
    }
    // Not inside tf.tidy: the optimizer creates its moment tensors on the first step.
    const srcT = tf.tensor1d(src, 'int32');
    const dstT = tf.tensor1d(dst, 'int32');
    const y = tf.tensor1d(labels);
    try {
      const loss = opt.minimize(() => {
        const z = encode(trainAdj, true);
        const logit = decode(z, srcT, dstT);
        // Numerically stable BCE with logits: max(l, 0) - l y + log(1 + exp(-|l|)).
        return tf.mean(
          tf.add(tf.sub(tf.relu(logit), tf.mul(logit, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logit))))),
        ) as tf.Scalar;
      });
      lossHistory.push(loss);
    } finally {
      tf.dispose([srcT, dstT, y]);
    }
  }
  const w1 = store.get('w1').dataSync().slice() as Float32Array;
  const w2 = store.get('w2').dataSync().slice() as Float32Array;
  let rSym: Float32Array | null = null;
  if (decoder === 'bilinear') {
    const r = store.get('r').dataSync();
    rSym = new Float32Array(dim * dim);
    for (let a = 0; a < dim; a++)
      for (let b = 0; b < dim; b++)
        rSym[a * dim + b] = (a === b ? 1 : 0) + 0.5 * (r[a * dim + b] + r[b * dim + a]);
  }
  opt.dispose();
  store.dispose();

  const embed = (edges?: Int32Array): Float32Array => {
    if (edges !== undefined) checkPairs('LinkPredictor.embed', 'edges', edges, n);
    const adj = edges === undefined ? trainAdj : adjacency(edges);
    return tf.tidy(() => {
      const w1t = tf.tensor2d(w1, [f, hidden]);
      const w2t = tf.tensor2d(w2, [hidden, dim]);
      const h = tf.relu(sparseDenseMatMul(adj, sparseDenseMatMul(x, w1t)));
      return sparseDenseMatMul(adj, tf.matMul(h, w2t)).dataSync().slice() as Float32Array;
    });
  };
  const logits = (z: Float32Array, pairs: Int32Array): Float64Array => {
    checkPairs('LinkPredictor.logits', 'pairs', pairs, n);
    if (!(z instanceof Float32Array) || z.length !== n * dim)
      throw new LabInputError('LinkPredictor.logits', 'z', `must be a Float32Array of ${n} x ${dim}`, z);
    const out = new Float64Array(pairs.length / 2);
    const tmp = new Float64Array(dim);
    for (let p = 0; p < out.length; p++) {
      const a = pairs[2 * p] * dim;
      const b = pairs[2 * p + 1] * dim;
      if (rSym === null) {
        let s = 0;
        for (let c = 0; c < dim; c++) s += z[a + c] * z[b + c];
        out[p] = s;
      } else {
        tmp.fill(0);
        for (let c = 0; c < dim; c++) for (let d = 0; d < dim; d++) tmp[d] += z[a + c] * rSym[c * dim + d];
        let s = 0;
        for (let d = 0; d < dim; d++) s += tmp[d] * z[b + d];
        out[p] = s;
      }
    }
    return out;
  };
  return {
    hidden,
    embeddingDim: dim,
    finalLoss: lossHistory[lossHistory.length - 1],
    lossHistory,
    embed,
    logits,
  };
}
