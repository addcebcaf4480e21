import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabInputError } from '../src/errors.js';
import { LabFormatError } from '../src/io/LabFormatError.js';
import { loadGraphFolder } from '../src/graph/loadGraphFolder.js';
import { graphArrays } from '../src/graph/graphArrays.js';
import { parseGraphFolder, type GraphFolderFiles } from '../src/io/parseGraphFolder.js';
import { resolveDataDir } from '../src/io/resolveDataDir.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const filesOf = (dir: string): GraphFolderFiles => ({
  nodes: readFileSync(join(dir, 'nodes.csv'), 'utf8'),
  edges: readFileSync(join(dir, 'edges.csv'), 'utf8'),
  features: readFileSync(join(dir, 'features.txt'), 'utf8'),
  meta: readFileSync(join(dir, 'meta.json'), 'utf8'),
});
const tinyFiles = (): GraphFolderFiles => {
  const dir = join(FIXTURES, 'graph-tiny');
  return {
    nodes: readFileSync(join(dir, 'nodes.csv'), 'utf8'),
    edges: readFileSync(join(dir, 'edges.csv'), 'utf8'),
    features: readFileSync(join(dir, 'features.txt'), 'utf8'),
    meta: readFileSync(join(dir, 'meta.json'), 'utf8'),
  };
};

function expectFormatError(fn: () => unknown, pattern: RegExp, line?: number): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a LabFormatError').toBeInstanceOf(LabFormatError);
  expect(caught).toBeInstanceOf(LabInputError);
  expect((caught as Error).message).toMatch(pattern);
  if (line !== undefined) expect((caught as LabFormatError).line).toBe(line);
}

describe('parseGraphFolder on Cora', () => {
  it('matches the published statistics and the raw files', async () => {
    const dir = resolveDataDir('graphs', 'cora');
    const g = parseGraphFolder(filesOf(dir), { name: 'cora' });
    expect(g.name).toBe('cora');
    expect([g.numNodes, g.numEdges, g.numFeatures, g.numClasses]).toEqual([2708, 5278, 1433, 7]);
    expect([g.trainIndex.length, g.valIndex.length, g.testIndex.length]).toEqual([140, 500, 1000]);
    expect(g.ids.length).toBe(2708);
    expect(g.edgeSource.length).toBe(5278);
    expect(g.featureIndptr.length).toBe(2709);
    expect(g.featureIndptr[2708]).toBe(g.featureIndices.length);
    // Brute-force cross-check against the raw text.
    const rawEdges = readFileSync(join(dir, 'edges.csv'), 'utf8').trim().split('\n').slice(1);
    rawEdges.forEach((l, e) => {
      const [s, t] = l.split(',').map(Number);
      expect([g.edgeSource[e], g.edgeTarget[e]]).toEqual([s, t]);
    });
    const rawFeat = readFileSync(join(dir, 'features.txt'), 'utf8').trim().split('\n');
    let nnz = 0;
    for (const l of rawFeat) nnz += l.trim().split(/\s+/).length;
    expect(g.featureIndices.length).toBe(nnz);
    const row5 = rawFeat[5]!
      .split(' ')
      .map(Number)
      .sort((a, b) => a - b);
    expect(Array.from(g.featureIndices.subarray(g.featureIndptr[5], g.featureIndptr[6]))).toEqual(row5);
    expect(g.featureValues.every((v) => v === 1)).toBe(true);
    // Split indices agree with the split array and labels are in range.
    for (const i of g.trainIndex) expect(g.split[i]).toBe('train');
    expect(Math.max(...g.labels)).toBe(6);
    expect(g.meta.name).toBe('cora');
  });
});

describe('parseGraphFolder', () => {
  it('loads a tiny folder as a LabeledGraph', async () => {
    const graph = await loadGraphFolder(join(FIXTURES, 'graph-tiny'));
    expect(graph.type).toBe('undirected');
    expect(graph.getAttribute('name' as never)).toBe('tiny');
    expect(graph.nodes()).toEqual(['a', 'b', 'c', 'd']);
    expect(graph.getNodeAttributes('c')).toEqual({ features: Float32Array.from([0, 0.5, 0, 1]), label: -1 });
    const a = graphArrays(graph);
    expect(Array.from(a.edges)).toEqual([0, 1, 0, 3, 1, 2]);
    expect([a.numFeatures, a.numClasses, a.train.length, a.val.length, a.test.length]).toEqual([
      4, 2, 1, 1, 1,
    ]);
  });

  it('parses a tiny folder exactly', () => {
    const g = parseGraphFolder(tinyFiles(), { name: 'tiny' });
    expect(g.name).toBe('tiny');
    expect(g.ids).toEqual(['a', 'b', 'c', 'd']);
    expect(Array.from(g.edgeSource)).toEqual([0, 1, 3]);
    expect(Array.from(g.edgeTarget)).toEqual([1, 2, 0]);
    expect(Array.from(g.featureIndptr)).toEqual([0, 2, 2, 4, 5]);
    expect(Array.from(g.featureIndices)).toEqual([0, 2, 1, 3, 2]);
    expect(Array.from(g.featureValues)).toEqual([1, 1, 0.5, 1, 1]);
    expect(Array.from(g.labels)).toEqual([0, 1, -1, 1]);
    expect(g.split).toEqual(['train', 'val', 'unlabeled', 'test']);
    expect([...g.trainIndex, ...g.valIndex, ...g.testIndex]).toEqual([0, 1, 3]);
    expect([g.numFeatures, g.numClasses]).toEqual([4, 2]);
  });

  it('infers counts without meta.json and uses the given name', () => {
    const g = parseGraphFolder({ ...tinyFiles(), meta: undefined }, { name: 'x' });
    expect(g.name).toBe('x');
    expect([g.numFeatures, g.numClasses]).toEqual([4, 2]);
    expect(g.meta).toEqual({});
  });

  it('reports self loops from a folder on disk with file and line', async () => {
    await expect(loadGraphFolder(join(FIXTURES, 'graph-self-loop'))).rejects.toThrow(
      /graph-self-loop\/edges\.csv, line 3\) must not be a self loop/,
    );
  });

  it('rejects malformed content with file, line and column', () => {
    const f = tinyFiles();
    const with_ = (patch: Partial<GraphFolderFiles>) => () => parseGraphFolder({ ...f, ...patch });
    expectFormatError(with_({ edges: 'source,target\na,b\nb,a\n' }), /duplicate of line 2/, 3);
    expectFormatError(with_({ edges: 'source,target\na,zz\n' }), /column 'target'.*node id.*"zz"/, 2);
    expectFormatError(with_({ edges: 'src,dst\na,b\n' }), /header must contain column 'source'/, 1);
    expectFormatError(with_({ edges: 'source,target\na\n' }), /must have 2 fields/, 2);
    expectFormatError(with_({ features: '0 9\n\n1\n2\n' }), /features\.txt, line 1\).*< 4.*got 9/, 1);
    expectFormatError(with_({ features: '0\n1\n' }), /one line per node.*got 2/);
    expectFormatError(with_({ features: '0 x\n\n1\n2\n' }), /non-negative integer/, 1);
    expectFormatError(with_({ features: '0 0\n\n1\n2\n' }), /repeat a feature index/, 1);
    expectFormatError(
      with_({ nodes: 'id,label,split\na,0,train\nb,1,dev\nc,-1,unlabeled\nd,1,test\n' }),
      /column 'split'.*train\|val\|test\|unlabeled.*"dev"/,
      3,
    );
    expectFormatError(
      with_({ nodes: 'id,label,split\na,0,train\nb,1,val\nc,-1,unlabeled\nd,-1,test\n' }),
      /must be known/,
      5,
    );
    expectFormatError(
      with_({ nodes: 'id,label,split\na,0,train\na,1,val\nc,-1,unlabeled\nd,1,test\n' }),
      /unique/,
      3,
    );
    expectFormatError(
      with_({ nodes: 'id,label,split\na,0,train\nb,5,val\nc,-1,unlabeled\nd,1,test\n' }),
      /< 2/,
      3,
    );
    expectFormatError(
      with_({ nodes: 'id,label,split\na,0,train\nb,1,val\nc,-1,unlabeled\n' }),
      /4 node rows as meta.json says; got 3/,
    );
    expectFormatError(with_({ nodes: '' }), /header/, 1);
    expectFormatError(with_({ meta: '{"nodes": 4,' }), /meta\.json\).*valid JSON/);
    expectFormatError(with_({ meta: '{"train": 2}' }), /2 'train' nodes/);
    expectFormatError(with_({ meta: '{"undirectedEdges": 9}' }), /9 edge rows/);
  });

  it('validates its arguments', async () => {
    expect(() => parseGraphFolder(null as never)).toThrow(LabInputError);
    expect(() => parseGraphFolder({ nodes: 1 } as never)).toThrow(/files\.nodes/);
    await expect(loadGraphFolder('')).rejects.toThrow(/argument 'dir'/);
    await expect(loadGraphFolder(join(FIXTURES, 'nope'))).rejects.toThrow(/cannot read .*nodes\.csv/);
    const err = await loadGraphFolder(join(FIXTURES, 'nope')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabInputError);
    expect((err as Error & { cause?: { code?: string } }).cause?.code).toBe('ENOENT');
    await expect(
      loadGraphFolder(join(FIXTURES, 'graph-tiny'), { largestComponent: 1 } as never),
    ).rejects.toThrow(/options\.largestComponent/);
  });
});
