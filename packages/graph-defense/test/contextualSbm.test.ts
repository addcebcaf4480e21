import { graphArrays } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { contextualSbm } from '../src/contextualSbm.js';

// Tolerances in standard errors: 5 sigma keeps a correct generator from failing by chance
// (two-sided p ~ 6e-7) while a wrong probability formula is off by many sigma.
const SIGMAS = 5;

describe('contextualSbm', () => {
  it('realises the requested mean degree and homophily within sampling error', () => {
    for (const [n, classes, d, h] of [
      [1200, 4, 8, 0.8],
      [900, 3, 5, 0.3],
      [600, 2, 12, 0.5],
    ] as const) {
      const g = contextualSbm({
        nodes: n,
        classes,
        avgDegree: d,
        homophily: h,
        featureDim: 8,
        featureSignal: 1,
        seed: n,
      });
      const a = graphArrays(g);
      const expectedEdges = (n * d) / 2;
      // |E| is a sum of independent Bernoullis with small p: variance ~ its mean.
      expect(Math.abs(a.numEdges - expectedEdges)).toBeLessThan(SIGMAS * Math.sqrt(expectedEdges));
      let intra = 0;
      for (let e = 0; e < a.numEdges; e++)
        if (a.labels[a.edges[2 * e] as number] === a.labels[a.edges[2 * e + 1] as number]) intra++;
      const realised = intra / a.numEdges;
      expect(Math.abs(realised - h)).toBeLessThan(SIGMAS * Math.sqrt((h * (1 - h)) / a.numEdges));
      // Balanced classes.
      const counts = new Array(classes).fill(0);
      for (const y of a.labels) counts[y]++;
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
  });

  it('puts Gaussian class means featureSignal apart', () => {
    const dim = 16;
    const s = 2;
    const g = contextualSbm({
      nodes: 1000,
      classes: 2,
      avgDegree: 4,
      homophily: 0.5,
      featureDim: dim,
      featureSignal: s,
      seed: 3,
    });
    const a = graphArrays(g);
    const mean = [new Float64Array(dim), new Float64Array(dim)];
    const count = [0, 0];
    for (let i = 0; i < a.numNodes; i++) {
      const y = a.labels[i] as 0 | 1;
      count[y]++;
      for (let j = 0; j < dim; j++) (mean[y] as Float64Array)[j] += a.features[i * dim + j] as number;
    }
    let d2 = 0;
    for (let j = 0; j < dim; j++)
      d2 += ((mean[0] as Float64Array)[j] / count[0] - (mean[1] as Float64Array)[j] / count[1]) ** 2;
    // E||m0 - m1||^2 = s^2 + dim (1/n0 + 1/n1); its sd is ~ 2 s / sqrt(n/4) + small, ~0.13 here.
    const expected = s * s + dim * (1 / count[0] + 1 / count[1]);
    expect(Math.abs(d2 - expected)).toBeLessThan(0.6);
  });

  it('boosts a class block of binary features', () => {
    const g = contextualSbm({
      nodes: 600,
      classes: 3,
      avgDegree: 4,
      homophily: 0.7,
      featureDim: 30,
      featureSignal: 3,
      features: 'binary',
      featureDensity: 0.1,
      seed: 'b',
    });
    const a = graphArrays(g);
    let own = 0;
    let ownN = 0;
    let other = 0;
    let otherN = 0;
    let binary = true;
    for (let i = 0; i < a.numNodes; i++) {
      const y = a.labels[i] as number;
      for (let j = 0; j < 30; j++) {
        const v = a.features[i * 30 + j] as number;
        if (v !== 0 && v !== 1) binary = false;
        if (Math.floor(j / 10) === y) {
          own += v;
          ownN++;
        } else {
          other += v;
          otherN++;
        }
      }
    }
    expect(binary).toBe(true);
    expect(Math.abs(own / ownN - 0.4)).toBeLessThan(SIGMAS * Math.sqrt((0.4 * 0.6) / ownN));
    expect(Math.abs(other / otherN - 0.1)).toBeLessThan(SIGMAS * Math.sqrt((0.1 * 0.9) / otherN));
  });

  it('is deterministic, carries a stratified split, and validates its options', () => {
    const opts = {
      nodes: 200,
      classes: 2,
      avgDegree: 4,
      homophily: 0.8,
      featureDim: 4,
      featureSignal: 1,
      seed: 7,
    };
    const a = graphArrays(contextualSbm(opts));
    const b = graphArrays(contextualSbm(opts));
    const c = graphArrays(contextualSbm({ ...opts, seed: 8 }));
    expect(Array.from(a.edges)).toEqual(Array.from(b.edges));
    expect(Array.from(a.features)).toEqual(Array.from(b.features));
    expect(Array.from(a.edges)).not.toEqual(Array.from(c.edges));
    expect([a.train.length, a.val.length, a.test.length]).toEqual([20, 20, 160]);
    expect(() => contextualSbm({ ...opts, homophily: 1.5 })).toThrow(
      /contextualSbm: argument 'options.homophily'/,
    );
    expect(() => contextualSbm({ ...opts, avgDegree: 150 })).toThrow(/probabilities <= 1/);
    expect(() => contextualSbm({ ...opts, featureDim: 1 })).toThrow(/featureDim/);
    expect(() => contextualSbm({ ...opts, nodes: 3 })).toThrow(/options.nodes/);
  });
});
