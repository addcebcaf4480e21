import { describe, expect, it } from 'vitest';
import { parseExampleArgs } from '../src/args.js';
import { markdownTable } from '../src/markdown.js';
import { svgBarChart, svgLineChart } from '../src/svg.js';

describe('parseExampleArgs', () => {
  it('parses the shared flags after pnpm forwards "--"', () => {
    const a = parseExampleArgs(['--', '--quick', '--seed', '7', '--out', '/tmp/x', '--data', 'd'], {
      defaultOut: 'out',
      extraOptions: ['data'],
    });
    expect(a).toEqual({ quick: true, seed: 7, out: '/tmp/x', extra: { data: 'd' } });
  });
  it('defaults and rejects bad seeds and unknown flags', () => {
    expect(parseExampleArgs([], { defaultOut: '/tmp/o' })).toMatchObject({
      quick: false,
      seed: 42,
      out: '/tmp/o',
    });
    expect(() => parseExampleArgs(['--seed', 'x'], { defaultOut: 'o' })).toThrow(/--seed/);
    expect(() => parseExampleArgs(['--bogus'], { defaultOut: 'o' })).toThrow();
  });
});

describe('markdownTable', () => {
  it('renders header, rule and rows', () => {
    expect(markdownTable(['a', 'b'], [[1, 'x']])).toBe('| a | b |\n| --- | --- |\n| 1 | x |');
  });
});

describe('svg charts', () => {
  it('draws one polyline per series with every finite point, and escapes text', () => {
    const svg = svgLineChart({
      title: 'a<b',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        { name: 's1', x: [0, 1, 2], y: [1, 2, Number.NaN] },
        { name: 's2', x: [0, 1], y: [3, 4] },
      ],
    });
    expect(svg.match(/<polyline/g)?.length).toBe(2);
    const firstPoints = /points="([^"]*)"/.exec(svg)?.[1]?.split(' ') ?? [];
    expect(firstPoints.length).toBe(2);
    expect(svg).toContain('a&#60;b');
  });
  it('draws one rect per bar', () => {
    const svg = svgBarChart({
      title: 't',
      yLabel: 'y',
      categories: ['a', 'b', 'c'],
      series: [
        { name: 'p', values: [1, 2, 3] },
        { name: 'q', values: [3, 2, 1] },
      ],
    });
    // 1 background + 6 bars + 2 legend swatches
    expect(svg.match(/<rect/g)?.length).toBe(9);
  });
});
