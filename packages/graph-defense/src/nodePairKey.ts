/**
 * Key of an unordered pair of node keys: the same string for (u, v) and (v, u), and different
 * for different pairs (the two keys are joined by U+0000, which cannot split a key ambiguously
 * the way a printable separator such as `|` could). Use it for sets of undirected edges, e.g.
 * the flips an attack added.
 *
 * @param u - a node key.
 * @param v - another node key.
 * @returns the canonical key of `{u, v}`.
 * @example
 * ```ts
 * nodePairKey('b', 'a') === nodePairKey('a', 'b'); // true
 * ```
 */
export function nodePairKey(u: string, v: string): string {
  return u < v ? `${u}\u0000${v}` : `${v}\u0000${u}`;
}
