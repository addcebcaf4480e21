// Grid graph over a 2-D latent box with metric edge weights, and Dijkstra (not exported).
import { LabInputError } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { type MetricKind, speedFromMoments } from './curveTerms.js';
import { checkedJacobian } from './internal.js';
import type { StochasticDecoder } from './StochasticDecoder.js';

/** Options of the latent grid graph (shared by graphGeodesic and geodesicDistances). */
export interface LatentGridOptions {
  /** Latent box `[[xMin, xMax], [yMin, yMax]]` (default: the points' bounding box grown by 25% of its diagonal on each side). */
  bounds?: [[number, number], [number, number]];
  /** Grid nodes per axis (default 50, as in the paper). */
  resolution?: number;
  /** 4 (axis edges) or 8 (axis and diagonal edges, default) neighbours. */
  connectivity?: 4 | 8;
  /** Metric for the edge weights (default `finsler`). */
  metric?: MetricKind;
  /** Edges evaluated per decoder.jacobian call (default 4096). */
  batchSize?: number;
}

export interface LatentGrid {
  coords: Float64Array; // [nodes, 2]
  nodeCount: number;
  adj: number[][]; // neighbour ids
  wts: number[][]; // weights
}

export function resolveBounds(
  fn: string,
  points: number[][],
  bounds: LatentGridOptions['bounds'],
): [[number, number], [number, number]] {
  if (bounds !== undefined) {
    const ok =
      Array.isArray(bounds) &&
      bounds.length === 2 &&
      bounds.every(
        (b) =>
          Array.isArray(b) && b.length === 2 && Number.isFinite(b[0]) && Number.isFinite(b[1]) && b[1] > b[0],
      );
    if (!ok)
      throw new LabInputError(
        fn,
        'options.bounds',
        'must be [[xMin, xMax], [yMin, yMax]] with min < max',
        bounds,
      );
    for (const p of points) {
      if (p[0]! < bounds[0][0] || p[0]! > bounds[0][1] || p[1]! < bounds[1][0] || p[1]! > bounds[1][1]) {
        throw new LabInputError(
          fn,
          'options.bounds',
          `must contain every point; ${JSON.stringify(p)} is outside`,
          bounds,
        );
      }
    }
    return bounds;
  }
  const lo = [Math.min(...points.map((p) => p[0]!)), Math.min(...points.map((p) => p[1]!))];
  const hi = [Math.max(...points.map((p) => p[0]!)), Math.max(...points.map((p) => p[1]!))];
  const diag = Math.max(Math.hypot(hi[0]! - lo[0]!, hi[1]! - lo[1]!), 1e-6);
  return [
    [lo[0]! - 0.25 * diag, hi[0]! + 0.25 * diag],
    [lo[1]! - 0.25 * diag, hi[1]! + 0.25 * diag],
  ];
}

/** Metric lengths of straight edges a -> b, midpoint rule: speed at (a+b)/2 in direction b - a. */
function edgeLengths(
  fn: string,
  decoder: StochasticDecoder,
  metric: MetricKind,
  from: Float64Array,
  to: Float64Array,
  batchSize: number,
): Float64Array {
  const E = from.length / 2;
  const out = new Float64Array(E);
  for (let s = 0; s < E; s += batchSize) {
    const n = Math.min(batchSize, E - s);
    const mid = new Float32Array(2 * n);
    const dir = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < 2; d++) {
        const a = from[2 * (s + i) + d]!;
        const b = to[2 * (s + i) + d]!;
        mid[2 * i + d] = (a + b) / 2;
        dir[2 * i + d] = b - a;
      }
    }
    const z = tf.tensor2d(mid, [n, 2]);
    const v = tf.tensor2d(dir, [n, 2]);
    const mom = checkedJacobian(fn, decoder, z);
    const sp = tf.tidy(() => speedFromMoments(decoder.outputDim, metric, mom, v));
    out.set(sp.dataSync(), s);
    tf.dispose([z, v, mom.mean, mom.covariance, sp]);
  }
  return out;
}

/**
 * Builds the grid graph over `bounds` and attaches each extra point to the four corners of its
 * cell. Node ids: grid nodes first (i * R + j for x index i, y index j), then the extra points.
 */
export function buildLatentGrid(
  fn: string,
  decoder: StochasticDecoder,
  points: number[][],
  bounds: [[number, number], [number, number]],
  resolution: number,
  connectivity: 4 | 8,
  metric: MetricKind,
  batchSize: number,
): LatentGrid {
  const R = resolution;
  const G = R * R;
  const N = G + points.length;
  const coords = new Float64Array(2 * N);
  const hx = (bounds[0][1] - bounds[0][0]) / (R - 1);
  const hy = (bounds[1][1] - bounds[1][0]) / (R - 1);
  for (let i = 0; i < R; i++) {
    for (let j = 0; j < R; j++) {
      coords[2 * (i * R + j)] = bounds[0][0] + i * hx;
      coords[2 * (i * R + j) + 1] = bounds[1][0] + j * hy;
    }
  }
  points.forEach((p, k) => {
    coords[2 * (G + k)] = p[0]!;
    coords[2 * (G + k) + 1] = p[1]!;
  });
  const ea: number[] = [];
  const eb: number[] = [];
  const offsets: [number, number][] =
    connectivity === 8
      ? [
          [1, 0],
          [0, 1],
          [1, 1],
          [1, -1],
        ]
      : [
          [1, 0],
          [0, 1],
        ];
  for (let i = 0; i < R; i++) {
    for (let j = 0; j < R; j++) {
      for (const [di, dj] of offsets) {
        const i2 = i + di;
        const j2 = j + dj;
        if (i2 < R && j2 >= 0 && j2 < R) {
          ea.push(i * R + j);
          eb.push(i2 * R + j2);
        }
      }
    }
  }
  points.forEach((p, k) => {
    const i0 = Math.min(R - 2, Math.max(0, Math.floor((p[0]! - bounds[0][0]) / hx)));
    const j0 = Math.min(R - 2, Math.max(0, Math.floor((p[1]! - bounds[1][0]) / hy)));
    for (const [di, dj] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ] as const) {
      const g = (i0 + di) * R + (j0 + dj);
      if (coords[2 * g] === p[0] && coords[2 * g + 1] === p[1]) {
        // the point sits on a grid node: a tiny nudge keeps the edge direction non-zero
        coords[2 * (G + k)]! += 1e-9 * hx;
      }
      ea.push(G + k);
      eb.push(g);
    }
  });
  const from = new Float64Array(2 * ea.length);
  const to = new Float64Array(2 * ea.length);
  ea.forEach((a, e) => {
    from[2 * e] = coords[2 * a]!;
    from[2 * e + 1] = coords[2 * a + 1]!;
    to[2 * e] = coords[2 * eb[e]!]!;
    to[2 * e + 1] = coords[2 * eb[e]! + 1]!;
  });
  const w = edgeLengths(fn, decoder, metric, from, to, batchSize);
  const adj: number[][] = Array.from({ length: N }, () => []);
  const wts: number[][] = Array.from({ length: N }, () => []);
  ea.forEach((a, e) => {
    const b = eb[e]!;
    adj[a]!.push(b);
    wts[a]!.push(w[e]!);
    adj[b]!.push(a);
    wts[b]!.push(w[e]!);
  });
  return { coords, nodeCount: N, adj, wts };
}

/** Dijkstra from `source` with a binary heap: distances and predecessors. */
export function dijkstra(graph: LatentGrid, source: number): { dist: Float64Array; prev: Int32Array } {
  const N = graph.nodeCount;
  const dist = new Float64Array(N).fill(Infinity);
  const prev = new Int32Array(N).fill(-1);
  const heapNode: number[] = [];
  const heapKey: number[] = [];
  const push = (node: number, key: number) => {
    heapNode.push(node);
    heapKey.push(key);
    let i = heapNode.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heapKey[p]! <= heapKey[i]!) break;
      [heapNode[p], heapNode[i]] = [heapNode[i]!, heapNode[p]!];
      [heapKey[p], heapKey[i]] = [heapKey[i]!, heapKey[p]!];
      i = p;
    }
  };
  const pop = (): [number, number] => {
    const top: [number, number] = [heapNode[0]!, heapKey[0]!];
    const ln = heapNode.pop()!;
    const lk = heapKey.pop()!;
    if (heapNode.length > 0) {
      heapNode[0] = ln;
      heapKey[0] = lk;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heapNode.length && heapKey[l]! < heapKey[m]!) m = l;
        if (r < heapNode.length && heapKey[r]! < heapKey[m]!) m = r;
        if (m === i) break;
        [heapNode[m], heapNode[i]] = [heapNode[i]!, heapNode[m]!];
        [heapKey[m], heapKey[i]] = [heapKey[i]!, heapKey[m]!];
        i = m;
      }
    }
    return top;
  };
  dist[source] = 0;
  push(source, 0);
  while (heapNode.length > 0) {
    const [u, d] = pop();
    if (d > dist[u]!) continue;
    const nb = graph.adj[u]!;
    const ws = graph.wts[u]!;
    for (let k = 0; k < nb.length; k++) {
      const v = nb[k]!;
      const nd = d + ws[k]!;
      if (nd < dist[v]!) {
        dist[v] = nd;
        prev[v] = u;
        push(v, nd);
      }
    }
  }
  return { dist, prev };
}

export function resolveGridOptions(fn: string, options: LatentGridOptions) {
  const resolution = options.resolution ?? 50;
  if (!Number.isInteger(resolution) || resolution < 2 || resolution > 2000) {
    throw new LabInputError(fn, 'options.resolution', 'must be an integer in [2, 2000]', resolution);
  }
  const connectivity = options.connectivity ?? 8;
  if (connectivity !== 4 && connectivity !== 8)
    throw new LabInputError(fn, 'options.connectivity', 'must be 4 or 8', connectivity);
  const metric = options.metric ?? 'finsler';
  if (metric !== 'finsler' && metric !== 'riemannian')
    throw new LabInputError(fn, 'options.metric', "must be 'finsler' or 'riemannian'", metric);
  const batchSize = options.batchSize ?? 4096;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new LabInputError(fn, 'options.batchSize', 'must be an integer >= 1', batchSize);
  return { resolution, connectivity, metric, batchSize } as const;
}
