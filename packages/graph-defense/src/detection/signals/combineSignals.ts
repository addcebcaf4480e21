import { rankNormalize } from '../../detectionUtils.js';

/**
 * The final score: the weighted mean of the signals' ranks (each rank-normalised to [0, 1]), so
 * no signal needs calibrating against another. Null signals and zero weights are skipped; with
 * no weight left, the link ranks alone.
 */
export function combineSignals(
  linkScores: Float64Array,
  parts: ReadonlyArray<readonly [Float64Array | null, number]>,
): Float64Array {
  const m = linkScores.length;
  const combined = new Float64Array(m);
  let total = 0;
  for (const [s, w] of parts) {
    if (s === null || w === 0) continue;
    const r = rankNormalize(s);
    for (let e = 0; e < m; e++) combined[e] += w * r[e];
    total += w;
  }
  if (total === 0) combined.set(rankNormalize(linkScores));
  else for (let e = 0; e < m; e++) combined[e] /= total;
  return combined;
}
