import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { initBackend } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedPointSigmoid, fixedPointTanh } from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/gemmlowp-activations.json', import.meta.url), 'utf8'),
) as { tables: Record<string, { sha256: string; spot: Record<string, number> }> };

/** Worst error of gemmlowp's int16 functions vs the exact ones, in Q0.15 LSB, measured below. */
const GEMMLOWP_SIGMOID_MAX_LSB = 6.8;
const GEMMLOWP_TANH_MAX_LSB = 12.1;

function table(f: (x: number, m: number) => number, m: number): Int16Array {
  const t = new Int16Array(65536);
  for (let v = -32768; v <= 32767; v++) t[v + 32768] = f(v, m);
  return t;
}

describe('fixedPointSigmoid / fixedPointTanh (gemmlowp int16 fixed point)', () => {
  for (const [name, f] of [
    ['sigmoid', fixedPointSigmoid],
    ['tanh', fixedPointTanh],
  ] as const) {
    it.each([0, 1, 2, 3, 4, 5, 6])(
      `${name}: bit-identical to gemmlowp on all 65536 inputs, %i integer bits`,
      (m) => {
        const ref = fixture.tables[`${name}-${m}`];
        if (!ref) throw new Error('fixture');
        const t = table(f, m);
        for (const [x, y] of Object.entries(ref.spot)) expect(f(Number(x), m), x).toBe(y);
        expect(createHash('sha256').update(new Uint8Array(t.buffer)).digest('hex')).toBe(ref.sha256);
        // Accuracy vs the exact function (what the LSTM tolerances are derived from).
        let worst = 0;
        for (let v = -32768; v <= 32767; v++) {
          const r = v / 2 ** (15 - m);
          const exact = name === 'sigmoid' ? 32768 / (1 + Math.exp(-r)) : 32768 * Math.tanh(r);
          worst = Math.max(worst, Math.abs((t[v + 32768] as number) - Math.min(32767, exact)));
        }
        expect(worst).toBeLessThan(name === 'sigmoid' ? GEMMLOWP_SIGMOID_MAX_LSB : GEMMLOWP_TANH_MAX_LSB);
        expect(worst).toBeGreaterThan(1); // not exactly rounded: the fixed-point algorithm's own error
      },
    );
  }

  it('closed forms and symmetries; bad arguments name the function', () => {
    expect(fixedPointSigmoid(0, 3)).toBe(16384);
    expect(fixedPointTanh(0, 3)).toBe(0);
    for (const x of [1, 100, 4096, 20000, 32767]) {
      expect(fixedPointSigmoid(-x, 3)).toBe(32767 - fixedPointSigmoid(x, 3));
      expect(fixedPointTanh(-x, 4)).toBe(-fixedPointTanh(x, 4));
    }
    expect(() => fixedPointSigmoid(40000, 3)).toThrow(/fixedPointSigmoid: argument 'x'/);
    expect(() => fixedPointTanh(1, 7)).toThrow(/fixedPointTanh: argument 'integerBits'/);
  });
});
