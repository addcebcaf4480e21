import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabInputError } from '../src/errors.js';
import { LabFormatError } from '../src/io/LabFormatError.js';
import { parseCsvSeries, loadCsvSeries } from '../src/io/loadCsvSeries.js';
import { resolveDataDir } from '../src/io/resolveDataDir.js';

function formatError(fn: () => unknown): LabFormatError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LabFormatError);
    return err as LabFormatError;
  }
  throw new Error('expected an error');
}

describe('loadCsvSeries on ETTh1', () => {
  it('reads 17420 rows x 7 columns matching the raw text', async () => {
    const path = resolveDataDir('timeseries', 'ett', 'ETTh1.csv');
    const s = await loadCsvSeries(path, { dtype: 'float64' });
    expect(s.columns).toEqual(['HUFL', 'HULL', 'MUFL', 'MULL', 'LUFL', 'LULL', 'OT']);
    expect([s.rows, s.cols, s.values.length, s.dates.length]).toEqual([17420, 7, 17420 * 7, 17420]);
    expect(s.values).toBeInstanceOf(Float64Array);
    const raw = readFileSync(path, 'utf8').trim().split('\n');
    for (const r of [0, 1, 9999, 17419]) {
      const cells = raw[r + 1]!.split(',');
      expect(s.dates[r]).toBe(cells[0]);
      expect(Array.from(s.values.subarray(r * 7, r * 7 + 7))).toEqual(cells.slice(1).map(Number));
    }
    expect(s.dates[0]).toBe('2016-07-01 00:00:00');
    // float32 default: the same values rounded to float32, and a column subset in the given order.
    const f = await loadCsvSeries(path, { columns: ['OT', 'HUFL'] });
    expect(f.values).toBeInstanceOf(Float32Array);
    expect(f.cols).toBe(2);
    expect(f.values[0]).toBe(Math.fround(30.5310001373291));
    expect(f.values[1]).toBe(Math.fround(5.827000141143799));
    expect(f.values[2 * 17419]).toBe(Math.fround(s.values[7 * 17419 + 6]!));
  });
});

describe('parseCsvSeries', () => {
  it('handles quotes, CRLF, BOM, trailing blank lines and no date column', () => {
    const s = parseCsvSeries('\ufeffdate,"a",b\r\n"2020-01-01, 00:00",1.5,-2e3\r\n2020-01-02,"3",4\r\n\r\n', {
      dtype: 'float64',
    });
    expect(s.dates).toEqual(['2020-01-01, 00:00', '2020-01-02']);
    expect(s.columns).toEqual(['a', 'b']);
    expect(Array.from(s.values)).toEqual([1.5, -2000, 3, 4]);
    const n = parseCsvSeries('x;y\n1;2\n', { dateColumn: null, delimiter: ';' });
    expect(n.dates).toEqual([]);
    expect(Array.from(n.values)).toEqual([1, 2]);
    const empty = parseCsvSeries('date,a\n');
    expect([empty.rows, empty.cols, empty.values.length]).toEqual([0, 1, 0]);
  });

  it('names source, line and column for malformed content', () => {
    let e = formatError(() => parseCsvSeries('date,a,b\n2020,1,2\n2021,3\n', { source: 'f.csv' }));
    expect(e.message).toMatch(/f\.csv, line 3\) must have 3 fields/);
    e = formatError(() => parseCsvSeries('date,a,b\n2020,1,x\n'));
    expect([e.line, e.column]).toEqual([2, 'b']);
    expect(e.message).toMatch(
      /<text>, line 2, column 'b'\) must be a finite decimal number \(NaN\/Infinity need allowNonFinite: true\); got "x"/,
    );
    e = formatError(() => parseCsvSeries('date,a,b\n2020,NaN,1\n'));
    expect(e.column).toBe('a');
    e = formatError(() => parseCsvSeries('date,a,b\n2020,,1\n'));
    expect(e.message).toMatch(/column 'a'\) must not be empty/);
    e = formatError(() => parseCsvSeries('date,a\n2020,Infinity\n'));
    expect(e.line).toBe(2);
    e = formatError(() => parseCsvSeries(''));
    expect(e.message).toMatch(/line 1\) must start with a header/);
    e = formatError(() => parseCsvSeries('a,b\n1,2\n'));
    expect(e.message).toMatch(/date column 'date'/);
    e = formatError(() => parseCsvSeries('date,a\n2020,1\n', { columns: ['z'] }));
    expect(e.message).toMatch(/column 'z'/);
    e = formatError(() => parseCsvSeries('date,a,a\n'));
    expect(e.message).toMatch(/repeat/);
    e = formatError(() => parseCsvSeries('date,a\n2020,1\n\n2021,2\n'));
    expect(e.line).toBe(3);
  });

  it('names the file path in loadCsvSeries errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-csv-'));
    const p = join(dir, 'bad.csv');
    writeFileSync(p, 'date,a\n2020,1\n2021,oops\n');
    await expect(loadCsvSeries(p)).rejects.toThrow(
      `loadCsvSeries: argument 'path' (${p}, line 3, column 'a')`,
    );
    const missing = await loadCsvSeries(join(dir, 'missing.csv')).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(LabInputError);
    expect((missing as Error).message).toMatch(
      /argument 'path' must name a readable file; cannot read .*missing\.csv' \(ENOENT\)/,
    );
    expect(((missing as Error).cause as { code?: string }).code).toBe('ENOENT');
    const folder = await loadCsvSeries(dir).catch((e: unknown) => e);
    expect(folder).toBeInstanceOf(LabInputError);
    expect(((folder as Error).cause as { code?: string }).code).toBe('EISDIR');
    await expect(loadCsvSeries(p, null as never)).rejects.toThrow(
      /loadCsvSeries: argument 'options' must be an options object/,
    );
  });

  it('reads decimal numbers only and rejects non-finite values unless allowNonFinite', () => {
    const one = (cell: string, options = {}) =>
      parseCsvSeries(`date,a\n2020,${cell}\n`, { dtype: 'float64', ...options }).values[0];
    expect([one('1.5'), one('-.5'), one('+3e2'), one('7.'), one('1E-3')]).toEqual([1.5, -0.5, 300, 7, 0.001]);
    for (const bad of [
      '0x10',
      '0b1',
      '0o7',
      '1_000',
      '1e',
      '.',
      '--1',
      '1 2',
      'Infinity',
      'NaN',
      '-inf',
      '1e400',
    ]) {
      const e = formatError(() => one(bad));
      expect([e.line, e.column]).toEqual([2, 'a']);
    }
    // float32 overflow: finite as float64, Infinity once narrowed.
    expect(one('1e39')).toBe(1e39);
    const e = formatError(() => parseCsvSeries('date,a\n2020,1e39\n'));
    expect(e.message).toMatch(/column 'a'\) must be a finite number \(1e39 overflows float32/);
    const kept = parseCsvSeries('date,a,b,c,d\n2020,NaN,-Infinity,1e39,inf\n', {
      allowNonFinite: true,
    }).values;
    expect(Array.from(kept)).toEqual([
      Number.NaN,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    ]);
    // Hex and empty cells stay rejected even with allowNonFinite.
    expect(() => one('0x10', { allowNonFinite: true })).toThrow(LabFormatError);
    expect(() => one('', { allowNonFinite: true })).toThrow(/must not be empty/);
  });

  it('validates options', () => {
    expect(() => parseCsvSeries(3 as never)).toThrow(LabInputError);
    expect(() => parseCsvSeries('a\n', { dtype: 'int32' as never })).toThrow(/options\.dtype/);
    expect(() => parseCsvSeries('a\n', { columns: ['a', 'a'] })).toThrow(/options\.columns/);
    expect(() => parseCsvSeries('date,a\n', { columns: ['date'] })).toThrow(/options\.columns/);
    expect(() => parseCsvSeries('a\n', { delimiter: '::' })).toThrow(/options\.delimiter/);
    for (const o of [
      null,
      3,
      [],
      { dtyp: 'float32' },
      { allowNonFinite: 1 },
      { source: 3 },
      { delimiter: 1 },
    ]) {
      expect(() => parseCsvSeries('date,a\n', o as never)).toThrow(LabInputError);
    }
    expect(() => parseCsvSeries('date,a\n', { dtyp: 'float32' } as never)).toThrow(
      /options\.dtyp' is not an option/,
    );
  });
});
