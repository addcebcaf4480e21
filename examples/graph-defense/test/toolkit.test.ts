import { initBackend } from '@lab/core';
import { contextualSbm } from '@lab/graph-defense';
import { beforeAll, describe, expect, it } from 'vitest';
import { gridMetrics, runGrid } from '../src/grid.js';
import { createToolkit, toolkitSettings } from '../src/toolkit.js';

beforeAll(async () => {
  await initBackend();
});

describe('the real toolkit on a tiny CSBM', () => {
  it('runs Random and DICE at 10 % with EDoG and two baselines and fills the documented keys', async () => {
    const graph = contextualSbm({
      nodes: 120,
      classes: 3,
      avgDegree: 4,
      homophily: 0.9,
      featureDim: 30,
      features: 'binary',
      featureSignal: 4,
      featureDensity: 0.1,
      seed: 5,
    });
    const edges = graph.size;
    const grid = await runGrid(createToolkit(toolkitSettings(true)), {
      datasets: [{ name: 'tiny', description: '', graph }],
      attacks: ['random', 'dice'],
      rates: [0.1],
      detectors: ['edog', 'jaccard', 'degree'],
      seed: 3,
      quick: true,
    });
    // the clean graph is untouched by the attacks
    expect(graph.size).toBe(edges);
    const m = gridMetrics(grid);
    const budget = Math.round(0.1 * edges);
    expect(m['flips.tiny.random.10.added']).toBe(budget);
    expect(m['flips.tiny.random.10.removed']).toBe(0);
    expect((m['flips.tiny.dice.10.added'] as number) + (m['flips.tiny.dice.10.removed'] as number)).toBe(
      budget,
    );
    for (const a of ['random', 'dice']) {
      for (const d of ['edog', 'jaccard', 'degree']) {
        const v = m[`auc.tiny.${a}.10.${d}`];
        expect(typeof v).toBe('number');
        expect(v as number).toBeGreaterThanOrEqual(0);
        expect(v as number).toBeLessThanOrEqual(1);
      }
      for (const k of ['clean', 'attacked', 'defended'])
        expect(m[`accuracy.tiny.${a}.10.${k}`]).toBeGreaterThan(0.3);
      // the defence removes the round(rate x |E'|) top-scored edges of the attacked graph E'
      const attackedEdges =
        edges + (m[`flips.tiny.${a}.10.added`] as number) - (m[`flips.tiny.${a}.10.removed`] as number);
      expect(m[`defence.tiny.${a}.10.removed`]).toBe(Math.round(0.1 * attackedEdges));
    }
    // EDoG ran end to end on the first cell only
    expect(grid.cells.map((c) => c.edogEndToEnd)).toEqual([true, false]);
  }, 120_000);
});
