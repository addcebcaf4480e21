import type { EdgeFlip } from '@lab/graph-defense';
import { describe, expect, it } from 'vitest';
import { nodePairKey } from '@lab/graph-defense';
import {
  type AttackName,
  type Detection,
  type DetectorName,
  detectionAuc,
  gridMetrics,
  rateKey,
  runGrid,
  type Toolkit,
} from '../src/grid.js';
import { summaryRows } from '../src/render.js';

/** A toy graph: node ids and a set of undirected edges. */
interface Toy {
  nodes: string[];
  edges: Set<string>;
}

const ring = (n: number): Toy => ({
  nodes: Array.from({ length: n }, (_, i) => String(i)),
  edges: new Set(Array.from({ length: n }, (_, i) => nodePairKey(String(i), String((i + 1) % n)))),
});

/**
 * A fake toolkit with known answers: every attack adds chords (i, i + 2) and, for DICE, also
 * removes one ring edge; `edog` scores chords 1 and ring edges 0 (a perfect detector, AUC 1),
 * `degree` the reverse (AUC 0); accuracy = fraction of ring edges, so attacks lower it.
 */
const toolkit: Toolkit<Toy> = {
  async attack(name: AttackName, g: Toy, { rate }) {
    const budget = Math.round(rate * g.edges.size);
    const flips: EdgeFlip[] = [];
    const edges = new Set(g.edges);
    const n = g.nodes.length;
    for (let i = 0; flips.length < budget; i++) {
      if (name === 'dice' && i === 0) {
        flips.push({ source: '0', target: '1', op: 'remove' });
        edges.delete(nodePairKey('0', '1'));
        continue;
      }
      const a = String(i % n);
      const b = String((i + 2) % n);
      flips.push({ source: a, target: b, op: 'add' });
      edges.add(nodePairKey(a, b));
    }
    return { graph: { nodes: g.nodes, edges }, flips };
  },
  async detect(name: DetectorName, g: Toy): Promise<Detection> {
    const scores = [...g.edges].map((k) => {
      const [s, t] = k.split('\u0000') as [string, string];
      const d = Math.abs(Number(s) - Number(t));
      const chord = d === 2 || d === g.nodes.length - 2 ? 1 : 0;
      return { source: s, target: t, score: name === 'degree' ? -chord : chord };
    });
    return { scores, flagged: scores.filter((e) => e.score > 0.5) };
  },
  async victim(g: Toy) {
    const ring = [...g.edges].filter((k) => {
      const [s, t] = k.split('\u0000').map(Number) as [number, number];
      return Math.abs(s - t) === 1 || Math.abs(s - t) === g.nodes.length - 1;
    }).length;
    return { accuracy: ring / g.edges.size };
  },
  removeEdges(g: Toy, edges) {
    const out = new Set(g.edges);
    for (const e of edges) out.delete(nodePairKey(e.source, e.target));
    return { nodes: g.nodes, edges: out };
  },
  numEdges: (g: Toy) => g.edges.size,
};

describe('detectionAuc', () => {
  it('scores added edges as positives and ignores removals', () => {
    const scores = [
      { source: '0', target: '1', score: 0.1 },
      { source: '1', target: '2', score: 0.9 },
      { source: '2', target: '3', score: 0.5 },
    ];
    const flips: EdgeFlip[] = [
      { source: '2', target: '1', op: 'add' },
      { source: '5', target: '6', op: 'remove' },
    ];
    expect(detectionAuc(scores, flips)).toBe(1);
    // positive ranked between the two negatives: 1 of 2 pairs ordered correctly
    expect(detectionAuc(scores, [{ source: '2', target: '3', op: 'add' }])).toBe(0.5);
    expect(detectionAuc(scores, [{ source: '5', target: '6', op: 'remove' }])).toBeNull();
  });
});

describe('runGrid and the report.json key layout', () => {
  it('writes every documented key with the known answers of the fake toolkit', async () => {
    const progress: string[] = [];
    const grid = await runGrid(toolkit, {
      datasets: [{ name: 'toy', description: 'ring of 40', graph: ring(40) }],
      attacks: ['random', 'dice'],
      rates: [0.05, 0.2],
      detectors: ['edog', 'degree'],
      seed: 1,
      quick: true,
      onProgress: (d, t, label) => {
        progress.push(`${d}/${t} ${label}`);
      },
    });
    expect(progress).toEqual([
      '1/4 toy random 5%',
      '2/4 toy dice 5%',
      '3/4 toy random 20%',
      '4/4 toy dice 20%',
    ]);
    // table order: attack, then rate
    expect(grid.cells.map((c) => `${c.attack} ${c.rateKey}`)).toEqual([
      'random 5',
      'random 20',
      'dice 5',
      'dice 20',
    ]);
    const m = gridMetrics(grid);
    expect(m['accuracy.toy.clean']).toBe(1);
    expect(m['edges.toy']).toBe(40);
    expect(m['auc.toy.random.5.edog']).toBe(1);
    expect(m['auc.toy.random.5.degree']).toBe(0);
    // DICE 5 % = 2 flips: one removal, one addition
    expect(m['flips.toy.dice.5.added']).toBe(1);
    expect(m['flips.toy.dice.5.removed']).toBe(1);
    expect(m['auc.toy.dice.20.edog']).toBe(1);
    expect(m['accuracy.toy.random.20.attacked']).toBeCloseTo(40 / 48, 12);
    // the perfect detector's flags remove exactly the 8 chords: accuracy back to 1
    expect(m['accuracy.toy.random.20.defended']).toBe(1);
    expect(m['defence.toy.random.20.removed']).toBe(8);
    expect(m['defence.toy.random.20.adversarialRemoved']).toBe(8);
    for (const k of [
      'timeMs.toy.dice.5.attack',
      'timeMs.toy.dice.5.accuracy',
      'timeMs.toy.dice.5.detect.edog',
    ]) {
      expect(typeof m[k]).toBe('number');
    }
    const keys = Object.keys(m);
    const pattern =
      /^(accuracy\.toy\.clean|edges\.toy|auc\.toy\.(random|dice)\.(5|20)\.(edog|degree)|accuracy\.toy\.(random|dice)\.(5|20)\.(clean|attacked|defended)|flips\.toy\.(random|dice)\.(5|20)\.(added|removed)|defence\.toy\.(random|dice)\.(5|20)\.(removed|adversarialRemoved)|timeMs\.toy\.(random|dice)\.(5|20)\.(attack|accuracy|detect\.(edog|degree)))$/;
    expect(keys.filter((k) => !pattern.test(k))).toEqual([]);
    expect(keys).toHaveLength(2 + 4 * (2 + 3 + 2 + 2 + 4));

    const rows = summaryRows(grid, 'toy', 12.5);
    const labels = rows.map((r) => r.label);
    expect(labels).toContain('EDoG AUC, toy, random 5 %, no attack knowledge');
    expect(rows.find((r) => r.label.startsWith('EDoG (no knowledge) AUC above'))?.value).toBe(
      '4/4 cells (met)',
    );
    expect(rows.find((r) => r.label.startsWith('EDoG on Cora'))?.value).toBe('12.5 (met)');
  });

  it('formats rates as percentages', () => {
    expect([0.01, 0.05, 0.1, 0.2, 0.005].map(rateKey)).toEqual(['1', '5', '10', '20', '0_5']);
  });
});
