import { LabFormatError, LabInputError } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { nodePairKey } from '@lab/graph-defense';
import { checkFlipsAgainstGraph, parseFlipsCsv } from '../src/flipsCsv.js';

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
    expect(() => parseFlipsCsv('0,1,flip', 'attack.csv')).toThrow(
      /attack\.csv, line 1, column 'op'.*'add' or 'remove'.*flip/,
    );
    expect(() => parseFlipsCsv('0,1,add\n1,0,add', 'a.csv')).toThrow(/already on line 1/);
    expect(() => parseFlipsCsv('source,target,op\n', 'empty.csv')).toThrow(/at least one flip/);
  });

  it('does not accept non-strings', () => {
    expect(() => parseFlipsCsv(42 as unknown as string)).toThrow(LabInputError);
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
