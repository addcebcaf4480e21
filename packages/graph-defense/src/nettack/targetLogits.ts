/**
 * Incremental logits of Nettack's linearised surrogate `Â² X W` at one target node when a single
 * pair `(u, v)` incident to the target `u` is flipped (Zügner et al. 2018, Sec. 4.2: only row `u`
 * of `Â²` changes in ways that matter, and it can be updated from the degrees and the two
 * neighbourhoods instead of recomputing `Â²`).
 *
 * With `d̃ = degree + 1` and `M = Â (X W)`, row `u` of the new logits is
 * `Σ_{k ∈ N'(u) ∪ {u}} Â'_uk M'_k`, where for `k ∉ {u, v}` only the normalisation of the entries
 * `(k, u)` and `(k, v)` changes (`d̃_u`, `d̃_v` move by ±1), and `M'_u`, `M'_v` are recomputed
 * from their new neighbourhoods. Cost `O((deg u + deg v) C)` a candidate.
 */
export interface TargetState {
  n: number;
  c: number;
  /** Neighbour sets of the current graph (no self loops). */
  neighbors: Set<number>[];
  /** `X W`, `n x c` row-major. */
  xw: Float64Array;
  /** `Â (X W)` of the current graph, `n x c`. */
  m: Float64Array;
}

/** Recomputes `M = Â (X W)` of the current graph. */
export function refreshPropagation(state: TargetState): void {
  const { n, c, neighbors, xw } = state;
  const m = new Float64Array(n * c);
  for (let k = 0; k < n; k++) {
    const nk = neighbors[k] as Set<number>;
    const dk = nk.size + 1;
    for (let q = 0; q < c; q++) m[k * c + q] = (xw[k * c + q] as number) / dk;
    for (const j of nk) {
      const w = 1 / Math.sqrt(dk * ((neighbors[j] as Set<number>).size + 1));
      for (let q = 0; q < c; q++) m[k * c + q] += w * (xw[j * c + q] as number);
    }
  }
  state.m = m;
}

/** Logits of node `u` in the current graph: `Σ_k Â_uk M_k`. */
export function currentTargetLogits(state: TargetState, u: number): Float64Array {
  const { c, neighbors, m } = state;
  const nu = neighbors[u] as Set<number>;
  const du = nu.size + 1;
  const out = new Float64Array(c);
  for (let q = 0; q < c; q++) out[q] = (m[u * c + q] as number) / du;
  for (const k of nu) {
    const w = 1 / Math.sqrt(du * ((neighbors[k] as Set<number>).size + 1));
    for (let q = 0; q < c; q++) out[q] += w * (m[k * c + q] as number);
  }
  return out;
}

/** Logits of the target `u` if the pair `(u, v)` were flipped (the state is not changed). */
export function targetLogitsAfterFlip(state: TargetState, u: number, v: number): Float64Array {
  const { c, neighbors, xw, m } = state;
  const nu = neighbors[u] as Set<number>;
  const nv = neighbors[v] as Set<number>;
  const adding = !nu.has(v);
  const delta = adding ? 1 : -1;
  const du = nu.size + 1;
  const dv = nv.size + 1;
  const duNew = du + delta;
  const dvNew = dv + delta;
  const degNew = (k: number): number =>
    k === u ? duNew : k === v ? dvNew : (neighbors[k] as Set<number>).size + 1;
  // New neighbourhoods of u and v (self loops included in the sums below).
  const nuNew: number[] = [];
  for (const k of nu) if (k !== v) nuNew.push(k);
  if (adding) nuNew.push(v);
  const nvNew: number[] = [];
  for (const k of nv) if (k !== u) nvNew.push(k);
  if (adding) nvNew.push(u);
  const rowOf = (k: number, nk: number[], dk: number): Float64Array => {
    const r = new Float64Array(c);
    for (let q = 0; q < c; q++) r[q] = (xw[k * c + q] as number) / dk;
    for (const j of nk) {
      const w = 1 / Math.sqrt(dk * degNew(j));
      for (let q = 0; q < c; q++) r[q] += w * (xw[j * c + q] as number);
    }
    return r;
  };
  const mU = rowOf(u, nuNew, duNew);
  const mV = rowOf(v, nvNew, dvNew);
  const out = new Float64Array(c);
  for (let q = 0; q < c; q++) out[q] = (mU[q] as number) / duNew;
  for (const k of nuNew) {
    const w = 1 / Math.sqrt(duNew * degNew(k));
    if (k === v) {
      for (let q = 0; q < c; q++) out[q] += w * (mV[q] as number);
      continue;
    }
    // M'_k = M_k with the (k, u) and (k, v) entries renormalised (k's own edges are unchanged).
    const dk = (neighbors[k] as Set<number>).size + 1;
    const cu = 1 / Math.sqrt(dk * duNew) - 1 / Math.sqrt(dk * du);
    const kv = (neighbors[k] as Set<number>).has(v);
    const cv = kv ? 1 / Math.sqrt(dk * dvNew) - 1 / Math.sqrt(dk * dv) : 0;
    for (let q = 0; q < c; q++) {
      const mk = (m[k * c + q] as number) + cu * (xw[u * c + q] as number) + cv * (xw[v * c + q] as number);
      out[q] += w * mk;
    }
  }
  return out;
}

/** `logit[label] - max_{q != label} logit[q]` (negative: the surrogate misclassifies). */
export function classMargin(logits: ArrayLike<number>, label: number): number {
  let best = Number.NEGATIVE_INFINITY;
  for (let q = 0; q < logits.length; q++)
    if (q !== label && (logits[q] as number) > best) best = logits[q] as number;
  return (logits[label] as number) - best;
}
