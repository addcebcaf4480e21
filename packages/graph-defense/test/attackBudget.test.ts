import { graphArrays } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { attackBudget } from '../src/attackBudget.js';
import { FlipConstraints } from '../src/flipConstraints.js';
import { smallGraph } from './helpers.js';

describe('attackBudget', () => {
  it('is round(rate * |E|), 5% by default, or the explicit budget', () => {
    expect(attackBudget(5069)).toBe(253);
    expect(attackBudget(5069, { rate: 0.1 })).toBe(507);
    expect(attackBudget(5069, { rate: 0.2 })).toBe(1014);
    expect(attackBudget(10, { rate: 0.05 })).toBe(1); // 0.5 rounds up
    expect(attackBudget(100, { budget: 7 })).toBe(7);
    expect(attackBudget(0)).toBe(0);
  });

  it('rejects both, negative, fractional budgets and rates outside [0, 1]', () => {
    expect(() => attackBudget(10, { rate: 0.1, budget: 1 })).toThrow(
      /attackBudget: argument 'options' must give rate or budget/,
    );
    expect(() => attackBudget(10, { budget: -1 })).toThrow(/options.budget/);
    expect(() => attackBudget(10, { budget: 1.5 })).toThrow(/options.budget/);
    expect(() => attackBudget(10, { rate: 1.5 })).toThrow(/options.rate/);
    expect(() => attackBudget(10, { rate: 0.1 }, 'diceAttack')).not.toThrow();
    expect(() => attackBudget(10, { rate: -1 }, 'diceAttack')).toThrow(/^diceAttack:/);
  });
});

describe('FlipConstraints', () => {
  it('tracks edges and degrees, refuses self loops, repeats and singleton-making removals', () => {
    // Path 0-1-2-3: only the middle edge can go without isolating a node.
    const c = new FlipConstraints(
      graphArrays(
        smallGraph(4, [
          [0, 1],
          [1, 2],
          [2, 3],
        ]),
      ),
    );
    expect(c.canFlip(0, 0)).toBe(false);
    expect(c.canFlip(0, 1)).toBe(false);
    expect(c.canFlip(2, 1)).toBe(true);
    expect(c.flip(2, 1)).toBe('remove');
    expect(c.canFlip(1, 2)).toBe(false); // never the same pair twice
    expect(c.flip(0, 3)).toBe('add');
    expect(c.canFlip(0, 1)).toBe(false); // 1's only neighbour is 0
    expect(c.flip(3, 1)).toBe('add');
    expect(c.canFlip(0, 1)).toBe(true); // both now have two neighbours
    expect(Array.from(c.degree)).toEqual([2, 2, 1, 3]);
    expect(c.count).toBe(3);
    expect(c.flips()).toEqual([
      { source: '1', target: '2', op: 'remove' },
      { source: '0', target: '3', op: 'add' },
      { source: '1', target: '3', op: 'add' },
    ]);
    expect(c.flippedPairs()).toEqual([
      [1, 2],
      [0, 3],
      [1, 3],
    ]);
    expect(() => c.flip(1, 2)).toThrow(/FlipConstraints.flip/);
  });
});
