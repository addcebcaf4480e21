import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import {
  Adam,
  createRng,
  Gcn,
  glorotUniform,
  graphArrays,
  initBackend,
  loadGraphFolder,
  normalizeAdjacency,
  type Rng,
  resolveDataDir,
  SparseMatrix,
  sparseDenseMatMul,
} from '../src/index.js';

/** Options of {@link runGcnEpochBench}. */
export interface GcnEpochBenchOptions {
  /** Timed epochs (default 200; `quick`: 100). */
  epochs?: number;
  /** Untimed warm-up epochs (default 20). */
  warmup?: number;
  /** Fewer epochs (CI smoke run). */
  quick?: boolean;
  /** Cora folder (default `resolveDataDir('graphs', 'cora')`). */
  data?: string;
}

/** One row of the GCN epoch benchmark. */
export interface GcnEpochRow {
  implementation: string;
  /** Median train-step wall time, ms. */
  medianMs: number;
  /** Mean train-step wall time, ms. */
  meanMs: number;
  /** Loss of the last epoch. */
  finalLoss: number;
  epochs: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

const glorot = (rng: Rng, fanIn: number, fanOut: number): tf.Tensor2D =>
  tf.tensor2d(glorotUniform([fanIn, fanOut], rng), [fanIn, fanOut]);

function dropoutScale(rng: Rng, size: number, rate: number): Float32Array {
  const out = new Float32Array(size);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < size; i++) out[i] = rng.next() < rate ? 0 : keep;
  return out;
}

/** Row-normalised sparse bag-of-words features (Kipf's `preprocess_features`). */
function sparseRowNormalised(features: Float32Array, n: number, f: number): SparseMatrix {
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    let sum = 0;
    const start = vals.length;
    for (let j = 0; j < f; j++) {
      const v = features[i * f + j] as number;
      if (v !== 0) {
        rows.push(i);
        cols.push(j);
        vals.push(v);
        sum += v;
      }
    }
    if (sum !== 0) for (let q = start; q < vals.length; q++) vals[q] = (vals[q] as number) / sum;
  }
  return SparseMatrix.fromCoo([n, f], rows, cols, vals);
}

/**
 * Median wall time of one full-batch training step (forward, backward, Adam update, loss read
 * back) of Kipf & Welling's 2-layer GCN on Cora on the wasm backend, two ways: the step built by
 * hand from core's public ops (sparse `X` as a `SparseMatrix`, `D^-1/2 (A + I) D^-1/2`,
 * `sparseDenseMatMul`, relu, dropout on X's non-zeros and on the hidden layer, softmax
 * cross-entropy on the 140 training nodes, Adam lr 0.01 with weight decay 5e-4 on `W1`), the
 * same math as core's `Gcn`; and `Gcn.fit`'s own `stepMs`. Compare with `bench/gcn_pytorch.py`.
 */
export async function runGcnEpochBench(options: GcnEpochBenchOptions = {}): Promise<GcnEpochRow[]> {
  const epochs = options.epochs ?? (options.quick ? 100 : 200);
  const warmup = options.warmup ?? 20;
  const backend = await initBackend();
  const graph = await loadGraphFolder(options.data ?? resolveDataDir('graphs', 'cora'));
  const g = graphArrays(graph);
  const n = g.numNodes;
  const c = g.numClasses;
  const x = sparseRowNormalised(g.features, n, g.numFeatures);
  const source = new Int32Array(g.numEdges);
  const target = new Int32Array(g.numEdges);
  for (let e = 0; e < g.numEdges; e++) {
    source[e] = g.edges[2 * e] as number;
    target[e] = g.edges[2 * e + 1] as number;
  }
  const adj = normalizeAdjacency({ numNodes: n, source, target });
  const rows: GcnEpochRow[] = [];

  // --- the step from public ops -----------------------------------------------------------------
  {
    const hidden = 16;
    const rate = 0.5;
    const init = createRng(0).fork('init');
    const params = tf.tidy(() => ({
      W1: tf.variable(glorot(init, g.numFeatures, hidden), true, 'bench/W1'),
      b1: tf.variable(tf.zeros([hidden]), true, 'bench/b1'),
      W2: tf.variable(glorot(init, hidden, c), true, 'bench/W2'),
      b2: tf.variable(tf.zeros([c]), true, 'bench/b2'),
    }));
    const targetData = new Float32Array(n * c);
    for (const i of g.train) targetData[i * c + (g.labels[i] as number)] = 1 / g.train.length;
    const targetT = tf.tensor2d(targetData, [n, c]);
    const optimizer = new Adam(params, { lr: 0.01, weightDecay: 5e-4, noDecay: (k: string) => k !== 'W1' });
    const names = Object.keys(params) as Array<keyof typeof params>;
    const varList = names.map((k) => params[k]);
    const drop = createRng(0).fork('dropout');
    const times: number[] = [];
    let loss = Number.NaN;
    for (let epoch = 0; epoch < warmup + epochs; epoch++) {
      const t0 = performance.now();
      const { value, grads } = tf.tidy(() =>
        tf.variableGrads(() => {
          const scale = dropoutScale(drop, x.nnz, rate);
          const xValues = new Float32Array(x.nnz);
          for (let p = 0; p < xValues.length; p++)
            xValues[p] = (x.values[p] as number) * (scale[p] as number);
          const xw = sparseDenseMatMul(x, params.W1 as tf.Tensor2D, xValues);
          let h = tf.relu(tf.add(sparseDenseMatMul(adj, xw), params.b1)) as tf.Tensor2D;
          h = tf.mul(h, tf.tensor2d(dropoutScale(drop, h.size, rate), h.shape)) as tf.Tensor2D;
          const z = tf.add(sparseDenseMatMul(adj, tf.matMul(h, params.W2 as tf.Tensor2D)), params.b2);
          return tf.neg(tf.sum(tf.mul(targetT, tf.logSoftmax(z)))) as tf.Scalar;
        }, varList),
      );
      const byName: Record<string, tf.Tensor> = {};
      for (const k of names) byName[k] = grads[params[k].name] as tf.Tensor;
      optimizer.step(byName);
      loss = value.dataSync()[0] as number;
      tf.dispose([value, ...Object.values(grads)]);
      const ms = performance.now() - t0;
      if (epoch >= warmup) times.push(ms);
    }
    optimizer.dispose();
    targetT.dispose();
    tf.dispose(Object.values(params));
    rows.push({
      implementation: '@lab/core public ops (sparse X)',
      medianMs: median(times),
      meanMs: mean(times),
      finalLoss: loss,
      epochs,
    });
  }

  // --- core's Gcn.fit ---------------------------------------------------------------------------
  {
    const model = new Gcn({ numFeatures: g.numFeatures, numClasses: c, seed: 0 });
    const fitted = await model.fit(g, { epochs: warmup + epochs, seed: 0 });
    model.dispose();
    const times = fitted.stepMs.slice(warmup);
    rows.push({
      implementation: '@lab/core Gcn.fit stepMs',
      medianMs: median(times),
      meanMs: mean(times),
      finalLoss: fitted.loss.at(-1) ?? Number.NaN,
      epochs,
    });
  }

  console.log(
    `\nGCN train step on Cora (${n} nodes, ${x.nnz} feature non-zeros, ${adj.nnz} adjacency non-zeros): ` +
      `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown'}, backend ${backend.backend}` +
      `${backend.simd ? ' (SIMD)' : ''}; ${epochs} timed epochs after ${warmup} warm-up\n`,
  );
  console.log('| implementation | ms/epoch (median) | ms/epoch (mean) | final loss |');
  console.log('|---|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.implementation} | ${r.medianMs.toFixed(2)} | ${r.meanMs.toFixed(2)} | ${r.finalLoss.toFixed(3)} |`,
    );
  }
  return rows;
}
