import { initBackend, LabInputError } from '@lab/core';
import { expectNoLeaks } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextualSbm } from '../src/contextualSbm.js';
import { defend } from '../src/defend.js';
import { plantInterClass } from './edogHelpers.js';

beforeAll(async () => {
  await initBackend();
});

describe('defend', () => {
  const clean = contextualSbm({
    nodes: 200,
    classes: 3,
    avgDegree: 5,
    homophily: 0.9,
    featureDim: 8,
    featureSignal: 2,
    seed: 8,
  });
  const attack = plantInterClass(clean, 60, 2);

  it('removes exactly the flagged edges and reports clean / attacked / defended accuracy', async () => {
    const flagged = attack.flips.map((f) => ({ source: f.target, target: f.source }));
    const res = await expectNoLeaks(() =>
      defend(attack.graph, flagged, { clean, seed: 1, gcn: { epochs: 60 } }),
    );
    expect(res.removed).toBe(60);
    expect(res.defended.size).toBe(attack.graph.size - 60);
    for (const f of attack.flips) expect(res.defended.hasEdge(f.source, f.target)).toBe(false);
    // Every other edge is still there, and the input is untouched.
    expect(res.defended.size).toBe(clean.size);
    clean.forEachEdge((_e, _a, s, t) => expect(res.defended.hasEdge(s, t)).toBe(true));
    expect(attack.graph.size).toBe(clean.size + 60);
    for (const v of [res.accuracy.clean, res.accuracy.attacked, res.accuracy.defended]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    // Removing every inserted edge restores the clean graph, so the same seeds give the same accuracy.
    expect(res.accuracy.defended).toBe(res.accuracy.clean);
  });

  it('rejects edges that are not in the graph', async () => {
    await expect(defend(attack.graph, [{ source: '0', target: 'nope' }], { seed: 1 })).rejects.toThrow(
      /flagged\[0\]/,
    );
    await expect(defend(attack.graph, [], { seed: 1, runs: 0 })).rejects.toThrow(LabInputError);
  });
});
