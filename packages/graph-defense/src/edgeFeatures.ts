import { checkInteger, LabInputError } from '@lab/core';
import { buildCsr, rowCosine } from './detectionUtils.js';

/** Inputs of {@link edgeFeatures}. */
export interface EdgeFeaturesInput {
  numNodes: number;
  /** Undirected edge list, edge e = `(edges[2e], edges[2e+1])`; features are computed for these edges on this graph. */
  edges: Int32Array;
  /** Predicted class of every node (e.g. a GCN's argmax, with the known training labels filled in). */
  predictedLabels: Int32Array;
  numClasses: number;
  /** Row-major node features (`numNodes x numFeatures`) for the cosine similarity; omit to skip that column. */
  features?: Float32Array;
  numFeatures?: number;
  /** Row-major node embeddings (`numNodes x embeddingDim`) for the embedding distance; omit to skip that column. */
  embeddings?: Float32Array;
  embeddingDim?: number;
}

/** What {@link edgeFeatures} returns: a row-major `numEdges x names.length` matrix. */
export interface EdgeFeaturesResult {
  names: string[];
  values: Float64Array;
  dim: number;
}

/** Per-node neighbourhood label statistics (order of {@link NODE_STATS}). */
const NODE_STATS = [
  'logDegree',
  'distinctLabels',
  'meanCountPerLabel',
  'topLabelShare',
  'secondLabelShare',
  'topSecondSpread',
  'ownLabelShare',
] as const;

/**
 * Outlier features of every edge from its endpoints' neighbourhoods, after the edge-detection
 * features of Xu et al.: for each endpoint, the label distribution of its neighbours under the
 * predicted labels (number of distinct labels, mean count per label, largest and second-largest
 * label share and their spread, share of the node's own label) and its log degree, each
 * symmetrised as `min`/`max` over the two endpoints; then edge-level columns: whether the
 * endpoints' predicted labels agree, the share of each endpoint's *other* neighbours carrying the
 * other endpoint's label (min/max), the cosine similarity of the endpoint features and the
 * Euclidean distance of their embeddings.
 *
 * Shares are fractions of the degree (the edge itself included, as it is part of the observed
 * graph); a node of degree 0 cannot occur since every endpoint has the edge.
 *
 * @see Xu et al., "EDoG: Adversarial Edge Detection For Graph Neural Networks", SaTML 2023 (arXiv 2212.13607).
 * @see Xu et al., "Characterizing Malicious Edges targeting on Graph Neural Networks", ICLR 2019 submission (openreview HJxdAoCcYX).
 */
export function edgeFeatures(input: EdgeFeaturesInput): EdgeFeaturesResult {
  const fn = 'edgeFeatures';
  if (input === null || typeof input !== 'object')
    throw new LabInputError(fn, 'input', 'must be an object', input);
  const { numNodes: n, edges, predictedLabels: y, numClasses: c } = input;
  checkInteger(fn, 'input.numNodes', n, 1);
  checkInteger(fn, 'input.numClasses', c, 1);
  if (!(edges instanceof Int32Array) || edges.length % 2 !== 0)
    throw new LabInputError(fn, 'input.edges', 'must be an Int32Array of node pairs', edges);
  for (let p = 0; p < edges.length; p++) {
    if (edges[p] < 0 || edges[p] >= n)
      throw new LabInputError(fn, `input.edges[${p}]`, `must be a node index in [0, ${n - 1}]`, edges[p]);
  }
  if (!(y instanceof Int32Array) || y.length !== n)
    throw new LabInputError(fn, 'input.predictedLabels', `must be an Int32Array of length ${n}`, y);
  for (let i = 0; i < n; i++) {
    if (y[i] < 0 || y[i] >= c)
      throw new LabInputError(fn, `input.predictedLabels[${i}]`, `must be a class in [0, ${c - 1}]`, y[i]);
  }
  const useFeat = input.features !== undefined;
  if (useFeat) {
    checkInteger(fn, 'input.numFeatures', input.numFeatures, 1);
    if (!(input.features instanceof Float32Array) || input.features.length !== n * input.numFeatures) {
      throw new LabInputError(
        fn,
        'input.features',
        `must be a Float32Array of numNodes * numFeatures = ${n * input.numFeatures}`,
        input.features,
      );
    }
  }
  const useEmb = input.embeddings !== undefined;
  if (useEmb) {
    checkInteger(fn, 'input.embeddingDim', input.embeddingDim, 1);
    if (!(input.embeddings instanceof Float32Array) || input.embeddings.length !== n * input.embeddingDim) {
      throw new LabInputError(
        fn,
        'input.embeddings',
        `must be a Float32Array of numNodes * embeddingDim = ${n * input.embeddingDim}`,
        input.embeddings,
      );
    }
  }
  const m = edges.length / 2;
  const csr = buildCsr(n, edges);
  // Per-node label counts over neighbours and the statistics.
  const counts = new Int32Array(n * c);
  const ns = NODE_STATS.length;
  const stats = new Float64Array(n * ns);
  for (let i = 0; i < n; i++) {
    const d = csr.indptr[i + 1] - csr.indptr[i];
    for (let p = csr.indptr[i]; p < csr.indptr[i + 1]; p++) counts[i * c + y[csr.indices[p]]]++;
    let distinct = 0;
    let top = 0;
    let second = 0;
    for (let k = 0; k < c; k++) {
      const v = counts[i * c + k];
      if (v > 0) distinct++;
      if (v > top) {
        second = top;
        top = v;
      } else if (v > second) second = v;
    }
    const o = i * ns;
    stats[o] = Math.log1p(d);
    stats[o + 1] = distinct;
    stats[o + 2] = distinct === 0 ? 0 : d / distinct;
    stats[o + 3] = d === 0 ? 0 : top / d;
    stats[o + 4] = d === 0 ? 0 : second / d;
    stats[o + 5] = d === 0 ? 0 : (top - second) / d;
    stats[o + 6] = d === 0 ? 0 : counts[i * c + y[i]] / d;
  }
  const names: string[] = [];
  for (const s of NODE_STATS) names.push(`${s}Min`, `${s}Max`);
  names.push('labelAgreement', 'otherLabelShareMin', 'otherLabelShareMax');
  if (useFeat) names.push('featureCosine');
  if (useEmb) names.push('embeddingDistance');
  const dim = names.length;
  const values = new Float64Array(m * dim);
  for (let e = 0; e < m; e++) {
    const u = edges[2 * e];
    const v = edges[2 * e + 1];
    const o = e * dim;
    for (let s = 0; s < ns; s++) {
      const a = stats[u * ns + s];
      const b = stats[v * ns + s];
      values[o + 2 * s] = Math.min(a, b);
      values[o + 2 * s + 1] = Math.max(a, b);
    }
    let q = o + 2 * ns;
    values[q++] = y[u] === y[v] ? 1 : 0;
    // Share of u's neighbours other than v that carry v's label, and vice versa.
    const du = csr.indptr[u + 1] - csr.indptr[u];
    const dv = csr.indptr[v + 1] - csr.indptr[v];
    const su = du > 1 ? (counts[u * c + y[v]] - 1) / (du - 1) : 0;
    const sv = dv > 1 ? (counts[v * c + y[u]] - 1) / (dv - 1) : 0;
    values[q++] = Math.min(su, sv);
    values[q++] = Math.max(su, sv);
    if (useFeat) values[q++] = rowCosine(input.features as Float32Array, input.numFeatures as number, u, v);
    if (useEmb) {
      const z = input.embeddings as Float32Array;
      const k = input.embeddingDim as number;
      let s2 = 0;
      for (let t = 0; t < k; t++) {
        const diff = z[u * k + t] - z[v * k + t];
        s2 += diff * diff;
      }
      values[q++] = Math.sqrt(s2);
    }
  }
  return { names, values, dim };
}
