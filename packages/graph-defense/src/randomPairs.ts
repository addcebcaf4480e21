import type { Rng } from '@lab/core';

/**
 * Distinct unordered node pairs `[i, j]` (`i < j`) of `{0..n-1}`, each once, in uniformly random
 * order: rejection sampling while fewer than half of all pairs were drawn, then the remaining
 * pairs shuffled. Internal to the attacks.
 */
export function* randomPairs(n: number, rng: Rng): Generator<[number, number]> {
  if (n < 2) return;
  const total = (n * (n - 1)) / 2;
  const seen = new Set<number>();
  while (seen.size < total / 2) {
    const a = rng.int(n);
    let b = rng.int(n - 1);
    if (b >= a) b++;
    const i = Math.min(a, b);
    const j = Math.max(a, b);
    const k = i * n + j;
    if (seen.has(k)) continue;
    seen.add(k);
    yield [i, j];
  }
  const rest: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (!seen.has(i * n + j)) rest.push(i * n + j);
  for (const k of rng.shuffle(rest)) {
    const i = Math.floor(k / n);
    yield [i, k - i * n];
  }
}
