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

export type { LatentGridOptions } from './latentGrid.js';

/** Options of {@link graphGeodesic}. */
export type GraphGeodesicOptions = LatentGridOptions;

/** Result of {@link graphGeodesic}. */
export interface GraphGeodesicResult {
  /** Latent points of the shortest path, from z0 to z1 (grid nodes in between). */
  path: number[][];
  /** Sum of the metric edge lengths along the path (an upper bound of the geodesic distance up to the midpoint rule). */
  length: number;
  /** Grid box used. */
  bounds: [[number, number], [number, number]];
}

/**
 * Shortest path between two latent points on a grid graph over a 2-D latent box (default 50 x 50,
 * 8-neighbour), edge weights = local metric lengths F(mid, b - a) (Finsler, default) or
 * sqrt((b-a)^T G(mid) (b-a)) (Riemannian), solved with Dijkstra. The end points are attached to the
 * corners of their grid cells. The paper's authors found this graph initialisation more reliable
 * than optimising a spline from the straight line; {@link connectingGeodesic} with
 * `method: 'graph'` refines the path into a spline. Latent dimension 2 only.
 *
 * @see Pouplin, Eklund, Ek, Hauberg, "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010)
 * @see stochman `discretized_manifold.py` (github.com/MachineLearningLifeScience/stochman)
 */
export function graphGeodesic(
  decoder: StochasticDecoder,
  z0: ArrayLike<number>,
  z1: ArrayLike<number>,
  options: GraphGeodesicOptions = {},
): GraphGeodesicResult {
  const fn = 'graphGeodesic';
  checkDecoder(fn, decoder);
  if (decoder.latentDim !== 2)
    throw new LabInputError(fn, 'decoder.latentDim', 'must be 2 for the grid graph', decoder.latentDim);
  readOptions(fn, options, ['bounds', 'resolution', 'connectivity', 'metric', 'batchSize']);
  const a = checkPoint(fn, 'z0', z0, 2);
  const b = checkPoint(fn, 'z1', z1, 2);
  const o = resolveGridOptions(fn, options);
  const bounds = resolveBounds(fn, [a, b], options.bounds);
  const g = buildLatentGrid(fn, decoder, [a, b], bounds, o.resolution, o.connectivity, o.metric, o.batchSize);
  const s = o.resolution * o.resolution;
  const { dist, prev } = dijkstra(g, s);
  const ids: number[] = [];
  for (let u = s + 1; u !== -1; u = prev[u]!) ids.push(u);
  ids.reverse();
  const path = ids.map((u) => [g.coords[2 * u]!, g.coords[2 * u + 1]!]);
  path[0] = a;
  path[path.length - 1] = b;
  return { path, length: dist[s + 1]!, bounds };
}
