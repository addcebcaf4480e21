import type { GraphArrays } from '@lab/core';
import { featureJaccardScores } from '../../baselines.js';

/**
 * Feature dissimilarity per edge: `1 - Jaccard` of the endpoints' non-zero feature sets, or
 * null when its weight is 0 (the signal is then not computed).
 */
export function featureDissimilarity(a: GraphArrays, weight: number): Float64Array | null {
  return weight > 0 ? featureJaccardScores(a) : null;
}
