import { describe, expect, it } from 'vitest';
import { applyEdgeFlips } from '../src/applyEdgeFlips.js';
import { edgeKeys, smallGraph } from './helpers.js';

describe('applyEdgeFlips', () => {
  it('adds and removes edges on a copy; the input is untouched', () => {
    const g = smallGraph(4, [
      [0, 1],
      [1, 2],
    ]);
    const before = edgeKeys(g);
    const out = applyEdgeFlips(g, [
      { source: '3', target: '0', op: 'add' },
      { source: '2', target: '1', op: 'remove' },
    ]);
    expect(edgeKeys(out)).toEqual(['0-1', '0-3']);
    expect(edgeKeys(g)).toEqual(before);
    expect(out.getNodeAttribute('2', 'label')).toBe(0);
    out.setNodeAttribute('2', 'label', 5);
    expect(g.getNodeAttribute('2', 'label')).toBe(0);
  });

  it('errors on existing adds, missing removes, unknown nodes, self loops and bad items', () => {
    const g = smallGraph(3, [[0, 1]]);
    expect(() => applyEdgeFlips(g, [{ source: '1', target: '0', op: 'add' }])).toThrow(
      /applyEdgeFlips: argument 'flips\[0\]' must add an edge that is absent/,
    );
    expect(() => applyEdgeFlips(g, [{ source: '1', target: '2', op: 'remove' }])).toThrow(
      /must remove an edge that is present/,
    );
    expect(() => applyEdgeFlips(g, [{ source: '1', target: '9', op: 'add' }])).toThrow(
      /flips\[0\]\.target' must be a node/,
    );
    expect(() => applyEdgeFlips(g, [{ source: '1', target: '1', op: 'add' }])).toThrow(/self loop/);
    expect(() => applyEdgeFlips(g, [{ source: '1', target: '2', op: 'toggle' as 'add' }])).toThrow(/op/);
    expect(() => applyEdgeFlips(g, 'x' as never)).toThrow(/argument 'flips'/);
    // Flips apply in order: the second item sees the first.
    expect(() =>
      applyEdgeFlips(g, [
        { source: '1', target: '2', op: 'add' },
        { source: '2', target: '1', op: 'add' },
      ]),
    ).toThrow(/flips\[1\]/);
  });
});
