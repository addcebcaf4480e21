import { describe, expect, it } from 'vitest';
import { contextualSbm } from '../src/contextualSbm.js';
import { randomAttack } from '../src/randomAttack.js';
import { edgeKeys, expectValidAttack, smallGraph } from './helpers.js';

const g = contextualSbm({
  nodes: 120,
  classes: 3,
  avgDegree: 4,
  homophily: 0.8,
  featureDim: 4,
  featureSignal: 1,
  seed: 1,
});

describe('randomAttack', () => {
  it('makes exactly budget valid flips of the requested kind, over many seeds', () => {
    const before = edgeKeys(g);
    for (const mode of ['add', 'remove', 'flip'] as const) {
      for (let seed = 0; seed < 12; seed++) {
        const rate = [0.05, 0.1, 0.3][seed % 3] as number;
        const r = randomAttack(g, { rate, mode, seed });
        expect(r.budget).toBe(Math.round(rate * g.size));
        expect(r.flips.length).toBe(r.budget);
        expectValidAttack(g, before, r);
        if (mode === 'add') expect(r.flips.every((f) => f.op === 'add')).toBe(true);
        if (mode === 'remove') expect(r.flips.every((f) => f.op === 'remove')).toBe(true);
      }
    }
  });

  it('flip mode picks pairs uniformly, so almost all flips are insertions on a sparse graph', () => {
    const r = randomAttack(g, { budget: 200, mode: 'flip', seed: 3 });
    const removes = r.flips.filter((f) => f.op === 'remove').length;
    // P(pair is an edge) = |E| / (n(n-1)/2) ~ 0.034: ~7 of 200 expected; 5 sigma ~ 13 more.
    expect(removes).toBeLessThan(20);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = randomAttack(g, { seed: 'x' });
    const b = randomAttack(g, { seed: 'x' });
    const c = randomAttack(g, { seed: 'y' });
    expect(a.flips).toEqual(b.flips);
    expect(a.flips).not.toEqual(c.flips);
  });

  it('errors when the budget is larger than possible', () => {
    const path = smallGraph(4, [
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    // Only the middle edge is removable without isolating an end node.
    expect(randomAttack(path, { budget: 1, mode: 'remove', seed: 1 }).flips).toEqual([
      { source: '1', target: '2', op: 'remove' },
    ]);
    expect(() => randomAttack(path, { budget: 2, mode: 'remove', seed: 1 })).toThrow(
      /randomAttack: argument 'options' must ask for at most 1 flips/,
    );
    expect(() => randomAttack(path, { budget: 4, mode: 'add', seed: 1 })).toThrow(
      /at most 3 flips in mode 'add'/,
    );
    expect(() => randomAttack(path, { budget: 7, mode: 'flip', seed: 1 })).toThrow(/at most 6 flips/);
    expect(randomAttack(path, { budget: 3, mode: 'add', seed: 1 }).graph.size).toBe(6);
    expect(() => randomAttack(path, { mode: 'swap' as 'add', seed: 1 })).toThrow(/options.mode/);
  });
});
