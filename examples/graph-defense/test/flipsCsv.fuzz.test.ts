import { initBackend } from '@lab/core';
import { fc, fuzzDecoder, fuzzRuns } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodePairKey } from '@lab/graph-defense';
import { decodeFlipsCsv, MAX_NODE_ID_LENGTH, parseFlipsCsv } from '../src/flipsCsv.js';

beforeAll(async () => {
  await initBackend();
});

const utf8 = new TextEncoder();

describe('decodeFlipsCsv (fuzz)', () => {
  it('arbitrary bytes and mutated files: valid flips or a LabFormatError, fast, input unchanged', async () => {
    const valid = [
      'source,target,op\n0,2,add\n1,2,remove\n',
      '\ufeff# perturbation\r\n"10","3",ADD\r\n\r\n 7 , 8 , remove \r\n',
      'a,b,add\nb,c,add\nc,d,remove\n',
    ].map((t) => utf8.encode(t));
    await fuzzDecoder({
      decode: (bytes) => decodeFlipsCsv(bytes, { source: 'fuzz.csv' }),
      valid,
      check: (flips) => {
        expect(flips.length).toBeGreaterThan(0);
        const pairs = new Set<string>();
        for (const f of flips) {
          expect(f.op === 'add' || f.op === 'remove').toBe(true);
          for (const id of [f.source, f.target]) {
            expect(id.length).toBeGreaterThan(0);
            expect(id.length).toBeLessThanOrEqual(MAX_NODE_ID_LENGTH);
            expect(id).toBe(id.trim());
            // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence.
            expect(id).not.toMatch(/[\u0000-\u001f\u007f-\u009f"]/);
          }
          expect(f.source).not.toBe(f.target);
          pairs.add(nodePairKey(f.source, f.target));
        }
        expect(pairs.size).toBe(flips.length);
      },
    });
  });

  it('round trips: written flips read back exactly, with or without a header', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,12}$/);
    const flip = fc.record({
      source: id,
      target: id,
      op: fc.constantFrom('add' as const, 'remove' as const),
    });
    fc.assert(
      fc.property(
        fc
          .uniqueArray(flip, {
            minLength: 1,
            maxLength: 50,
            selector: (f) => nodePairKey(f.source, f.target),
          })
          .map((fs) => fs.filter((f) => f.source !== f.target))
          .filter((fs) => fs.length > 0),
        fc.boolean(),
        fc.constantFrom('\n', '\r\n'),
        (flips, header, eol) => {
          const rows = flips.map((f) => `${f.source},${f.target},${f.op}`);
          const text = (header ? ['source,target,op', ...rows] : rows).join(eol) + eol;
          expect(parseFlipsCsv(text)).toEqual(flips);
          expect(decodeFlipsCsv(utf8.encode(text))).toEqual(flips);
        },
      ),
      { numRuns: fuzzRuns(200), seed: 13 },
    );
  });
});
