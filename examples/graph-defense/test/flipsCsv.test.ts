import { LabFormatError, LabInputError } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { nodePairKey } from '@lab/graph-defense';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkFlipsAgainstGraph,
  decodeFlipsCsv,
  loadFlipsCsv,
  MAX_FLIPS,
  MAX_FLIPS_CSV_BYTES,
  MAX_NODE_ID_LENGTH,
  parseFlipsCsv,
} from '../src/flipsCsv.js';

/** A 4-node path 0-1-2-3 as the minimal graph view the checker needs. */
const path = {
  edges: new Set([nodePairKey('0', '1'), nodePairKey('1', '2'), nodePairKey('2', '3')]),
  hasNode: (n: string) => ['0', '1', '2', '3'].includes(n),
  hasEdge(a: string, b: string) {
    return this.edges.has(nodePairKey(a, b));
  },
};

function lineOf(fnCall: () => unknown): number | undefined {
  try {
    fnCall();
  } catch (err) {
    expect(err).toBeInstanceOf(LabFormatError);
    return (err as LabFormatError).line;
  }
  throw new Error('expected a LabFormatError');
}

describe('parseFlipsCsv', () => {
  it('parses rows with or without a header, skipping blanks and comments, trimming and unquoting', () => {
    const text = 'source,target,op\n0,2,add\n\n# a comment\n 1 , 2 , REMOVE \r\n"3","0","add"\n';
    expect(parseFlipsCsv(text)).toEqual([
      { source: '0', target: '2', op: 'add' },
      { source: '1', target: '2', op: 'remove' },
      { source: '3', target: '0', op: 'add' },
    ]);
    expect(parseFlipsCsv('5,7,add')).toEqual([{ source: '5', target: '7', op: 'add' }]);
  });

  it('names the line of every malformed row', () => {
    expect(lineOf(() => parseFlipsCsv('source,target,op\n0,1,add\n0,2'))).toBe(3);
    expect(lineOf(() => parseFlipsCsv('0,1,add,extra'))).toBe(1);
    expect(lineOf(() => parseFlipsCsv('0,1,add\n1,,add'))).toBe(2);
    expect(lineOf(() => parseFlipsCsv('0,1,flip'))).toBe(1);
    expect(lineOf(() => parseFlipsCsv('\n\n2,2,add'))).toBe(3);
    // the same undirected pair twice, in either orientation
    expect(lineOf(() => parseFlipsCsv('0,1,add\n# c\n1,0,remove'))).toBe(3);
    // a header after data is a malformed row, not a header
    expect(lineOf(() => parseFlipsCsv('0,1,add\nsource,target,op'))).toBe(2);
  });

  it('says what is wrong and where', () => {
    expect(() => parseFlipsCsv('0,1,flip', { source: 'attack.csv' })).toThrow(
      /attack\.csv, line 1, column 'op'.*'add' or 'remove'.*flip/,
    );
    expect(() => parseFlipsCsv('0,1,add\n1,0,add', { source: 'a.csv' })).toThrow(/already on line 1/);
    expect(() => parseFlipsCsv('source,target,op\n', { source: 'empty.csv' })).toThrow(/at least one flip/);
  });

  it('does not accept non-strings or bad options', () => {
    expect(() => parseFlipsCsv(42 as unknown as string)).toThrow(LabInputError);
    expect(() => parseFlipsCsv('0,1,add', null as never)).toThrow(/parseFlipsCsv: argument 'options'/);
    expect(() => parseFlipsCsv('0,1,add', { file: 'x' } as never)).toThrow(/options.file' is not an option/);
    expect(() => parseFlipsCsv('0,1,add', { source: 3 } as never)).toThrow(/options.source/);
  });

  it('rejects over-long and non-printable node ids, too many rows and too much text, with the line', () => {
    const long = 'x'.repeat(MAX_NODE_ID_LENGTH + 1);
    expect(lineOf(() => parseFlipsCsv(`0,1,add\n${long},1,add`))).toBe(2);
    expect(parseFlipsCsv(`${'x'.repeat(MAX_NODE_ID_LENGTH)},1,add`)).toHaveLength(1);
    expect(lineOf(() => parseFlipsCsv('0,a\u0000b,add'))).toBe(1);
    expect(lineOf(() => parseFlipsCsv('0,\u007f,add'))).toBe(1);
    expect(lineOf(() => parseFlipsCsv('"0,1",2,add'))).toBe(1); // a quoted comma is not supported
    expect(() => parseFlipsCsv('0,"1,add')).toThrow(/column 'target'.*printable/);
    // maxFlips rows are fine, one more is not (the error names the first extra row).
    const rows = Array.from({ length: 4 }, (_, i) => `a${i},b${i},add`).join('\n');
    expect(parseFlipsCsv(rows, { maxFlips: 4 })).toHaveLength(4);
    expect(lineOf(() => parseFlipsCsv(rows, { maxFlips: 3 }))).toBe(4);
    expect(() => parseFlipsCsv(rows, { maxFlips: MAX_FLIPS + 1 })).toThrow(/options.maxFlips/);
    expect(() => parseFlipsCsv(' '.repeat(MAX_FLIPS_CSV_BYTES + 1))).toThrow(/at most 67108864 characters/);
  });
});

describe('decodeFlipsCsv / loadFlipsCsv', () => {
  const csv = '\ufeffsource,target,op\n0,2,add\n1,2,remove\n';
  const expected = [
    { source: '0', target: '2', op: 'add' },
    { source: '1', target: '2', op: 'remove' },
  ];

  it('decodes any byte view (Buffer, odd-offset subarray), drops a BOM, leaves the bytes unchanged', () => {
    const bytes = new TextEncoder().encode(csv);
    expect(decodeFlipsCsv(bytes)).toEqual(expected);
    expect(decodeFlipsCsv(Buffer.from(bytes))).toEqual(expected);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 1);
    const odd = padded.subarray(1, 1 + bytes.length);
    const before = Uint8Array.from(padded);
    expect(decodeFlipsCsv(odd)).toEqual(expected);
    expect(padded).toEqual(before);
  });

  it('rejects invalid UTF-8 and non-bytes', () => {
    const bad = Uint8Array.from([0x30, 0x2c, 0xff, 0x2c, 0x61, 0x64, 0x64]);
    expect(() => decodeFlipsCsv(bad, { source: 'b.csv' })).toThrow(LabFormatError);
    expect(() => decodeFlipsCsv(bad, { source: 'b.csv' })).toThrow(/b\.csv\) must be UTF-8/);
    expect(() => decodeFlipsCsv('0,1,add' as never)).toThrow(LabInputError);
  });

  it('loads a file; a missing file or a folder is a LabInputError with the system error as cause', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flips-'));
    const file = join(dir, 'f.csv');
    writeFileSync(file, csv);
    expect(await loadFlipsCsv(file)).toEqual(expected);
    writeFileSync(join(dir, 'bad.csv'), '0,1,add\n2,2,add\n');
    await expect(loadFlipsCsv(join(dir, 'bad.csv'))).rejects.toThrow(
      /bad\.csv, line 2\) must not be a self-loop/,
    );
    for (const missing of [join(dir, 'nope.csv'), dir]) {
      const err = await loadFlipsCsv(missing).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LabInputError);
      expect(err).not.toBeInstanceOf(LabFormatError);
      expect((err as Error).cause).toBeInstanceOf(Error);
    }
  });
});

describe('checkFlipsAgainstGraph', () => {
  it('accepts consistent flips', () => {
    expect(() =>
      checkFlipsAgainstGraph(path, [
        { source: '0', target: '3', op: 'add' },
        { source: '2', target: '1', op: 'remove' },
      ]),
    ).not.toThrow();
  });

  it('rejects unknown nodes, adding a present edge and removing an absent one', () => {
    expect(() => checkFlipsAgainstGraph(path, [{ source: '0', target: '9', op: 'add' }])).toThrow(
      /flips\[0\].*unknown node '9'/,
    );
    expect(() =>
      checkFlipsAgainstGraph(path, [
        { source: '0', target: '3', op: 'add' },
        { source: '1', target: '0', op: 'add' },
      ]),
    ).toThrow(/flips\[1\].*absent edge.*1-0 exists/);
    expect(() => checkFlipsAgainstGraph(path, [{ source: '0', target: '2', op: 'remove' }])).toThrow(
      /existing edge.*0-2 absent/,
    );
  });
});
