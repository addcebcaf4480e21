import { createRng, LabInputError } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { sampleSubgraphs } from '../src/sampleSubgraphs.js';

function randomEdges(n: number, m: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const seen = new Set<number>();
  const out: number[] = [];
  while (out.length < 2 * m) {
    let u = rng.int(n);
    let v = rng.int(n);
    if (u === v) continue;
    if (u > v) [u, v] = [v, u];
    if (seen.has(u * n + v)) continue;
    seen.add(u * n + v);
    out.push(u, v);
  }
  return Int32Array.from(out);
}

describe('sampleSubgraphs', () => {
  const n = 2000;
  const edges = randomEdges(n, 6000, 1);

  it('keeps nodes at rate r and edges at rate r^2, induced exactly', () => {
    const r = 0.6;
    const { subgraphs, heldOutCount } = sampleSubgraphs(n, edges, { numSubgraphs: 5, rate: r, seed: 4 });
    let nodes = 0;
    let kept = 0;
    for (const sg of subgraphs) {
      nodes += sg.nodes.length;
      kept += sg.edgeIndex.length;
      let wrong = 0;
      for (let e = 0; e < 6000; e++) {
        const induced = sg.nodeMask[edges[2 * e]] === 1 && sg.nodeMask[edges[2 * e + 1]] === 1;
        if (sg.edgeMask[e] !== (induced ? 1 : 0)) wrong++;
      }
      expect(wrong).toBe(0);
      expect(Array.from(sg.nodes).every((i) => sg.nodeMask[i] === 1)).toBe(true);
    }
    // Node rate: binomial(5 * 2000, 0.6), 5 sd = 5 * sqrt(0.24 / 10000) ~ 0.025.
    expect(Math.abs(nodes / (5 * n) - r)).toBeLessThan(0.025);
    // Edge rate r^2 = 0.36; edges are dependent through shared nodes, so allow a wider 0.03.
    expect(Math.abs(kept / (5 * 6000) - r * r)).toBeLessThan(0.03);
    let wrongCount = 0;
    for (let e = 0; e < 6000; e++) {
      if (heldOutCount[e] !== subgraphs.filter((sg) => sg.edgeMask[e] === 0).length) wrongCount++;
    }
    expect(wrongCount).toBe(0);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = sampleSubgraphs(n, edges, { numSubgraphs: 3, rate: 0.5, seed: 'x' });
    const b = sampleSubgraphs(n, edges, { numSubgraphs: 3, rate: 0.5, seed: 'x' });
    const c = sampleSubgraphs(n, edges, { numSubgraphs: 3, rate: 0.5, seed: 'y' });
    expect(a.subgraphs.map((s) => Array.from(s.nodes))).toEqual(b.subgraphs.map((s) => Array.from(s.nodes)));
    expect(a.subgraphs[0].nodes).not.toEqual(c.subgraphs[0].nodes);
  });

  it('keeps excluded edges out of every subgraph but counts them as held out', () => {
    const { subgraphs, heldOutCount } = sampleSubgraphs(n, edges, { numSubgraphs: 4, rate: 0.9, exclude: [0, 5], seed: 2 });
    for (const sg of subgraphs) {
      expect(sg.edgeMask[0]).toBe(0);
      expect(sg.edgeMask[5]).toBe(0);
    }
    expect(heldOutCount[0]).toBeLessThanOrEqual(4);
  });

  it('rejects bad input', () => {
    expect(() => sampleSubgraphs(n, edges, { rate: 0, seed: 1 })).toThrow(/options.rate/);
    expect(() => sampleSubgraphs(n, edges, { numSubgraphs: 0, seed: 1 })).toThrow(LabInputError);
    expect(() => sampleSubgraphs(3, Int32Array.from([0, 5]), { seed: 1 })).toThrow(/edges\[1\]/);
    expect(() => sampleSubgraphs(n, edges, { exclude: [6000], seed: 1 })).toThrow(/exclude/);
  });
});
