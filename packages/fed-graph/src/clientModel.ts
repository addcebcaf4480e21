import { SparseMatrix, sparseDenseMatMul } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ClientData } from './clientData.js';

/** Model families of the federation: both are an MLP-style projection followed by propagation hops. */
type FedModelKind = 'gcn' | 'appnp';

/** Architecture shared by the server and every client. */
export interface FedModelSpec {
  readonly kind: FedModelKind;
  /** Hidden units. */
  readonly hidden: number;
  /** APPNP propagation steps K (GCN: always 2 hops, one per layer). */
  readonly hops: number;
  /** APPNP teleport probability alpha. */
  readonly alpha: number;
}

/** Parameter names of every model (`W1 [F, hidden]`, `b1 [hidden]`, `W2 [hidden, C]`, `b2 [C]`). */
export const PARAM_NAMES = ['W1', 'b1', 'W2', 'b2'] as const;

/** One of {@link PARAM_NAMES}. */
export type ParamName = (typeof PARAM_NAMES)[number];

/** The model's parameters as tensors (owned by the caller). */
export type FedParams = Record<ParamName, tf.Tensor>;

/** The shape of every parameter for `numFeatures` inputs and `numClasses` outputs. */
export function paramShapes(
  spec: FedModelSpec,
  numFeatures: number,
  numClasses: number,
): Record<ParamName, number[]> {
  const h = spec.hidden;
  return { W1: [numFeatures, h], b1: [h], W2: [h, numClasses], b2: [numClasses] };
}

/** Columns of the rows exchanged at hop `l` (GCN's first hop carries hidden units, every other hop class scores). */
export function hopWidth(spec: FedModelSpec, l: number, numClasses: number): number {
  return l === 0 && spec.kind === 'gcn' ? spec.hidden : numClasses;
}

/** Number of propagation hops (exchanges of boundary rows) of a model. */
export function hopCount(spec: FedModelSpec): number {
  return spec.kind === 'gcn' ? 2 : spec.hops;
}

/**
 * Whether cross-client edges are used: `'shared'` (representations of remote neighbours are
 * exchanged; degrees count every edge) or `'dropped'` (the client sees only its own subgraph).
 */
export type EdgeMode = 'shared' | 'dropped';

/**
 * One client's local computation (internal). Own nodes `V_k`; the halo `R` is the concatenation,
 * over neighbour clients in ascending id, of the remote nodes adjacent to `V_k`, sorted by key;
 * the boundary for neighbour `c` is the own nodes adjacent to `c`, sorted by key, so that what a
 * sender writes and what a receiver expects are in the same order without sharing indices.
 *
 * With `Â = D^-1/2 (A + I) D^-1/2` over the whole graph, the rows of `Â P` for own nodes are
 * `L P_own + C R`, where `L` is `Â` restricted to own x own and `C = D_own^-1/2 A_cross`; the
 * sender pre-scales its boundary rows by its own `d^-1/2`, so no degree is ever exchanged.
 */
export class ClientModel {
  readonly data: ClientData;
  readonly spec: FedModelSpec;
  readonly mode: EdgeMode;
  /** Neighbour clients, ascending. */
  readonly neighbours: number[];
  /** Per neighbour: own local indices sent to it (boundary block). */
  readonly sendIndex: Int32Array[];
  /** Per neighbour: number of its nodes in the halo (halo block sizes). */
  readonly receiveCount: number[];
  /** Own training nodes (local indices). */
  readonly trainIndex: Int32Array;
  private readonly x: SparseMatrix;
  private readonly local: SparseMatrix;
  private readonly cross: SparseMatrix;
  private readonly sendAll: tf.Tensor1D;
  private readonly sendScale: tf.Tensor2D;
  private readonly trainOneHot: tf.Tensor2D;
  private readonly trainAll: tf.Tensor1D;

  constructor(data: ClientData, spec: FedModelSpec, mode: EdgeMode) {
    this.data = data;
    this.spec = spec;
    this.mode = mode;
    const n = data.nodes.length;
    const deg = new Float64Array(n).fill(1); // self-loop
    const le = data.localEdges;
    for (let e = 0; e < le.length; e += 2) {
      deg[le[e] as number]! += 1;
      deg[le[e + 1] as number]! += 1;
    }
    const re = data.remoteEdges;
    if (mode === 'shared') for (let e = 0; e < re.local.length; e++) deg[re.local[e] as number]! += 1;
    const inv = Float64Array.from(deg, (d) => 1 / Math.sqrt(d));

    // L = D^-1/2 (A_own + I) D^-1/2
    const rows: number[] = [];
    const cols: number[] = [];
    const vals: number[] = [];
    for (let i = 0; i < n; i++) {
      rows.push(i);
      cols.push(i);
      vals.push(inv[i]! * inv[i]!);
    }
    for (let e = 0; e < le.length; e += 2) {
      const u = le[e] as number;
      const v = le[e + 1] as number;
      const w = inv[u]! * inv[v]!;
      rows.push(u, v);
      cols.push(v, u);
      vals.push(w, w);
    }
    this.local = SparseMatrix.fromCoo([n, n], rows, cols, vals);

    // halo and boundary layout
    const byClient = new Map<number, { halo: Set<string>; send: Set<number> }>();
    if (mode === 'shared') {
      for (let e = 0; e < re.local.length; e++) {
        const c = re.remoteClient[e] as number;
        let entry = byClient.get(c);
        if (entry === undefined) {
          entry = { halo: new Set(), send: new Set() };
          byClient.set(c, entry);
        }
        entry.halo.add(re.remoteNode[e] as string);
        entry.send.add(re.local[e] as number);
      }
    }
    this.neighbours = [...byClient.keys()].sort((a, b) => a - b);
    const haloPos = new Map<string, number>(); // `${client}\u0000${key}` -> halo row
    this.sendIndex = [];
    this.receiveCount = [];
    for (const c of this.neighbours) {
      const entry = byClient.get(c)!;
      const halo = [...entry.halo].sort();
      for (const key of halo) haloPos.set(`${c}\u0000${key}`, haloPos.size);
      this.receiveCount.push(halo.length);
      const send = [...entry.send].sort((a, b) => compareKeys(data.nodes[a]!, data.nodes[b]!));
      this.sendIndex.push(Int32Array.from(send));
    }
    const cr: number[] = [];
    const cc: number[] = [];
    const cv: number[] = [];
    if (mode === 'shared') {
      for (let e = 0; e < re.local.length; e++) {
        const u = re.local[e] as number;
        cr.push(u);
        cc.push(haloPos.get(`${re.remoteClient[e]}\u0000${re.remoteNode[e]}`)!);
        cv.push(inv[u]!);
      }
    }
    this.cross = SparseMatrix.fromCoo([n, haloPos.size], cr, cc, cv);

    const sendAll = concatInt(this.sendIndex);
    this.sendAll = tf.tensor1d(sendAll, 'int32');
    this.sendScale = tf.tensor2d(
      Float32Array.from(sendAll, (i) => inv[i]!),
      [sendAll.length, 1],
    );

    // features as given (FedGCN's Cora recipe trains on the raw bag-of-words; with row-normalised
    // features plain SGD at its learning rate fits far too slowly), kept sparse
    const f = data.numFeatures;
    const xr: number[] = [];
    const xc: number[] = [];
    const xv: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < f; j++) {
        const v = data.features[i * f + j] as number;
        if (v !== 0) {
          xr.push(i);
          xc.push(j);
          xv.push(v);
        }
      }
    }
    this.x = SparseMatrix.fromCoo([n, f], xr, xc, xv);

    const train: number[] = [];
    for (let i = 0; i < n; i++) if (data.split[i] === 1 && (data.labels[i] as number) >= 0) train.push(i);
    this.trainIndex = Int32Array.from(train);
    this.trainAll = tf.tensor1d(this.trainIndex, 'int32');
    const oneHot = new Float32Array(train.length * data.numClasses);
    train.forEach((i, r) => {
      oneHot[r * data.numClasses + (data.labels[i] as number)] = 1;
    });
    this.trainOneHot = tf.tensor2d(oneHot, [train.length, data.numClasses]);
  }

  /** Total boundary rows this client sends per hop. */
  get sendRows(): number {
    return this.sendAll.shape[0];
  }

  /** Total halo rows this client receives per hop. */
  get haloRows(): number {
    return this.cross.shape[1];
  }

  /**
   * The forward pass with the given halo rows per hop (`halo[l]`: `[haloRows, width_l]`,
   * pre-scaled by the senders; missing hops count as zeros). Returns the boundary rows sent at
   * each hop (pre-scaled) up to `untilHop` (exclusive of the propagation of that hop), and the
   * logits when the pass runs to the end. `hiddenMask` is an optional dropout mask on the hidden
   * layer (`[n, hidden]`, already scaled by 1/(1-p)).
   */
  forward(
    params: FedParams,
    halo: readonly (tf.Tensor | undefined)[],
    untilHop = Number.POSITIVE_INFINITY,
    hiddenMask?: tf.Tensor,
  ): { boundary: tf.Tensor2D[]; logits?: tf.Tensor2D } {
    const boundary: tf.Tensor2D[] = [];
    const propagate = (p: tf.Tensor2D, l: number): tf.Tensor2D | undefined => {
      boundary.push(tf.mul(tf.gather(p, this.sendAll), this.sendScale) as tf.Tensor2D);
      if (l >= untilHop) return undefined;
      let out = sparseDenseMatMul(this.local, p);
      const r = halo[l];
      if (this.haloRows > 0 && r !== undefined)
        out = tf.add(out, sparseDenseMatMul(this.cross, r as tf.Tensor2D));
      return out;
    };
    const w1 = params.W1 as tf.Tensor2D;
    const w2 = params.W2 as tf.Tensor2D;
    if (this.spec.kind === 'gcn') {
      const a1 = propagate(sparseDenseMatMul(this.x, w1), 0);
      if (a1 === undefined) return { boundary };
      let h1 = tf.relu(tf.add(a1, params.b1)) as tf.Tensor2D;
      if (hiddenMask !== undefined) h1 = tf.mul(h1, hiddenMask) as tf.Tensor2D;
      const z = propagate(tf.matMul(h1, w2), 1);
      if (z === undefined) return { boundary };
      return { boundary, logits: tf.add(z, params.b2) as tf.Tensor2D };
    }
    let h1 = tf.relu(tf.add(sparseDenseMatMul(this.x, w1), params.b1)) as tf.Tensor2D;
    if (hiddenMask !== undefined) h1 = tf.mul(h1, hiddenMask) as tf.Tensor2D;
    const h0 = tf.add(tf.matMul(h1, w2), params.b2) as tf.Tensor2D;
    let z = h0;
    const alpha = this.spec.alpha;
    for (let l = 0; l < this.spec.hops; l++) {
      const p = propagate(z, l);
      if (p === undefined) return { boundary };
      z = tf.add(tf.mul(p, 1 - alpha), tf.mul(h0, alpha)) as tf.Tensor2D;
    }
    return { boundary, logits: z };
  }

  /** Mean cross-entropy over own training nodes (0 when there are none). */
  trainLoss(logits: tf.Tensor2D): tf.Scalar {
    if (this.trainIndex.length === 0) return tf.scalar(0);
    const z = tf.gather(logits, this.trainAll);
    return tf.neg(tf.mean(tf.sum(tf.mul(this.trainOneHot, tf.logSoftmax(z)), 1))) as tf.Scalar;
  }

  /**
   * The client's surrogate objective in global units,
   * `S_k = w_k l_k + sum_l <Gin_l, B_l>`: its weighted loss plus the linearised effect of its
   * boundary rows on the other clients' objectives (`Gin_l`: gradients received for hop `l`).
   * At fresh representations, `sum_k grad S_k` is the full-graph gradient (the chain rule
   * through every exchanged row); `naive` drops the second term.
   */
  surrogate(
    params: FedParams,
    halo: readonly (tf.Tensor | undefined)[],
    gradIn: readonly (tf.Tensor | undefined)[],
    weight: number,
    hiddenMask?: tf.Tensor,
  ): tf.Scalar {
    const { boundary, logits } = this.forward(params, halo, Number.POSITIVE_INFINITY, hiddenMask);
    let s = tf.mul(this.trainLoss(logits!), weight) as tf.Scalar;
    boundary.forEach((b, l) => {
      const g = gradIn[l];
      if (g !== undefined && b.shape[0] > 0) s = tf.add(s, tf.sum(tf.mul(b, g))) as tf.Scalar;
    });
    return s;
  }

  /** Frees the tensors this model holds. */
  dispose(): void {
    tf.dispose([this.sendAll, this.sendScale, this.trainOneHot, this.trainAll]);
  }
}

/** Byte-order comparison of node keys (both sides of an edge sort the same way). */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function concatInt(parts: readonly Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
