import { fc, fuzzDecoder, fuzzRuns } from '@lab/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import { parseCsvSeries } from '../src/io/loadCsvSeries.js';

beforeAll(async () => {
  await initBackend();
});

const utf8 = new TextEncoder();
const text = new TextDecoder();

describe('parseCsvSeries (fuzz)', () => {
  it('arbitrary bytes and mutated files: a valid result or a LabFormatError, fast, input unchanged', async () => {
    const valid = [
      'date,a,b\n2020-01-01,1.5,-2\n2020-01-02,3e2,.25\n',
      '\ufeffdate,"x, y",z\r\n"2021",0,1\r\n"2022",7.,-0.5\r\n\r\n',
      'date,OT\n',
    ].map((t) => utf8.encode(t));
    await fuzzDecoder({
      decode: (bytes) => parseCsvSeries(text.decode(bytes), { dtype: 'float64' }),
      valid,
      check: (s) => {
        expect(s.values.length).toBe(s.rows * s.cols);
        expect(s.columns.length).toBe(s.cols);
        expect(s.dates.length).toBe(s.rows);
        for (const v of s.values) expect(Number.isFinite(v)).toBe(true);
      },
    });
  });

  it('round trips: written numbers read back exactly (float64) and as float32', () => {
    const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,7}$/).filter((n) => n !== 'date');
    fc.assert(
      fc.property(
        fc.uniqueArray(name, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 100 }),
        (cols, rows, pool) => {
          const write = (v: number) => (Object.is(v, -0) ? '-0' : String(v));
          const cell = (r: number, c: number) => pool[(r * cols.length + c) % pool.length] as number;
          const lines = [['date', ...cols].join(',')];
          for (let r = 0; r < rows; r++)
            lines.push([`d${r}`, ...cols.map((_, c) => write(cell(r, c)))].join(','));
          const csv = `${lines.join('\n')}\n`;
          const s = parseCsvSeries(csv, { dtype: 'float64' });
          expect([s.rows, s.cols, s.columns]).toEqual([rows, cols.length, cols]);
          for (let r = 0; r < rows; r++)
            for (let c = 0; c < cols.length; c++) expect(s.values[r * cols.length + c]).toBe(cell(r, c));
          // float32: a value overflowing float32 is rejected, otherwise it is the rounded value.
          let overflow = false;
          for (let r = 0; r < rows; r++)
            for (let c = 0; c < cols.length; c++)
              if (!Number.isFinite(Math.fround(cell(r, c)))) overflow = true;
          if (overflow) expect(() => parseCsvSeries(csv)).toThrow(/overflows float32/);
          else {
            const f = parseCsvSeries(csv);
            for (let r = 0; r < rows; r++)
              for (let c = 0; c < cols.length; c++)
                expect(f.values[r * cols.length + c]).toBe(Math.fround(cell(r, c)));
          }
        },
      ),
      { numRuns: fuzzRuns(200), seed: 11 },
    );
  });
});
