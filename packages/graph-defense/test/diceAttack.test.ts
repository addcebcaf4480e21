import { describe, expect, it } from 'vitest';
import { contextualSbm } from '../src/contextualSbm.js';
import { diceAttack } from '../src/diceAttack.js';
import { edgeKeys, expectValidAttack, smallGraph } from './helpers.js';

const g = contextualSbm({
  nodes: 150,
  classes: 3,
  avgDegree: 5,
  homophily: 0.8,
  featureDim: 4,
  featureSignal: 1,
  seed: 2,
});
const label = (id: string) => g.getNodeAttribute(id, 'label');

describe('diceAttack', () => {
  it('only removes intra-class and only adds inter-class edges, exactly budget, over seeds', () => {
    const before = edgeKeys(g);
    let removes = 0;
    let total = 0;
    for (let seed = 0; seed < 10; seed++) {
      const r = diceAttack(g, { rate: 0.1 + 0.02 * seed, seed });
      expect(r.flips.length).toBe(r.budget);
      expectValidAttack(g, before, r);
      for (const f of r.flips) {
        if (f.op === 'remove') expect(label(f.source)).toBe(label(f.target));
        else expect(label(f.source)).not.toBe(label(f.target));
      }
      removes += r.flips.filter((f) => f.op === 'remove').length;
      total += r.flips.length;
    }
    // Each flip is a deletion with probability 1/2: 5 sigma band around total / 2.
    expect(Math.abs(removes - total / 2)).toBeLessThan(5 * Math.sqrt(total / 4));
  });

  it('uses the labels it is given and never touches unknown-label nodes', () => {
    const n = g.order;
    const custom = Array.from({ length: n }, (_, i) => (i < 20 ? -1 : i % 2));
    const r = diceAttack(g, { rate: 0.2, seed: 4, labels: custom });
    for (const f of r.flips) {
      const a = custom[Number(f.source)] as number;
      const b = custom[Number(f.target)] as number;
      expect(a >= 0 && b >= 0).toBe(true);
      expect(f.op === 'remove' ? a === b : a !== b).toBe(true);
    }
    const onlyAdd = diceAttack(g, { rate: 0.1, seed: 1, removeFraction: 0 });
    expect(onlyAdd.flips.every((f) => f.op === 'add')).toBe(true);
    const onlyRemove = diceAttack(g, { rate: 0.1, seed: 1, removeFraction: 1 });
    expect(onlyRemove.flips.every((f) => f.op === 'remove')).toBe(true);
  });

  it('is deterministic, and errors when the budget is larger than possible', () => {
    expect(diceAttack(g, { seed: 5 }).flips).toEqual(diceAttack(g, { seed: 5 }).flips);
    // One class only: no insertion is inter-class; a triangle allows no removal... at most 0 flips.
    const tri = smallGraph(
      3,
      [
        [0, 1],
        [1, 2],
        [0, 2],
      ],
      [0, 0, 0],
    );
    expect(diceAttack(tri, { budget: 1, seed: 1 }).flips.length).toBe(1);
    expect(() => diceAttack(tri, { budget: 2, seed: 1 })).toThrow(
      /diceAttack: argument 'options' must ask for at most 1 flips/,
    );
    expect(() => diceAttack(g, { seed: 1, labels: [1, 2] })).toThrow(/options.labels/);
    expect(() => diceAttack(g, { seed: 1, removeFraction: 2 })).toThrow(/options.removeFraction/);
  });
});
