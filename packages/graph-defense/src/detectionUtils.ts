// Internal helpers of the detection modules (not exported from the package index).
import { LabInputError, type GraphArrays } from '@lab/core';

/** The edges at the given indices of an undirected edge list `(edges[2e], edges[2e+1])`. */
export function edgesAt(edges: Int32Array, index: ArrayLike<number>): Int32Array {
  const out = new Int32Array(2 * index.length);
  for (let q = 0; q < index.length; q++) {
    out[2 * q] = edges[2 * index[q]];
    out[2 * q + 1] = edges[2 * index[q] + 1];
  }
  return out;
}

/** Undirected adjacency in CSR form: neighbours of node i are `indices[indptr[i] .. indptr[i+1])`. */
export interface Csr {
  indptr: Int32Array;
  indices: Int32Array;
}

/** CSR adjacency of an undirected edge list `(edges[2e], edges[2e+1])`, optionally only edges with `keep[e] = 1`. */
export function buildCsr(numNodes: number, edges: Int32Array, keep?: Uint8Array): Csr {
  const m = edges.length / 2;
  const indptr = new Int32Array(numNodes + 1);
  for (let e = 0; e < m; e++) {
    if (keep !== undefined && keep[e] === 0) continue;
    indptr[edges[2 * e] + 1]++;
    indptr[edges[2 * e + 1] + 1]++;
  }
  for (let i = 0; i < numNodes; i++) indptr[i + 1] += indptr[i];
  const next = indptr.slice(0, numNodes);
  const indices = new Int32Array(indptr[numNodes]);
  for (let e = 0; e < m; e++) {
    if (keep !== undefined && keep[e] === 0) continue;
    const a = edges[2 * e];
    const b = edges[2 * e + 1];
    indices[next[a]++] = b;
    indices[next[b]++] = a;
  }
  return { indptr, indices };
}

/** Degree of every node from a CSR adjacency. */
export function degrees(csr: Csr): Int32Array {
  const n = csr.indptr.length - 1;
  const d = new Int32Array(n);
  for (let i = 0; i < n; i++) d[i] = csr.indptr[i + 1] - csr.indptr[i];
  return d;
}

/** Average ranks scaled to [0, 1] (ties share their mean rank); the input is not modified. */
export function rankNormalize(scores: ArrayLike<number>): Float64Array {
  const m = scores.length;
  const out = new Float64Array(m);
  if (m <= 1) return out.fill(0.5);
  const order = Array.from({ length: m }, (_, k) => k).sort((a, b) => scores[a] - scores[b]);
  for (let start = 0; start < m; ) {
    let end = start + 1;
    while (end < m && scores[order[end]] === scores[order[start]]) end++;
    const r = (start + end - 1) / 2 / (m - 1);
    for (let q = start; q < end; q++) out[order[q]] = r;
    start = end;
  }
  return out;
}

/** Indices of the `count` largest scores, largest first (ties: lower index first). */
export function topIndices(scores: ArrayLike<number>, count: number): Int32Array {
  const order = Array.from({ length: scores.length }, (_, k) => k).sort(
    (a, b) => scores[b] - scores[a] || a - b,
  );
  return Int32Array.from(order.slice(0, Math.max(0, Math.min(count, scores.length))));
}

/** Validates the parts of {@link GraphArrays} the detection code reads. */
export function checkArrays(fn: string, arg: string, a: GraphArrays, needFeatures = true): void {
  if (
    a === null ||
    typeof a !== 'object' ||
    !(a.edges instanceof Int32Array) ||
    !Number.isInteger(a.numNodes)
  ) {
    throw new LabInputError(fn, arg, 'must be GraphArrays (numNodes, edges: Int32Array, ...)', a);
  }
  if (a.edges.length !== 2 * a.numEdges) {
    throw new LabInputError(
      fn,
      `${arg}.edges`,
      `must hold 2 * numEdges = ${2 * a.numEdges} entries`,
      a.edges.length,
    );
  }
  for (let e = 0; e < a.numEdges; e++) {
    const u = a.edges[2 * e];
    const v = a.edges[2 * e + 1];
    if (!(u >= 0 && v < a.numNodes && u < v)) {
      throw new LabInputError(
        fn,
        `${arg}.edges`,
        `must list each undirected edge once with 0 <= i < j < ${a.numNodes}`,
        `(${u}, ${v}) at edge ${e}`,
      );
    }
  }
  if (needFeatures) {
    if (
      !(a.features instanceof Float32Array) ||
      a.numFeatures < 1 ||
      a.features.length !== a.numNodes * a.numFeatures
    ) {
      throw new LabInputError(
        fn,
        `${arg}.features`,
        'must be a numNodes x numFeatures Float32Array with numFeatures >= 1 (node features are required)',
        a.features,
      );
    }
  }
}

/** Cosine similarity of rows i and j of a row-major matrix with `dim` columns (0 for a zero row). */
export function rowCosine(x: Float32Array, dim: number, i: number, j: number): number {
  let dot = 0;
  let ni = 0;
  let nj = 0;
  const oi = i * dim;
  const oj = j * dim;
  for (let c = 0; c < dim; c++) {
    const a = x[oi + c];
    const b = x[oj + c];
    dot += a * b;
    ni += a * a;
    nj += b * b;
  }
  return ni === 0 || nj === 0 ? 0 : dot / Math.sqrt(ni * nj);
}

/** Total-variation distance `0.5 * sum_k |p_uk - p_vk|` of the class-probability rows (`N x c`) of every edge's endpoints. */
export function probabilityDistance(probs: Float32Array, c: number, edges: Int32Array): Float64Array {
  const m = edges.length / 2;
  const out = new Float64Array(m);
  for (let e = 0; e < m; e++) {
    const u = edges[2 * e] * c;
    const v = edges[2 * e + 1] * c;
    let s = 0;
    for (let k = 0; k < c; k++) s += Math.abs(probs[u + k] - probs[v + k]);
    out[e] = s / 2;
  }
  return out;
}
