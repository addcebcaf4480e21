import { fc, fuzzRuns, isLabError } from '@lab/test-utils';
import { describe, expect, it } from 'vitest';
import { parseExampleArgs } from '../src/args.js';

// #13: the examples' command line is an input boundary too. Any argv either parses to the
// documented shape or fails with a LabInputError; the caller's array is never changed.
const token = fc.oneof(
  fc.constantFrom('--quick', '--out', '--seed', '--data', '--', '-q', '--quick=1', '--seed=3', '--nope'),
  fc.string({ maxLength: 12 }),
  fc.integer().map(String),
  fc.constantFrom('1e3', '0x10', ' 7', '9007199254740993', '-0', 'NaN', 'Infinity'),
);

describe('parseExampleArgs (fuzzed)', () => {
  it('returns a valid ExampleArgs or throws a LabInputError, leaving argv untouched', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 8 }), (argv) => {
        const copy = [...argv];
        try {
          const a = parseExampleArgs(argv, { defaultOut: '/tmp/out', extraOptions: ['data'] });
          expect(typeof a.quick).toBe('boolean');
          expect(Number.isSafeInteger(a.seed)).toBe(true);
          expect(a.out.startsWith('/')).toBe(true);
          expect(Object.keys(a.extra)).toEqual(['data']);
        } catch (err) {
          if (!isLabError(err)) throw err;
        }
        expect(argv).toEqual(copy);
      }),
      { numRuns: fuzzRuns(500), seed: 13 },
    );
  });

  it('rejects hexadecimal and exponent seeds, as the loaders reject such numbers', () => {
    for (const s of ['0x10', '1e3', '1.5', '', '9007199254740993']) {
      expect(() => parseExampleArgs(['--seed', s], { defaultOut: 'o' })).toThrow(
        /'--seed' must be a decimal integer/,
      );
    }
    expect(parseExampleArgs(['--seed=-12'], { defaultOut: 'o' }).seed).toBe(-12);
    expect(() => parseExampleArgs(['--bogus'], { defaultOut: 'o' })).toThrow(
      /parseExampleArgs: argument 'argv'/,
    );
    expect(() => parseExampleArgs(['stray'], { defaultOut: 'o' })).toThrow(
      /parseExampleArgs: argument 'argv'/,
    );
  });
});
