import { LabInputError } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { constantSparsity, polynomialDecay } from '../src/index.js';

/** Schedules are plain float64 arithmetic; 1e-12 covers the pow() rounding. */
const F64 = 1e-12;

describe('polynomialDecay', () => {
  it('matches Zhu & Gupta closed form (cubic) and clamps outside [begin, end]', () => {
    const s = polynomialDecay({
      initialSparsity: 0.1,
      finalSparsity: 0.9,
      beginStep: 100,
      endStep: 1100,
      frequency: 50,
    });
    for (const t of [0, 100, 150, 600, 1000, 1100, 5000]) {
      const p = Math.min(1, Math.max(0, (t - 100) / 1000));
      expect(s.sparsityAt(t)).toBeCloseTo(0.9 + (0.1 - 0.9) * (1 - p) ** 3, 12);
    }
    expect(s.sparsityAt(600)).toBeCloseTo(0.9 - 0.8 * 0.125, 12);
    expect(Math.abs(s.sparsityAt(1100) - 0.9)).toBeLessThanOrEqual(F64);
  });

  it('honours power', () => {
    const s = polynomialDecay({ finalSparsity: 0.5, endStep: 10, power: 1 });
    expect(Math.abs(s.sparsityAt(5) - 0.25)).toBeLessThanOrEqual(F64);
  });

  it("updates like tfmot's _should_prune_in_step: begin <= step <= end, every frequency from begin", () => {
    const s = polynomialDecay({ finalSparsity: 0.8, beginStep: 10, endStep: 40, frequency: 10 });
    const due = Array.from({ length: 60 }, (_, t) => t).filter((t) => s.shouldUpdate(t));
    expect(due).toEqual([10, 20, 30, 40]);
  });

  it('rejects bad arguments', () => {
    const arg = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(LabInputError);
        expect((e as LabInputError).fn).toBe('polynomialDecay');
        return (e as LabInputError).arg;
      }
      return 'no error';
    };
    expect(arg(() => polynomialDecay({ finalSparsity: 1, endStep: 10 }))).toBe('options.finalSparsity');
    expect(arg(() => polynomialDecay({ initialSparsity: -0.1, finalSparsity: 0.5, endStep: 10 }))).toBe(
      'options.initialSparsity',
    );
    expect(arg(() => polynomialDecay({ finalSparsity: 0.5, beginStep: 10, endStep: 10 }))).toBe(
      'options.endStep',
    );
    expect(arg(() => polynomialDecay({ finalSparsity: 0.5, endStep: 10, frequency: 0 }))).toBe(
      'options.frequency',
    );
    expect(arg(() => polynomialDecay({ finalSparsity: 0.5, endStep: 10, power: 0 }))).toBe('options.power');
  });
});

describe('constantSparsity', () => {
  it('is constant and updates every frequency steps from begin, for ever when endStep = -1', () => {
    const s = constantSparsity({ targetSparsity: 0.7, beginStep: 5, frequency: 3 });
    expect(s.sparsityAt(0)).toBe(0.7);
    expect(s.sparsityAt(1e6)).toBe(0.7);
    expect(Array.from({ length: 20 }, (_, t) => t).filter((t) => s.shouldUpdate(t))).toEqual([
      5, 8, 11, 14, 17,
    ]);
    expect(s.shouldUpdate(5 + 3 * 1000)).toBe(true);
    const e = constantSparsity({ targetSparsity: 0.7, endStep: 6, frequency: 3 });
    expect(Array.from({ length: 20 }, (_, t) => t).filter((t) => e.shouldUpdate(t))).toEqual([0, 3, 6]);
  });

  it('rejects a sparsity outside [0, 1)', () => {
    expect(() => constantSparsity({ targetSparsity: 1 })).toThrow(
      /constantSparsity: argument 'options.targetSparsity'/,
    );
  });
});
