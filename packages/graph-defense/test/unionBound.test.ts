import { createRng, LabInputError } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { containmentProbability, unionBound } from '../src/unionBound.js';

/** Brute force: sum over all 2^n node subsets of P(subset) * [it induces one of the edges]. */
function bruteForce(edges: [number, number][], n: number, r: number): number {
  let p = 0;
  for (let mask = 0; mask < 1 << n; mask++) {
    let size = 0;
    for (let i = 0; i < n; i++) if (mask & (1 << i)) size++;
    const hit = edges.some(([u, v]) => mask & (1 << u) && mask & (1 << v));
    if (hit) p += r ** size * (1 - r) ** (n - size);
  }
  return p;
}

// Exact sums of a few dozen float64 terms: rounding ~1e-15.
const EXACT_F64 = 1e-12;

describe('unionBound', () => {
  it('is k r^2 (capped at 1) and the disjoint-edge probability is 1 - (1 - r^2)^k', () => {
    expect(unionBound(10, 0.1).bound).toBeCloseTo(0.1, 12);
    expect(unionBound(10, 0.1).disjointExact).toBeCloseTo(1 - 0.99 ** 10, 12);
    expect(unionBound(1000, 0.5).bound).toBe(1);
    expect(unionBound(0, 0.7)).toEqual({ bound: 0, disjointExact: 0 });
  });

  it('bounds the exact probability from above', () => {
    for (const r of [0.05, 0.2, 0.5, 0.9]) {
      const u = unionBound(7, r);
      expect(u.disjointExact).toBeLessThanOrEqual(u.bound + EXACT_F64);
    }
  });

  it('rejects bad arguments', () => {
    expect(() => unionBound(-1, 0.5)).toThrow(LabInputError);
    expect(() => unionBound(2, 1.5)).toThrow(/unionBound: argument 'rate'/);
  });
});

describe('containmentProbability', () => {
  it('equals brute-force enumeration on small graphs (path, star, triangle + pendant, matching)', () => {
    const graphs: [number, number][][] = [
      [[0, 1], [1, 2], [2, 3]],
      [[0, 1], [0, 2], [0, 3], [0, 4]],
      [[0, 1], [1, 2], [0, 2], [2, 3], [4, 5]],
      [[0, 1], [2, 3], [4, 5], [6, 7]],
      [[0, 1], [1, 2], [2, 3], [3, 4], [4, 0], [0, 2], [5, 6], [6, 7], [7, 5], [3, 7]],
    ];
    for (const edges of graphs) {
      const n = 1 + Math.max(...edges.flat());
      for (const r of [0.1, 0.3, 0.7]) {
        expect(Math.abs(containmentProbability(edges, r) - bruteForce(edges, n, r))).toBeLessThan(EXACT_F64);
      }
    }
  });

  it('matches 1 - (1 - r^2)^k for disjoint edges and never exceeds the union bound', () => {
    const matching: [number, number][] = Array.from({ length: 30 }, (_, k) => [2 * k, 2 * k + 1]);
    expect(containmentProbability(matching, 0.2)).toBeCloseTo(unionBound(30, 0.2).disjointExact, 12);
    const star: [string, string][] = Array.from({ length: 30 }, (_, k) => ['hub', `leaf${k}`]);
    // Star: an edge is induced iff the hub and at least one leaf are kept.
    expect(containmentProbability(star, 0.2)).toBeCloseTo(0.2 * (1 - 0.8 ** 30), 12);
    expect(containmentProbability(star, 0.2)).toBeLessThanOrEqual(unionBound(30, 0.2).bound);
  });

  it('agrees with Monte Carlo sampling on a random graph of 40 edges', () => {
    const rng = createRng(3);
    const edges: [number, number][] = [];
    while (edges.length < 40) {
      const u = rng.int(60);
      const v = rng.int(60);
      if (u !== v) edges.push([u, v]);
    }
    const r = 0.15;
    const exact = containmentProbability(edges, r);
    const trials = 20_000;
    let hits = 0;
    for (let t = 0; t < trials; t++) {
      const kept = new Uint8Array(60);
      for (let i = 0; i < 60; i++) kept[i] = rng.next() < r ? 1 : 0;
      if (edges.some(([u, v]) => kept[u] && kept[v])) hits++;
    }
    // 5 binomial standard deviations.
    const sd = Math.sqrt((exact * (1 - exact)) / trials);
    expect(Math.abs(hits / trials - exact)).toBeLessThan(5 * sd);
  });

  it('rejects self loops, bad pairs and dense graphs beyond the call budget', () => {
    expect(() => containmentProbability([[1, 1]], 0.5)).toThrow(/self loop/);
    expect(() => containmentProbability([[1] as unknown as [number, number]], 0.5)).toThrow(LabInputError);
    const clique: [number, number][] = [];
    for (let i = 0; i < 30; i++) for (let j = i + 1; j < 30; j++) clique.push([i, j]);
    expect(() => containmentProbability(clique, 0.5, { maxCalls: 50 })).toThrow(/sparse enough/);
  });
});
