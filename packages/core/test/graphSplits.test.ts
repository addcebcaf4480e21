import { describe, expect, it } from 'vitest';
import { planetoidSplit, stratifiedSplit } from '../src/index.js';
import { smallGraph } from './graphHelpers.js';

const labels = Array.from({ length: 60 }, (_, i) => (i < 30 ? 0 : i < 50 ? 1 : i < 59 ? 2 : -1));

describe('splits', () => {
  it('planetoidSplit reads the split attributes', () => {
    const g = smallGraph(4, []);
    g.setNodeAttribute('2', 'split', 'train');
    g.setNodeAttribute('0', 'split', 'test');
    expect(planetoidSplit(g)).toEqual({ train: ['2'], val: [], test: ['0'] });
    expect(() => planetoidSplit(smallGraph(2, []))).toThrow(/planetoidSplit: argument 'graph'/);
  });

  it('stratifiedSplit draws per-class counts, disjoint, seeded, never unlabelled nodes', () => {
    const g = smallGraph(60, [], labels);
    const a = stratifiedSplit(g, { train: 3, val: 2, test: 4, seed: 1 });
    const b = stratifiedSplit(g, { train: 3, val: 2, test: 4, seed: 1 });
    const c = stratifiedSplit(g, { train: 3, val: 2, test: 4, seed: 2 });
    expect(a.train).toEqual(b.train);
    expect(a.train).not.toEqual(c.train);
    const count = (ids: string[], y: number) => ids.filter((id) => labels[Number(id)] === y).length;
    for (const y of [0, 1, 2]) {
      expect([count(a.train, y), count(a.val, y), count(a.test, y)]).toEqual([3, 2, 4]);
    }
    const all = new Set([...a.train, ...a.val, ...a.test]);
    expect(all.size).toBe(27);
    expect(all.has('59')).toBe(false);
    expect(a.graph.getNodeAttribute(a.train[0] as string, 'split')).toBe('train');
    expect(g.getNodeAttribute(a.train[0] as string, 'split')).toBeUndefined();
  });

  it('stratifiedSplit takes fractions and defaults test to the rest', () => {
    const g = smallGraph(60, [], labels);
    const s = stratifiedSplit(g, { train: 0.1, val: 0.2, seed: 'x' });
    expect(s.train.length).toBe(3 + 2 + 1);
    expect(s.val.length).toBe(6 + 4 + 2);
    expect(s.train.length + s.val.length + s.test.length).toBe(59);
  });

  it('errors when a class is too small or sizes are bad', () => {
    const g = smallGraph(60, [], labels);
    expect(() => stratifiedSplit(g, { train: 8, val: 2, seed: 1 })).toThrow(/at most 9 nodes of class 2/);
    expect(() => stratifiedSplit(g, { train: 1.5, seed: 1 })).toThrow(/options\.train/);
    expect(() => stratifiedSplit(g, { train: -1, seed: 1 })).toThrow(/options\.train/);
  });
});
