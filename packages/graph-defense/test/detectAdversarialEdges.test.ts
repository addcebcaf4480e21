import { createRng, initBackend, LabInputError, rocAuc, type LabeledGraph } from '@lab/core';
import { expectAllClose, expectNoLeaks } from '@lab/test-utils';
import Graph from 'graphology';
import { beforeAll, describe, expect, it } from 'vitest';
import { baselineEdgeScores } from '../src/baselines.js';
import { contextualSbm } from '../src/contextualSbm.js';
import { detectAdversarialEdges } from '../src/detectAdversarialEdges.js';
import { rankNormalize } from '../src/detectionUtils.js';
import { plantInterClass } from './edogHelpers.js';
import type { EdgeFlip } from '../src/graphTypes.js';

beforeAll(async () => {
  await initBackend();
});

function truth(edges: { source: string; target: string }[], flips: EdgeFlip[]): number[] {
  const s = new Set(flips.map((f) => `${f.source}|${f.target}`));
  return edges.map((e) => (s.has(`${e.source}|${e.target}`) || s.has(`${e.target}|${e.source}`) ? 1 : 0));
}

const FAST = { numSubgraphs: 6, linkPredictor: { epochs: 100 } };

describe('detectAdversarialEdges', () => {
  const clean = contextualSbm({
    nodes: 300,
    classes: 6,
    avgDegree: 6,
    homophily: 0.9,
    featureDim: 16,
    featureSignal: 3,
    seed: 11,
  });
  const attack = plantInterClass(clean, Math.round(0.05 * clean.size), 1);

  it('ranks planted inter-class edges of a CSBM far above chance and above the degree baseline, without leaks', async () => {
    const det = await expectNoLeaks(() =>
      detectAdversarialEdges(attack.graph, { ...FAST, seed: 1, budget: 10 }),
    );
    const y = truth(det.edges, attack.flips);
    expect(y.reduce((s, v) => s + v, 0)).toBe(attack.flips.length);
    const auc = rocAuc(det.scores, y);
    const degree = rocAuc((await baselineEdgeScores(attack.graph, { method: 'degree', seed: 1 })).scores, y);
    expect(auc).toBeGreaterThan(0.75);
    expect(auc).toBeGreaterThan(degree + 0.1);
    expect(det.flagged).toHaveLength(10);
    expect(
      Array.from(det.flaggedIndex).every(
        (e, k) => k === 0 || det.scores[det.flaggedIndex[k - 1]] >= det.scores[e],
      ),
    ).toBe(true);
    expect(det.detailed.subgraphs).toHaveLength(6);
    expect(det.detailed.subgraphs.every((s) => s.edges > 0 && s.scoredEdges > 0)).toBe(true);
    expect(Object.keys(det.detailed.timingMs)).toContain('linkPrediction');
  });

  it('is deterministic for a seed; threshold flags exactly the edges at or above it; the outlier step runs when on', async () => {
    const opts = {
      ...FAST,
      numSubgraphs: 2,
      linkPredictor: { epochs: 20 },
      outlier: 'on' as const,
      seed: 'd',
    };
    const a = await detectAdversarialEdges(attack.graph, opts);
    const b = await detectAdversarialEdges(attack.graph, { ...opts, threshold: 0.9 });
    expect(Array.from(a.scores)).toEqual(Array.from(b.scores));
    expect(a.detailed.outlier.enabled).toBe(true);
    expect(a.detailed.outlier.excluded).toBe(Math.round(0.1 * attack.graph.size));
    expect(a.detailed.outlierScores).not.toBeNull();
    const expected = Array.from(a.scores.keys()).filter((e) => a.scores[e] >= 0.9);
    expect(Array.from(b.flaggedIndex).sort((x, y) => x - y)).toEqual(expected);
  });

  it('combines the signals as the weighted mean of their ranks (signalWeights)', async () => {
    const opts = { numSubgraphs: 2, linkPredictor: { epochs: 20 }, outlier: 'off' as const, seed: 'w' };
    const det = await detectAdversarialEdges(attack.graph, opts);
    const d = det.detailed;
    expect(d.featureDissimilarity).not.toBeNull();
    expect(d.labelDistance).not.toBeNull();
    // Default weights link 1, feature dissimilarity 1, label distance 0.5 (outlier off).
    const rl = rankNormalize(d.linkScores);
    const rf = rankNormalize(d.featureDissimilarity as Float64Array);
    const rd = rankNormalize(d.labelDistance as Float64Array);
    const expected = Array.from(rl, (v, e) => (v + rf[e] + 0.5 * rd[e]) / 2.5);
    // Same arithmetic in a different order: round-off only.
    expectAllClose(Array.from(det.scores), expected, { atol: 1e-12 });
    // Link only: the scores are the link ranks, no GCN labels are computed.
    const linkOnly = await detectAdversarialEdges(attack.graph, {
      ...opts,
      signalWeights: { featureDissimilarity: 0, labelDistance: 0 },
    });
    expect(Array.from(linkOnly.scores)).toEqual(Array.from(rankNormalize(linkOnly.detailed.linkScores)));
    expect(linkOnly.detailed.labelDistance).toBeNull();
    await expect(
      detectAdversarialEdges(attack.graph, { ...opts, signalWeights: { link: -1 } }),
    ).rejects.toThrow(/options.signalWeights.link/);
    await expect(
      detectAdversarialEdges(attack.graph, { ...opts, signalWeights: { bogus: 1 } as never }),
    ).rejects.toThrow(/signalWeights.bogus/);
  });

  it('calibrates on a self-attacked copy when the attack is known', async () => {
    const sizeBefore = attack.graph.size;
    let seenSize = -1;
    const det = await detectAdversarialEdges(attack.graph, {
      numSubgraphs: 3,
      linkPredictor: { epochs: 40 },
      seed: 2,
      calibration: {
        attack: (g) => {
          seenSize = g.size;
          return plantInterClass(g, Math.round(0.05 * g.size), 99);
        },
        suspects: 12,
      },
    });
    const cal = det.detailed.calibration;
    expect(cal).not.toBeNull();
    // The attack ran on a copy without the 12 top-scored edges (fewer only where a removal would
    // strand a node); the caller's graph is untouched.
    expect(seenSize).toBeLessThanOrEqual(sizeBefore);
    expect(seenSize).toBeGreaterThanOrEqual(sizeBefore - 12);
    expect(attack.graph.size).toBe(sizeBefore);
    expect(cal?.injected).toBe(Math.round(0.05 * seenSize));
    expect(cal?.excluded).toBeLessThanOrEqual(12 - (sizeBefore - seenSize));
    expect(cal?.featureNames.slice(0, 5)).toEqual([
      'combined',
      'linkRank',
      'featureDissimilarityRank',
      'labelDistanceRank',
      'outlierRank',
    ]);
    expect(cal?.weights).toHaveLength((cal?.featureNames.length ?? 0) + 1);
    expect(rocAuc(det.scores, truth(det.edges, attack.flips))).toBeGreaterThan(0.75);
  });

  it('labels from the features-only model do not depend on the edges; the graph GCN labels do', async () => {
    const other = plantInterClass(clean, Math.round(0.05 * clean.size), 2).graph;
    const opts = { numSubgraphs: 1, linkPredictor: { epochs: 5 }, outlier: 'off' as const, seed: 4 };
    const shared = async (labelModel: 'features' | 'graph'): Promise<[number[], number[]]> => {
      const d1 = await detectAdversarialEdges(attack.graph, { ...opts, labelModel });
      const d2 = await detectAdversarialEdges(other, { ...opts, labelModel });
      const at = new Map(
        d2.edges.map((e, i) => [`${e.source}|${e.target}`, d2.detailed.labelDistance?.[i] ?? -1]),
      );
      const a: number[] = [];
      const b: number[] = [];
      d1.edges.forEach((e, i) => {
        const v = at.get(`${e.source}|${e.target}`);
        if (v !== undefined) {
          a.push(d1.detailed.labelDistance?.[i] ?? -2);
          b.push(v);
        }
      });
      return [a, b];
    };
    const [fa, fb] = await shared('features');
    expect(fa.length).toBeGreaterThan(clean.size * 0.9);
    expect(fa).toEqual(fb);
    const [ga, gb] = await shared('graph');
    expect(ga).not.toEqual(gb);
    // 'pruned' scoring equals 'full' when the outlier step excludes nothing.
    const full = await detectAdversarialEdges(attack.graph, { ...opts, numSubgraphs: 2 });
    const pruned = await detectAdversarialEdges(attack.graph, {
      ...opts,
      numSubgraphs: 2,
      scoringGraph: 'pruned',
    });
    expect(Array.from(pruned.scores)).toEqual(Array.from(full.scores));
  });

  it('rejects directed graphs, missing features and bad options with clear errors', async () => {
    await expect(
      detectAdversarialEdges(attack.graph, { seed: 1, labelModel: 'mlp' as 'graph' }),
    ).rejects.toThrow(/options.labelModel/);
    const directed = new Graph({ type: 'directed' });
    directed.addNode('a', { features: [1], label: 0 });
    await expect(detectAdversarialEdges(directed as unknown as LabeledGraph, { seed: 1 })).rejects.toThrow(
      /undirected/,
    );
    const noFeatures = new Graph({ type: 'undirected' }) as unknown as LabeledGraph;
    noFeatures.addNode('a', { label: 0 } as never);
    noFeatures.addNode('b', { label: 1 } as never);
    noFeatures.addEdge('a', 'b');
    await expect(detectAdversarialEdges(noFeatures, { seed: 1 })).rejects.toThrow(/features/);
    await expect(detectAdversarialEdges(attack.graph, { seed: 1, rate: 0 })).rejects.toThrow(
      /detectAdversarialEdges: argument 'options.rate'/,
    );
    await expect(
      detectAdversarialEdges(attack.graph, { seed: 1, budget: attack.graph.size + 1 }),
    ).rejects.toThrow(/options.budget/);
    await expect(
      detectAdversarialEdges(attack.graph, { seed: 1, aggregation: 'max' as 'min' }),
    ).rejects.toThrow(LabInputError);
    await expect(detectAdversarialEdges(attack.graph, { seed: 1, calibration: {} as never })).rejects.toThrow(
      /calibration/,
    );
    await expect(
      detectAdversarialEdges(attack.graph, {
        ...FAST,
        seed: 1,
        calibration: { attack: (g) => plantInterClass(g, 3, 1), suspects: -1 },
      }),
    ).rejects.toThrow(/options.calibration.suspects/);
    await expect(detectAdversarialEdges(attack.graph, null as never)).rejects.toThrow(
      /detectAdversarialEdges: argument 'options' must be an options object/,
    );
    await expect(detectAdversarialEdges(attack.graph, { seed: 1, numSubgrafs: 2 } as never)).rejects.toThrow(
      /argument 'options.numSubgrafs' is not an option of detectAdversarialEdges/,
    );
    await expect(
      detectAdversarialEdges(attack.graph, { seed: 1, linkPredictor: { epoch: 5 } } as never),
    ).rejects.toThrow(/options.linkPredictor.epoch/);
    await expect(
      detectAdversarialEdges(attack.graph, { seed: 1, linkPredictor: null } as never),
    ).rejects.toThrow(/options.linkPredictor/);
    await expect(
      detectAdversarialEdges(attack.graph, { seed: 1, numSubgraphs: '2' } as never),
    ).rejects.toThrow(/options.numSubgraphs' must be an integer/);
    await expect(
      detectAdversarialEdges(attack.graph, { seed: 1, signalWeights: 1 } as never),
    ).rejects.toThrow(/options.signalWeights/);
    await expect(
      detectAdversarialEdges(attack.graph, { seed: 1, onProgress: 'log' } as never),
    ).rejects.toThrow(/options.onProgress' must be a function/);
    await expect(detectAdversarialEdges(attack.graph, { seed: Number.NaN })).rejects.toThrow(/options.seed/);
    await expect(detectAdversarialEdges(attack.graph, { seed: 1, rng: createRng(1) })).rejects.toThrow(
      /at most one of seed and rng/,
    );
    await expect(
      detectAdversarialEdges(attack.graph, {
        seed: 1,
        outlier: 'off',
        classProbabilities: new Float32Array(3),
      }),
    ).rejects.toThrow(/options.classProbabilities/);
    for (const bad of [null, 7, 'x', [], { numSubgraphs: 0 }]) {
      await expect(detectAdversarialEdges(attack.graph, bad as never)).rejects.toThrow(LabInputError);
    }
  });

  it('takes the seed convention: rng: createRng(s) gives the same scores as seed: s', async () => {
    const opts = { numSubgraphs: 1, linkPredictor: { epochs: 5 }, outlier: 'off' as const };
    const bySeed = await detectAdversarialEdges(attack.graph, { ...opts, seed: 5 });
    const byRng = await detectAdversarialEdges(attack.graph, { ...opts, rng: createRng(5) });
    expect(Array.from(byRng.scores)).toEqual(Array.from(bySeed.scores));
  });
});
