import { initBackend } from '@lab/core';
import { contextualSbm, randomAttack } from '@lab/graph-defense';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectionAuc, gridMetrics, runGrid } from '../src/grid.js';
import { createToolkit, toolkitSettings, trueLabelReference } from '../src/toolkit.js';

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

describe('trueLabelReference', () => {
  it('matches the closed-form AUC of class-pair scoring under Random insertions on a CSBM', () => {
    const g = contextualSbm({
      nodes: 2000,
      classes: 4,
      avgDegree: 5,
      homophily: 0.6,
      featureDim: 20,
      featureSignal: 1,
      seed: 9,
    });
    const { graph: attacked, flips } = randomAttack(g, { rate: 0.2, mode: 'add', seed: 4 });
    // h: intra-class share of the clean edges; q: intra-class share of uniformly random pairs.
    let intra = 0;
    g.forEachEdge((_e, _a, _s, _t, sa, ta) => {
      if (sa.label === ta.label) intra++;
    });
    const h = intra / g.size;
    const counts = new Map<number, number>();
    g.forEachNode((_n, a) => counts.set(a.label, (counts.get(a.label) ?? 0) + 1));
    const n = g.order;
    let q = 0;
    for (const c of counts.values()) q += (c * (c - 1)) / (n * (n - 1));
    // Positives (inserted) are inter-class with probability 1 - q, negatives with 1 - h; ties
    // count one half: AUC = (1 - q) h + (1/2) [(1 - q)(1 - h) + q h].
    const expected = (1 - q) * h + 0.5 * ((1 - q) * (1 - h) + q * h);
    const auc = detectionAuc(trueLabelReference(attacked).scores, flips);
    // The inserted edges' intra share is Binomial(k, q) / k; dAUC/d(1 - q) = 1/2, so the standard
    // error is sqrt(q (1 - q) / k) / 2 (~0.005 at k = 1000); four standard errors.
    const se = Math.sqrt((q * (1 - q)) / flips.length) / 2;
    expect(Math.abs((auc as number) - expected)).toBeLessThan(4 * se);
    expect(expected).toBeCloseTo(0.675, 1);
  });
});
