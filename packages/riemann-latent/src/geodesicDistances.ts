import { LabInputError, readOptions } from '@lab/core';
import { checkDecoder, checkPoint } from './internal.js';
import {
  type LatentGridOptions,
  buildLatentGrid,
  dijkstra,
  resolveBounds,
  resolveGridOptions,
} from './latentGrid.js';
import type { StochasticDecoder } from './StochasticDecoder.js';

/** Options of {@link geodesicDistances}. */
export type GeodesicDistancesOptions = LatentGridOptions;

/** Result of {@link geodesicDistances}. */
export interface GeodesicDistancesResult {
  /** Symmetric `[n, n]` matrix (row-major) of graph geodesic distances. */
  distances: Float64Array;
  /** Number of points n. */
  n: number;
  /** Grid box used. */
  bounds: [[number, number], [number, number]];
}

/**
 * All pairwise geodesic distances between 2-D latent points, from one latent grid graph (default
 * 50 x 50, 8 neighbours, Finsler or Riemannian edge lengths) and one Dijkstra run per point: the
 * cheap way to compare latent distance matrices (as in the paper's experiments). Graph distances
 * overestimate the true geodesic distance by the grid's discretisation; refine individual pairs
 * with {@link connectingGeodesic}.
 *
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010)
 */
export function geodesicDistances(
  decoder: StochasticDecoder,
  points: readonly (readonly number[])[],
  options: GeodesicDistancesOptions = {},
): GeodesicDistancesResult {
  const fn = 'geodesicDistances';
  checkDecoder(fn, decoder);
  if (decoder.latentDim !== 2)
    throw new LabInputError(fn, 'decoder.latentDim', 'must be 2 for the grid graph', decoder.latentDim);
  readOptions(fn, options, ['bounds', 'resolution', 'connectivity', 'metric', 'batchSize']);
  if (!Array.isArray(points) || points.length < 1)
    throw new LabInputError(fn, 'points', 'must be a non-empty array of 2-D points', points);
  const pts = points.map((p, i) => checkPoint(fn, `points[${i}]`, p, 2));
  const o = resolveGridOptions(fn, options);
  const bounds = resolveBounds(fn, pts, options.bounds);
  const g = buildLatentGrid(fn, decoder, pts, bounds, o.resolution, o.connectivity, o.metric, o.batchSize);
  const G = o.resolution * o.resolution;
  const n = pts.length;
  const distances = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const { dist } = dijkstra(g, G + i);
    for (let j = 0; j < n; j++) distances[i * n + j] = i === j ? 0 : dist[G + j]!;
  }
  // Symmetrise the float sums (Dijkstra from either end can differ in the last bits).
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const m = Math.min(distances[i * n + j]!, distances[j * n + i]!);
      distances[i * n + j] = m;
      distances[j * n + i] = m;
    }
  }
  return { distances, n, bounds };
}
