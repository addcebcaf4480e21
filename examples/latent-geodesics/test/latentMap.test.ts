import { describe, expect, it } from 'vitest';
import { colormap, svgLatentMap } from '../src/latentMap.js';
import { fitLogLogSlope } from '../src/logLogFit.js';

describe('fitLogLogSlope', () => {
  it('recovers an exact power law', () => {
    const x = [2, 5, 10, 100, 1e4];
    const { slope, intercept } = fitLogLogSlope(
      x,
      x.map((v) => 3 * v ** -1.25),
    );
    expect(slope).toBeCloseTo(-1.25, 12);
    expect(intercept).toBeCloseTo(Math.log10(3), 12);
  });
});

describe('svgLatentMap', () => {
  it('draws one cell per grid node, every point and every curve', () => {
    const R = 4;
    const svg = svgLatentMap({
      title: 'test <map>',
      values: Array.from({ length: R * R }, (_, k) => k),
      resolution: R,
      bounds: [
        [0, 1],
        [0, 1],
      ],
      valueLabel: 'v',
      points: [
        [0.2, 0.3],
        [0.5, 0.5],
      ],
      labels: [0, 1],
      curves: [
        {
          name: 'a',
          points: [
            [0, 0],
            [1, 1],
          ],
          color: '#fff',
        },
        {
          name: 'b',
          points: [
            [0, 1],
            [1, 0],
          ],
          color: '#f00',
          dashed: true,
        },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).toContain('test &#60;map&#62;');
    expect((svg.match(/<circle /g) ?? []).length).toBe(2);
    expect((svg.match(/<path /g) ?? []).length).toBe(2);
    // R * R cells + frame + background + 40 colour-bar steps.
    expect((svg.match(/<rect /g) ?? []).length).toBe(R * R + 2 + 40);
  });

  it('colormap runs from dark purple to yellow and clamps', () => {
    expect(colormap(0)).toBe('rgb(68,1,84)');
    expect(colormap(1)).toBe('rgb(253,231,37)');
    expect(colormap(2)).toBe(colormap(1));
    expect(colormap(Number.NaN)).toBe(colormap(0));
  });
});
