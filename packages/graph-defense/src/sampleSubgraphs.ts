import { checkInteger, LabInputError, readOptions, type SeedOptions } from '@lab/core';

/** Options of {@link sampleSubgraphs}. */
export interface SampleSubgraphsOptions extends SeedOptions {
  /** Number of subgraphs K (default 8). */
  numSubgraphs?: number;
  /** Node-sampling rate r: each node is kept independently with this probability (default 0.7). */
  rate?: number;
  /** Edges (indices into the edge list) never put in any subgraph, e.g. outliers removed by the preprocessing. */
  exclude?: ArrayLike<number>;
}

/** One node-induced subgraph. */
export interface Subgraph {
  /** 1 for kept nodes. */
  nodeMask: Uint8Array;
  /** Kept nodes, ascending. */
  nodes: Int32Array;
  /** 1 for edges with both endpoints kept (and not excluded). */
  edgeMask: Uint8Array;
  /** Indices of those edges, ascending. */
  edgeIndex: Int32Array;
}

/** What {@link sampleSubgraphs} returns. */
export interface SampleSubgraphsResult {
  subgraphs: Subgraph[];
  /** Per edge: how many subgraphs do NOT contain it (the models that can score it as held out). */
  heldOutCount: Int32Array;
}

/**
 * Samples K node-induced subgraphs of an undirected graph: every node is kept independently with
 * probability `rate`, and a subgraph holds the edges whose two endpoints are kept (probability
 * `rate^2` per edge). Deterministic for a seed.
 *
 * @param numNodes - number of nodes.
 * @param edges - undirected edge list, edge e = `(edges[2e], edges[2e+1])`.
 * @see Xu et al., "EDoG: Adversarial Edge Detection For Graph Neural Networks", SaTML 2023 (arXiv 2212.13607), subgraph sampling and union bound.
 */
export function sampleSubgraphs(
  numNodes: number,
  edges: Int32Array,
  options?: SampleSubgraphsOptions,
): SampleSubgraphsResult {
  const fn = 'sampleSubgraphs';
  checkInteger(fn, 'numNodes', numNodes, 1);
  if (!(edges instanceof Int32Array) || edges.length % 2 !== 0) {
    throw new LabInputError(fn, 'edges', 'must be an Int32Array of endpoint pairs', edges);
  }
  for (let p = 0; p < edges.length; p++) {
    if (edges[p] < 0 || edges[p] >= numNodes)
      throw new LabInputError(fn, `edges[${p}]`, `must be a node index in [0, ${numNodes - 1}]`, edges[p]);
  }
  const o = readOptions(fn, options, ['numSubgraphs', 'rate', 'exclude', 'seed', 'rng']);
  const k = o.integer('numSubgraphs', 8, { min: 1, max: 10_000 });
  const rate = o.number('rate', 0.7, { min: 0, max: 1, open: { min: true } });
  const m = edges.length / 2;
  const excluded = new Uint8Array(m);
  const exclude = o.raw('exclude') as ArrayLike<number> | undefined | null;
  if (exclude !== undefined) {
    if (exclude === null || typeof exclude !== 'object' || typeof exclude.length !== 'number') {
      throw new LabInputError(fn, 'options.exclude', 'must be an array of edge indices', exclude);
    }
    for (let q = 0; q < exclude.length; q++) {
      const e = exclude[q];
      if (!Number.isInteger(e) || e < 0 || e >= m)
        throw new LabInputError(fn, `options.exclude[${q}]`, `must be an edge index in [0, ${m - 1}]`, e);
      excluded[e] = 1;
    }
  }
  const rng = o.rng();
  const heldOutCount = new Int32Array(m);
  const subgraphs: Subgraph[] = [];
  for (let s = 0; s < k; s++) {
    const r = rng.fork(`subgraph-${s}`);
    const nodeMask = new Uint8Array(numNodes);
    let kept = 0;
    for (let i = 0; i < numNodes; i++) {
      if (r.next() < rate) {
        nodeMask[i] = 1;
        kept++;
      }
    }
    const nodes = new Int32Array(kept);
    for (let i = 0, w = 0; i < numNodes; i++) if (nodeMask[i]) nodes[w++] = i;
    const edgeMask = new Uint8Array(m);
    const list: number[] = [];
    for (let e = 0; e < m; e++) {
      if (nodeMask[edges[2 * e]] && nodeMask[edges[2 * e + 1]]) {
        if (!excluded[e]) {
          edgeMask[e] = 1;
          list.push(e);
        }
      } else {
        heldOutCount[e]++;
      }
    }
    subgraphs.push({ nodeMask, nodes, edgeMask, edgeIndex: Int32Array.from(list) });
  }
  return { subgraphs, heldOutCount };
}
