import { checkInteger, checkRange, LabInputError } from '@lab/core';

/** What {@link unionBound} returns. */
export interface UnionBoundResult {
  /** `min(1, k r^2)`: the union bound on P(the induced subgraph holds at least one adversarial edge). */
  bound: number;
  /**
   * The exact probability when the `k` adversarial edges share no endpoint: `1 - (1 - r^2)^k`.
   * Edges sharing endpoints make the true probability smaller (see {@link containmentProbability}).
   */
  disjointExact: number;
}

/**
 * EDoG's union bound. A subgraph is induced by keeping each node independently with probability
 * `r`; an edge survives iff both endpoints do (probability `r^2`), so with `k` adversarial edges
 * `P(subgraph holds one) <= k r^2`.
 *
 * @param k - number of adversarial edges (integer >= 0).
 * @param rate - node-sampling rate `r` in [0, 1].
 * @example
 * ```ts
 * unionBound(10, 0.1); // { bound: 0.1, disjointExact: 0.0956... }
 * ```
 * @see Xu et al., "EDoG: Adversarial Edge Detection For Graph Neural Networks", SaTML 2023 (arXiv 2212.13607).
 */
export function unionBound(k: number, rate: number): UnionBoundResult {
  checkInteger('unionBound', 'k', k, 0);
  checkRange('unionBound', 'rate', rate, 0, 1);
  const p = rate * rate;
  return { bound: Math.min(1, k * p), disjointExact: 1 - (1 - p) ** k };
}

/** Options of {@link containmentProbability}. */
export interface ContainmentProbabilityOptions {
  /** Give up (LabInputError) after this many recursive calls (default 1e6): the exact sum is exponential in the worst case. */
  maxCalls?: number;
}

/**
 * The exact probability that a node sample (each node kept with probability `rate`) induces a
 * subgraph holding at least one of the given edges: `1 - P(the kept nodes form an independent
 * set of the edge graph H)`. Computed by the recursion
 * `f(S) = (1 - r) f(S \ v) + r (1 - r)^{|N(v) ∩ S|} f(S \ N[v])` on the highest-degree node,
 * splitting into connected components (a product) and stopping at edgeless sets (`f = 1`).
 *
 * @param edges - the (adversarial) edges, as `[u, v]` pairs of node ids (strings or numbers); self loops are rejected, duplicates ignored.
 * @param rate - node-sampling rate in [0, 1].
 * @throws LabInputError on bad edges or rate, or when the edge graph is too dense for the exact sum.
 * @see Xu et al., "EDoG: Adversarial Edge Detection For Graph Neural Networks", SaTML 2023 (arXiv 2212.13607).
 */
export function containmentProbability(
  edges: ReadonlyArray<readonly [string | number, string | number]>,
  rate: number,
  options: ContainmentProbabilityOptions = {},
): number {
  const fn = 'containmentProbability';
  if (!Array.isArray(edges)) throw new LabInputError(fn, 'edges', 'must be an array of [u, v] pairs', edges);
  checkRange(fn, 'rate', rate, 0, 1);
  const maxCalls = options.maxCalls ?? 1e6;
  checkInteger(fn, 'options.maxCalls', maxCalls, 1);
  const id = new Map<string | number, number>();
  const adj: Set<number>[] = [];
  const node = (x: string | number): number => {
    let k = id.get(x);
    if (k === undefined) {
      k = adj.length;
      id.set(x, k);
      adj.push(new Set());
    }
    return k;
  };
  edges.forEach((pair, e) => {
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      !pair.every((x) => typeof x === 'string' || typeof x === 'number')
    ) {
      throw new LabInputError(fn, `edges[${e}]`, 'must be a [u, v] pair of node ids', pair);
    }
    if (pair[0] === pair[1]) throw new LabInputError(fn, `edges[${e}]`, 'must not be a self loop', pair);
    const a = node(pair[0]);
    const b = node(pair[1]);
    adj[a].add(b);
    adj[b].add(a);
  });
  const q = 1 - rate;
  let calls = 0;
  // P(no edge of H[S] has both endpoints kept), S a set of node ids.
  const f = (set: number[]): number => {
    if (++calls > maxCalls) {
      throw new LabInputError(
        fn,
        'edges',
        `must form a graph sparse enough for the exact sum (more than ${maxCalls} calls)`,
        `${edges.length} edges`,
      );
    }
    const inSet = new Set(set);
    // Connected components within S.
    const seen = new Set<number>();
    let result = 1;
    for (const s of set) {
      if (seen.has(s)) continue;
      const comp: number[] = [s];
      seen.add(s);
      for (let h = 0; h < comp.length; h++) {
        for (const t of adj[comp[h]]) {
          if (inSet.has(t) && !seen.has(t)) {
            seen.add(t);
            comp.push(t);
          }
        }
      }
      if (comp.length === 1) continue;
      if (comp.length === 2) {
        result *= 1 - rate * rate;
        continue;
      }
      const compSet = new Set(comp);
      let v = comp[0];
      let best = -1;
      for (const c of comp) {
        let d = 0;
        for (const t of adj[c]) if (compSet.has(t)) d++;
        if (d > best) {
          best = d;
          v = c;
        }
      }
      const without = comp.filter((c) => c !== v);
      const closed = comp.filter((c) => c !== v && !adj[v].has(c));
      result *= q * f(without) + rate * q ** best * f(closed);
      if (result === 0) return 0;
    }
    return result;
  };
  return 1 - f(Array.from({ length: adj.length }, (_, k) => k));
}
