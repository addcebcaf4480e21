import { LabFormatError, resolveDataDir } from '../src/index.js';
import { describe, expect, it } from 'vitest';
import { graphArrays } from '../src/graph/graphArrays.js';
import { largestConnectedComponent } from '../src/graph/largestConnectedComponent.js';
import { loadGraphFolder } from '../src/graph/loadGraphFolder.js';
import { smallGraph } from './graphHelpers.js';

const CORA = resolveDataDir('graphs', 'cora');

describe('loadGraphFolder', () => {
  it('loads Cora as an undirected graphology graph with features, labels and the Planetoid split', async () => {
    const g = await loadGraphFolder(CORA);
    expect(g.type).toBe('undirected');
    expect(g.order).toBe(2708);
    expect(g.size).toBe(5278);
    expect(g.getAttribute('numClasses' as never)).toBe(7);
    const a = g.getNodeAttributes('0');
    expect(a.features).toBeInstanceOf(Float32Array);
    expect(a.features.length).toBe(1433);
    expect(a.label).toBe(3);
    expect(a.split).toBe('train');
    const arr = graphArrays(g);
    expect([arr.train.length, arr.val.length, arr.test.length]).toEqual([140, 500, 1000]);
    expect(arr.numClasses).toBe(7);
    // Node '0' links to 633, 1862, 2582 in edges.csv.
    expect(g.neighbors('0').sort()).toEqual(['1862', '2582', '633']);
    // Binary bag-of-words features.
    expect(Array.from(arr.features).every((v) => v === 0 || v === 1)).toBe(true);
  });

  it('keeps the largest connected component on request (Cora: 2485 nodes, 5069 edges)', async () => {
    const g = await loadGraphFolder(CORA, { largestComponent: true });
    expect(g.order).toBe(2485);
    expect(g.size).toBe(5069);
  });

  it('reports a missing folder and bad arguments', async () => {
    await expect(loadGraphFolder('/nonexistent/graph')).rejects.toThrow(/loadGraphFolder/);
    await expect(loadGraphFolder('')).rejects.toThrow(/argument 'dir'/);
    await expect(loadGraphFolder(resolveDataDir('graphs'))).rejects.toThrow(/nodes\.csv/);
    expect(LabFormatError).toBeDefined();
  });
});

describe('largestConnectedComponent', () => {
  it('keeps the biggest component with attributes, order and edges, input untouched', () => {
    const g = smallGraph(7, [
      [0, 1],
      [2, 3],
      [3, 4],
      [4, 2],
      [5, 6],
    ]);
    const lcc = largestConnectedComponent(g);
    expect(lcc.nodes()).toEqual(['2', '3', '4']);
    expect(lcc.size).toBe(3);
    expect(lcc.getNodeAttribute('3', 'label')).toBe(1);
    expect(g.order).toBe(7);
  });
});
