import { initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyEdgeFlips } from '../src/applyEdgeFlips.js';
import { contextualSbm } from '../src/contextualSbm.js';
import { evaluateAttack } from '../src/evaluateAttack.js';
import type { EdgeFlip } from '../src/graphTypes.js';

beforeAll(async () => {
  await initBackend();
});

const g = contextualSbm({
  nodes: 200,
  classes: 2,
  avgDegree: 6,
  homophily: 0.9,
  featureDim: 8,
  featureSignal: 1,
  seed: 1,
});

describe('evaluateAttack', () => {
  it('reports no drop for an unperturbed graph, in both settings, without leaks', async () => {
    const before = tf.memory().numTensors;
    for (const setting of ['evasion', 'poisoning'] as const) {
      for (const victim of ['gcn', 'sgc'] as const) {
        const r = await evaluateAttack(g, g, { setting, victim, seed: 1, gcn: { epochs: 60 } });
        expect(r.drop).toBe(0);
        expect(r.runs.length).toBe(1);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('measures a drop when many inter-class edges are inserted', async () => {
    const flips: EdgeFlip[] = [];
    for (let i = 0; i < 200 && flips.length < 400; i++) {
      for (let j = i + 1; j < 200 && flips.length < 400; j += 7) {
        const a = String(i);
        const b = String(j);
        if (g.getNodeAttribute(a, 'label') !== g.getNodeAttribute(b, 'label') && !g.hasEdge(a, b)) {
          flips.push({ source: a, target: b, op: 'add' });
        }
      }
    }
    const attacked = applyEdgeFlips(g, flips);
    const ev = await evaluateAttack(g, attacked, {
      setting: 'evasion',
      seed: 2,
      runs: 2,
      gcn: { epochs: 100 },
    });
    expect(ev.runs.length).toBe(2);
    expect(ev.drop).toBeGreaterThan(0.05);
    expect(ev.drop).toBeCloseTo(ev.cleanAccuracy - ev.attackedAccuracy, 12);
    const po = await evaluateAttack(g, attacked, { setting: 'poisoning', seed: 2, gcn: { epochs: 100 } });
    expect(po.drop).toBeGreaterThan(0.05);
  });

  it('rejects graphs with different nodes and bad options', async () => {
    const other = g.copy();
    other.dropNode('5');
    await expect(evaluateAttack(g, other, { setting: 'evasion', seed: 1 })).rejects.toThrow(
      /evaluateAttack: argument 'graph'/,
    );
    await expect(evaluateAttack(g, g, { setting: 'x' as 'evasion', seed: 1 })).rejects.toThrow(
      /options.setting/,
    );
    await expect(evaluateAttack(g, g, { setting: 'evasion', seed: 1, runs: 0 })).rejects.toThrow(
      /options.runs/,
    );
  });
});
