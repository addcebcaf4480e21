import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzzDecoder, fuzzRuns } from '@lab/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/initBackend.js';
import type { LabeledGraph } from '../src/graph/LabeledGraph.js';
import { graphFromFolderData, loadGraphFolder } from '../src/graph/loadGraphFolder.js';
import Graph from 'graphology';
import { LabInputError } from '../src/errors.js';
import { LabFormatError } from '../src/io/LabFormatError.js';
import { MAX_GRAPH_FEATURES, parseGraphFolder } from '../src/io/parseGraphFolder.js';

const FILES = ['nodes.csv', 'edges.csv', 'features.txt', 'meta.json'] as const;
const TINY = join(import.meta.dirname, 'fixtures', 'graph-tiny');
const valid = Object.fromEntries(FILES.map((f) => [f, readFileSync(join(TINY, f))])) as Record<
  (typeof FILES)[number],
  Buffer
>;
let dir = '';

beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(join(tmpdir(), 'lab-graph-fuzz-'));
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** Writes the tiny valid folder with `file` replaced by `bytes`. */
function writeFolder(file: (typeof FILES)[number], bytes: Uint8Array): void {
  for (const f of FILES) writeFileSync(join(dir, f), f === file ? bytes : valid[f]);
}

/** A loaded graph is well formed: consistent sizes, known splits, finite features, labels in range. */
function checkGraph(g: LabeledGraph): void {
  expect(g.type).toBe('undirected');
  const numClasses = g.getAttribute('numClasses' as never) as number;
  let width = -1;
  g.forEachNode((_node, a) => {
    if (width < 0) width = a.features.length;
    expect(a.features.length).toBe(width);
    for (const v of a.features) expect(Number.isFinite(v)).toBe(true);
    expect(Number.isInteger(a.label) && a.label >= -1 && a.label < numClasses).toBe(true);
    if (a.split !== undefined) expect(a.label).toBeGreaterThanOrEqual(0);
  });
  g.forEachEdge((_e, _a, s, t) => expect(s).not.toBe(t));
}

describe('loadGraphFolder fuzz (mutated files of a valid folder)', () => {
  for (const file of FILES) {
    it(`${file}: a valid graph or a named error, fast, input unchanged`, async () => {
      await fuzzDecoder<LabeledGraph>({
        decode: async (bytes) => {
          writeFolder(file, bytes);
          return loadGraphFolder(dir);
        },
        valid: [new Uint8Array(valid[file])],
        check: checkGraph,
        runs: fuzzRuns(75),
        seed: 7 + FILES.indexOf(file),
        timeLimitMs: 1000,
      });
    });
  }
});

describe('meta.json sizes are bounded and checked before allocation', () => {
  const files = () => ({
    nodes: valid['nodes.csv'].toString('utf8'),
    edges: valid['edges.csv'].toString('utf8'),
    features: valid['features.txt'].toString('utf8'),
  });
  const withMeta = (meta: Record<string, unknown>) => () =>
    parseGraphFolder({ ...files(), meta: JSON.stringify(meta) });

  it('rejects huge or malformed claimed sizes in milliseconds with a LabFormatError', () => {
    const t0 = performance.now();
    for (const meta of [
      { features: 2 ** 40 },
      { features: MAX_GRAPH_FEATURES + 1 },
      { classes: 1e9 },
      { nodes: 1e12 },
      { features: -1 },
      { classes: 2.5 },
      { nodes: '4' },
      { train: null },
    ]) {
      expect(withMeta(meta), JSON.stringify(meta)).toThrow(LabFormatError);
    }
    // Within the bounds but inconsistent with the files.
    expect(withMeta({ nodes: 5 })).toThrow(/must have 5 node rows/);
    expect(withMeta({ features: 3 })).toThrow(/feature indices < 3/);
    expect(withMeta({ classes: 1 })).toThrow(/must be < 1/);
    // Dense storage nodes x features over the documented bound (4 x 1e6 is fine, 1e6 features is the max).
    expect(() =>
      parseGraphFolder({ ...files(), meta: JSON.stringify({ features: MAX_GRAPH_FEATURES }) }),
    ).not.toThrow();
    expect(performance.now() - t0).toBeLessThan(5000); // generous: the point is no allocation of the claimed sizes
  });

  it('graphFromFolderData checks the dense size of hand-made data before allocating', () => {
    const data = parseGraphFolder({ ...files(), meta: valid['meta.json'].toString('utf8') });
    expect(graphFromFolderData(data, { Graph }).order).toBe(4);
    expect(() => graphFromFolderData({ ...data, numFeatures: 2 ** 40 }, { Graph })).toThrow(LabInputError);
    expect(() => graphFromFolderData(data, {} as never)).toThrow(/options.Graph/);
  });

  it('rejects non-decimal and float32-overflowing feature values', () => {
    const f = files();
    const bad = (features: string) => () => parseGraphFolder({ ...f, features });
    expect(bad('0 2\n\n1:0x10 3\n2\n')).toThrow(/finite decimal value/);
    expect(bad('0 2\n\n1:1e39 3\n2\n')).toThrow(/float32/);
    expect(bad('0 2\n\n1:Infinity 3\n2\n')).toThrow(LabFormatError);
    expect(() => parseGraphFolder({ ...f, features: '0 2\n\n1:-2.5e-3 3\n2\n' })).not.toThrow();
  });
});
