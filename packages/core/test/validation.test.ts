import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SEED,
  LabInputError,
  checkBytes,
  checkNumber,
  createRng,
  readOptions,
  resolveRng,
} from '../src/index.js';

const fn = 'demo';

function errorOf(f: () => unknown): LabInputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LabInputError);
    return e as LabInputError;
  }
  throw new Error('expected a LabInputError');
}

describe('readOptions', () => {
  it('reads undefined as {} and rejects null, arrays and primitives naming fn and options', () => {
    expect(readOptions(fn, undefined).has('x')).toBe(false);
    for (const bad of [null, [], 3, 'x', true, new Uint8Array(2)]) {
      const e = errorOf(() => readOptions(fn, bad));
      expect(e.fn).toBe(fn);
      expect(e.arg).toBe('options');
    }
  });

  it('rejects unknown keys only when the known list is given', () => {
    expect(() => readOptions(fn, { lr: 1 })).not.toThrow();
    const e = errorOf(() => readOptions(fn, { lr: 1, epocs: 2 }, ['lr', 'epochs']));
    expect(e.arg).toBe('options.epocs');
    expect(e.message).toContain('known: lr, epochs');
  });

  it('type-checks every getter, with fallbacks for absent values', () => {
    const o = readOptions(fn, {
      n: 3,
      x: 0.5,
      flag: false,
      name: 'a',
      mode: 'b',
      cb: () => 1,
      zero: 0,
      nested: { k: 2 },
    });
    expect(o.integer('n', 1, { min: 1 })).toBe(3);
    expect(o.number('x', 0, { min: 0, max: 1 })).toBe(0.5);
    expect(o.number('absent', 7)).toBe(7);
    expect(o.optionalNumber('absent')).toBeUndefined();
    expect(o.boolean('flag', true)).toBe(false);
    expect(o.boolean('absent', true)).toBe(true);
    expect(o.string('name')).toBe('a');
    expect(o.oneOf('mode', ['a', 'b'] as const, 'a')).toBe('b');
    expect(o.optionalFunction('cb')?.()).toBe(1);
    expect(o.nested('nested').integer('k')).toBe(2);
    expect(errorOf(() => o.boolean('zero', true)).arg).toBe('options.zero'); // verifyChecksum: 0 is not false
    expect(errorOf(() => o.integer('x', 1)).message).toContain('must be an integer');
    expect(errorOf(() => o.number('required')).message).toContain('is required');
    expect(errorOf(() => o.oneOf('name', ['b', 'c'] as const)).message).toContain('must be one of "b", "c"');
    expect(errorOf(() => o.nested('n')).arg).toBe('options.n');
    expect(errorOf(() => o.nested('nested').string('k')).arg).toBe('options.nested.k');
  });

  it('does not read inherited keys (no prototype tricks)', () => {
    const proto = { epochs: 5 };
    const o = readOptions(fn, Object.create(proto));
    expect(o.has('epochs')).toBe(false);
    expect(o.integer('epochs', 1)).toBe(1);
  });
});

describe('checkNumber', () => {
  it('enforces finiteness, integrality and open or closed bounds', () => {
    expect(() => checkNumber(fn, 'a', 1, { min: 1 })).not.toThrow();
    expect(errorOf(() => checkNumber(fn, 'a', 1, { min: 1, open: { min: true } })).message).toContain(
      'must be a finite number > 1',
    );
    expect(errorOf(() => checkNumber(fn, 'a', 2, { min: 0, max: 1 })).message).toContain('in [0, 1]');
    expect(() => checkNumber(fn, 'a', Number.NaN)).toThrow(LabInputError);
    expect(() => checkNumber(fn, 'a', Number.POSITIVE_INFINITY)).toThrow(LabInputError);
    expect(() => checkNumber(fn, 'a', Number.POSITIVE_INFINITY, { allowNonFinite: true })).not.toThrow();
    expect(() => checkNumber(fn, 'a', '3')).toThrow(LabInputError);
    expect(() => checkNumber(fn, 'a', 1.5, { integer: true })).toThrow(LabInputError);
  });
});

describe('resolveRng (the seed convention)', () => {
  it('gives the same stream for the same seed, an Rng passed through, and the default seed otherwise', () => {
    const draw = (r: { next(): number }) => [r.next(), r.next(), r.next()];
    expect(draw(resolveRng(fn, { seed: 'a' }))).toEqual(draw(createRng('a')));
    const mine = createRng(3);
    expect(resolveRng(fn, { rng: mine })).toBe(mine);
    expect(draw(resolveRng(fn, undefined))).toEqual(draw(createRng(DEFAULT_SEED)));
    expect(draw(readOptions(fn, { seed: 9 }).rng())).toEqual(draw(createRng(9)));
  });

  it('rejects both at once and wrong types', () => {
    expect(errorOf(() => resolveRng(fn, { seed: 1, rng: createRng(1) })).arg).toBe('options');
    expect(errorOf(() => resolveRng(fn, { seed: Number.NaN })).arg).toBe('options.seed');
    expect(errorOf(() => resolveRng(fn, { rng: {} as never })).arg).toBe('options.rng');
    expect(errorOf(() => readOptions(fn, { seed: {} }, undefined, 'options.gcn').rng()).arg).toBe(
      'options.gcn.seed',
    );
  });
});

describe('checkBytes', () => {
  it("returns a view of exactly the caller's bytes for Buffers, subarrays at odd offsets and other views", () => {
    const pool = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const sub = pool.subarray(3, 7);
    expect(checkBytes(fn, 'b', sub)).toBe(sub);
    const buf = Buffer.from(pool.buffer, 1, 5);
    expect([...checkBytes(fn, 'b', buf)]).toEqual([1, 2, 3, 4, 5]);
    const dv = new DataView(pool.buffer, 5, 3);
    expect([...checkBytes(fn, 'b', dv)]).toEqual([5, 6, 7]);
    expect(checkBytes(fn, 'b', pool.buffer).length).toBe(9);
    expect(() => checkBytes(fn, 'b', [1, 2])).toThrow(LabInputError);
  });
});

describe('OptionReader.seedValue (string sub-seed derivation)', () => {
  it('gives the seed, DEFAULT_SEED, or one 32-bit draw from the rng', () => {
    expect(readOptions('f', { seed: 'a' }).seedValue()).toBe('a');
    expect(readOptions('f', {}).seedValue()).toBe(DEFAULT_SEED);
    const rng = createRng(9);
    const expected = Math.floor(createRng(9).next() * 2 ** 32);
    expect(readOptions('f', { rng }).seedValue()).toBe(expected);
    expect(Number.isInteger(expected) && expected >= 0 && expected < 2 ** 32).toBe(true);
    // The caller's rng advanced by exactly one draw.
    const twin = createRng(9);
    twin.next();
    expect(rng.next()).toBe(twin.next());
    expect(() => readOptions('f', { seed: 1, rng: createRng(1) }).seedValue()).toThrow(
      /at most one of seed and rng/,
    );
    expect(() => readOptions('f', { seed: Number.NaN }).seedValue()).toThrow(/options.seed/);
  });
});
