import { type DegreeStats, degreeLikelihoodRatio, statsAfterFlip } from '../denseSurrogate.js';

/**
 * Greedy flip selection of Metattack on a dense adjacency: score every unordered pair by
 * `(g_ij + g_ji) (1 - 2 a_ij)` (the first-order change of the attack loss when the pair is
 * flipped, both directions of the symmetric entry counted) and take the best allowed pair.
 * Allowed: `i != j`, never flipped before, not a removal that leaves a node without edges, and
 * optionally passing the power-law degree likelihood-ratio test.
 */
export interface FlipState {
  n: number;
  /** Current dense adjacency (row-major, symmetric); updated by {@link applyFlip}. */
  adjacency: Float32Array;
  degrees: Float64Array;
  /** 1 for pairs flipped already (index `i * n + j`, `i < j`). */
  flipped: Uint8Array;
  /** Likelihood-ratio constraint state, when enabled. */
  likelihood?: {
    original: DegreeStats;
    current: DegreeStats;
    dMin: number;
    cutoff: number;
  };
}

export function createFlipState(adjacency: Float32Array, n: number, degrees: Float64Array): FlipState {
  return { n, adjacency: adjacency.slice(), degrees: degrees.slice(), flipped: new Uint8Array(n * n) };
}

function passesLikelihood(state: FlipState, i: number, j: number): boolean {
  const ll = state.likelihood;
  if (!ll) return true;
  const delta = 1 - 2 * (state.adjacency[i * state.n + j] as number);
  const after = statsAfterFlip(
    ll.current,
    state.degrees[i] as number,
    state.degrees[j] as number,
    delta,
    ll.dMin,
  );
  return degreeLikelihoodRatio(ll.original, after, ll.dMin) < ll.cutoff;
}

/** The allowed pair `i < j` with the largest score (first in row-major order on ties), or null. */
export function bestFlip(
  grad: Float32Array,
  state: FlipState,
): { i: number; j: number; score: number } | null {
  const { n, adjacency, degrees, flipped } = state;
  let best: { i: number; j: number; score: number } | null = null;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = i + 1; j < n; j++) {
      const a = adjacency[row + j] as number;
      const s = ((grad[row + j] as number) + (grad[j * n + i] as number)) * (1 - 2 * a);
      if (!(s > bestScore)) continue;
      if (flipped[row + j]) continue;
      if (a === 1 && ((degrees[i] as number) <= 1 || (degrees[j] as number) <= 1)) continue;
      if (state.likelihood && !passesLikelihood(state, i, j)) continue;
      bestScore = s;
      best = { i, j, score: s };
    }
  }
  return best;
}

/** Flips `(i, j)` in the state; returns `'add'` or `'remove'`. */
export function applyFlip(state: FlipState, i: number, j: number): 'add' | 'remove' {
  const { n, adjacency, degrees } = state;
  const a = adjacency[i * n + j] as number;
  const delta = 1 - 2 * a;
  if (state.likelihood) {
    state.likelihood.current = statsAfterFlip(
      state.likelihood.current,
      degrees[i] as number,
      degrees[j] as number,
      delta,
      state.likelihood.dMin,
    );
  }
  adjacency[i * n + j] = 1 - a;
  adjacency[j * n + i] = 1 - a;
  degrees[i] = (degrees[i] as number) + delta;
  degrees[j] = (degrees[j] as number) + delta;
  state.flipped[Math.min(i, j) * n + Math.max(i, j)] = 1;
  return a === 1 ? 'remove' : 'add';
}
