import { graphArrays, LabInputError, loadGraphFolder, resolveDataDir, type LabeledGraph } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type PartitionMethod, partitionGraph } from '../src/partitionGraph.js';
import { partitionStats } from '../src/partitionStats.js';
import { smallGraph } from './helpers.js';

const METHODS: PartitionMethod[] = ['louvain', 'random', 'dirichlet'];

/** Checks every invariant of a partition against the graph by brute force. */
function checkPartition(g: LabeledGraph, part: ReturnType<typeof partitionGraph>): void {
  const a = graphArrays(g);
  const N = part.numClients;
  expect(part.nodes).toEqual(a.nodes);
  expect(part.clients.length).toBe(N);
  const seen = new Map<string, number>();
  const splitName = ['none', 'train', 'val', 'test'];
  for (const c of part.clients) {
    expect(c.nodes.length).toBeGreaterThan(0);
    const idx = c.nodes.map((k) => a.index.get(k) as number);
    for (let p = 1; p < idx.length; p++) expect(idx[p]).toBeGreaterThan(idx[p - 1] as number);
    idx.forEach((i, p) => {
      expect(seen.has(c.nodes[p] as string)).toBe(false);
      seen.set(c.nodes[p] as string, c.id);
      expect(part.assignment[i]).toBe(c.id);
      expect(Array.from(c.features.subarray(p * c.numFeatures, (p + 1) * c.numFeatures))).toEqual(
        Array.from(a.features.subarray(i * a.numFeatures, (i + 1) * a.numFeatures)),
      );
      expect(c.labels[p]).toBe(a.labels[i]);
      const s = g.getNodeAttribute(a.nodes[i] as string, 'split') ?? 'none';
      expect(splitName[c.split[p] as number]).toBe(s);
    });
  }
  expect(seen.size).toBe(a.numNodes);
  // Local edges + cut edges reconstruct the edge set exactly.
  const rebuilt: string[] = [];
  for (const c of part.clients) {
    for (let e = 0; e < c.localEdges.length; e += 2) {
      const u = c.localEdges[e] as number;
      const v = c.localEdges[e + 1] as number;
      expect(u).toBeLessThan(v);
      rebuilt.push([c.nodes[u], c.nodes[v]].sort().join('|'));
    }
    for (let e = 0; e < c.remoteEdges.local.length; e++) {
      const owner = c.remoteEdges.remoteClient[e] as number;
      const other = c.remoteEdges.remoteNode[e] as string;
      expect(owner).not.toBe(c.id);
      expect(seen.get(other)).toBe(owner);
      const mine = c.nodes[c.remoteEdges.local[e] as number] as string;
      if (mine < other) rebuilt.push([mine, other].join('|'));
    }
  }
  const want = g.mapEdges((_e, _a, s, t) => [s, t].sort().join('|'));
  expect(rebuilt.sort()).toEqual(want.sort());
}

describe('partitionGraph on small graphs (brute force)', () => {
  for (const method of METHODS) {
    it(`${method}: every node in exactly one client, data copied, edges reconstructed`, () => {
      for (const seed of [1, 2, 3]) {
        const g = smallGraph(40, 0.1, seed);
        const before = JSON.stringify(g.export());
        for (const N of [2, 3, 7]) checkPartition(g, partitionGraph(g, { numClients: N, method, seed }));
        expect(JSON.stringify(g.export())).toBe(before);
      }
    });
  }
  it('numClients = number of nodes gives one node per client (rebalanced)', () => {
    const g = smallGraph(6, 0.5, 4);
    for (const method of METHODS) {
      const part = partitionGraph(g, { numClients: 6, method });
      checkPartition(g, part);
      for (const c of part.clients) expect(c.nodes.length).toBe(1);
    }
  });
  it('random splits into near-equal parts', () => {
    const part = partitionGraph(smallGraph(41, 0.1, 5), { numClients: 4, method: 'random' });
    for (const c of part.clients) expect([10, 11]).toContain(c.nodes.length);
  });
  it('louvain on two disjoint cliques with 2 clients cuts nothing', () => {
    const g = smallGraph(0, 0, 0);
    for (let i = 0; i < 10; i++) g.addNode(`n${i}`, { features: [i], label: i < 5 ? 0 : 1 });
    for (let i = 0; i < 10; i++)
      for (let j = i + 1; j < 10; j++) if (i < 5 === j < 5) g.addEdge(`n${i}`, `n${j}`);
    const part = partitionGraph(g, { numClients: 2, method: 'louvain' });
    expect(part.stats.cutEdges).toBe(0);
    expect(part.stats.labelSkew).toBeCloseTo(0.5, 12);
  });
  it('is deterministic per seed, and different for a different seed', () => {
    const g = smallGraph(60, 0.08, 6);
    for (const method of METHODS) {
      const a = partitionGraph(g, { numClients: 3, method, seed: 'x' }).assignment;
      expect(partitionGraph(g, { numClients: 3, method, seed: 'x' }).assignment).toEqual(a);
      // Louvain on a graph this small often finds the same communities for every seed (tested on Cora).
      if (method !== 'louvain')
        expect(partitionGraph(g, { numClients: 3, method, seed: 'y' }).assignment).not.toEqual(a);
    }
  });
  it('fails fast on bad options', () => {
    const g = smallGraph(10, 0.2, 7);
    const bad: unknown[] = [
      undefined,
      null,
      { numClients: 1, method: 'random' },
      { numClients: 11, method: 'random' },
      { numClients: 2.5, method: 'random' },
      { numClients: 2, method: 'metis' },
      { numClients: 2 },
      { numClients: 2, method: 'dirichlet', alpha: 0 },
      { numClients: 2, method: 'louvain', resolution: -1 },
      { numClients: 2, method: 'random', seed: 1, rng: 2 },
      { numClients: 2, method: 'random', numclients: 2 },
    ];
    for (const o of bad) {
      expect(() => partitionGraph(g, o as never), JSON.stringify(o)).toThrow(LabInputError);
    }
    expect(() => partitionGraph({} as never, { numClients: 2, method: 'random' })).toThrow(LabInputError);
  });
});

describe('partitionStats', () => {
  it('matches brute-force counts', () => {
    const g = smallGraph(50, 0.1, 8);
    const a = graphArrays(g);
    const part = partitionGraph(g, { numClients: 4, method: 'dirichlet', alpha: 0.3 });
    const s = partitionStats(part);
    expect(partitionStats(part.clients)).toEqual(s);
    expect(part.stats).toEqual(s);
    expect(s.numNodes).toBe(a.numNodes);
    expect(s.numEdges).toBe(a.numEdges);
    let cut = 0;
    for (let e = 0; e < a.numEdges; e++)
      if (part.assignment[a.edges[2 * e] as number] !== part.assignment[a.edges[2 * e + 1] as number]) cut++;
    expect(s.cutEdges).toBe(cut);
    expect(s.cutShare).toBe(cut / a.numEdges);
    const global = new Array(a.numClasses).fill(0);
    for (const l of a.labels) if (l >= 0) global[l]++;
    const gTotal = global.reduce((x, y) => x + y, 0);
    let skew = 0;
    let m = 0;
    for (let k = 0; k < 4; k++) {
      const ids = [...a.labels.keys()].filter((i) => part.assignment[i] === k);
      const cs = s.clients[k]!;
      expect(cs.nodes).toBe(ids.length);
      expect(cs.train).toBe(ids.filter((i) => a.train.includes(i)).length);
      expect(cs.val).toBe(ids.filter((i) => a.val.includes(i)).length);
      expect(cs.test).toBe(ids.filter((i) => a.test.includes(i)).length);
      const h = new Array(a.numClasses).fill(0);
      for (const i of ids) if ((a.labels[i] as number) >= 0) h[a.labels[i] as number]++;
      expect(cs.labelHistogram).toEqual(h);
      let lc = 0;
      let cc = 0;
      for (let e = 0; e < a.numEdges; e++) {
        const x = part.assignment[a.edges[2 * e] as number] === k;
        const y = part.assignment[a.edges[2 * e + 1] as number] === k;
        if (x && y) lc++;
        else if (x || y) cc++;
      }
      expect(cs.localEdges).toBe(lc);
      expect(cs.cutEdges).toBe(cc);
      const n = h.reduce((x: number, y: number) => x + y, 0);
      if (n > 0) {
        skew +=
          0.5 * h.reduce((t: number, v: number, j: number) => t + Math.abs(v / n - global[j] / gTotal), 0);
        m++;
      }
    }
    expect(s.labelSkew).toBeCloseTo(skew / m, 12);
  });
  it('rejects what is not a partition', () => {
    expect(() => partitionStats([] as never)).toThrow(LabInputError);
    expect(() => partitionStats({} as never)).toThrow(LabInputError);
    expect(() => partitionStats([{ id: 0 }] as never)).toThrow(LabInputError);
  });
});

describe('partitionGraph on Cora', () => {
  let cora: LabeledGraph;
  beforeAll(async () => {
    cora = await loadGraphFolder(resolveDataDir('graphs', 'cora'));
  });
  it('5 clients: Louvain cuts far fewer edges than random (~1 - 1/N); invariants hold', () => {
    const lv = partitionGraph(cora, { numClients: 5, method: 'louvain', seed: 1 });
    const rd = partitionGraph(cora, { numClients: 5, method: 'random', seed: 1 });
    checkPartition(cora, lv);
    expect(partitionGraph(cora, { numClients: 5, method: 'louvain', seed: 1 }).assignment).toEqual(
      lv.assignment,
    );
    expect(partitionGraph(cora, { numClients: 5, method: 'louvain', seed: 2 }).assignment).not.toEqual(
      lv.assignment,
    );
    checkPartition(cora, rd);
    // Random: each edge is cut with probability ~ 1 - 1/N; 0.03 covers the sampling spread on ~5k edges.
    expect(Math.abs(rd.stats.cutShare - 0.8)).toBeLessThan(0.03);
    expect(lv.stats.cutShare).toBeLessThan(rd.stats.cutShare / 3);
    // Balanced packing: no client above twice the mean.
    for (const c of lv.clients) expect(c.nodes.length).toBeLessThan((2 * 2708) / 5);
  });
  it('Dirichlet alpha 0.1 is far more label-skewed than alpha 100', () => {
    const lo = partitionGraph(cora, { numClients: 5, method: 'dirichlet', alpha: 0.1 }).stats.labelSkew;
    const hi = partitionGraph(cora, { numClients: 5, method: 'dirichlet', alpha: 100 }).stats.labelSkew;
    expect(hi).toBeLessThan(0.1);
    expect(lo).toBeGreaterThan(0.4);
  });
});
