import { LabInputError } from '../errors.js';
import { readOptions } from '../validation/readOptions.js';
import { parseIntStrict, parseNumber, splitCsvLine, splitLines } from './csvText.js';
import { LabFormatError } from './LabFormatError.js';

/** Split name of a node in a graph folder. */
export type GraphSplit = 'train' | 'val' | 'test' | 'unlabeled';

/**
 * A node-classification graph in the `@lab` graph folder format, as parsed by {@link parseGraphFolder}
 * (`loadGraphFolder` in `graph/` reads a folder from disk as a `LabeledGraph`).
 * Node `i` is row `i` of `nodes.csv` and line `i` of `features.txt`.
 */
export interface GraphFolderData {
  /** Graph name: `meta.name`, else the folder name. */
  name: string;
  numNodes: number;
  /** Feature dimension: `meta.features`, else 1 + the largest feature index. */
  numFeatures: number;
  /** Number of classes: `meta.classes`, else 1 + the largest label. */
  numClasses: number;
  /** `nodes.csv` id column, in file order (node index i). */
  ids: string[];
  /** Undirected edges, each once, as in `edges.csv` (node indices). */
  edgeSource: Int32Array;
  edgeTarget: Int32Array;
  /** CSR features: row i = node i; column indices sorted within a row. */
  featureIndptr: Int32Array;
  featureIndices: Int32Array;
  featureValues: Float32Array;
  /** Class label per node; -1 = unknown. */
  labels: Int32Array;
  split: GraphSplit[];
  /** Node indices of each split, ascending. */
  trainIndex: Int32Array;
  valIndex: Int32Array;
  testIndex: Int32Array;
  /** Parsed `meta.json` if present, else `{}`. */
  meta: Record<string, unknown>;
  /** Number of undirected edges (`edgeSource.length`). */
  numEdges: number;
}

/** The file contents of a graph folder, for {@link parseGraphFolder}. */
export interface GraphFolderFiles {
  /** `nodes.csv`: header with `id,label,split` (any order, extra columns ignored). */
  nodes: string;
  /** `edges.csv`: header with `source,target`, endpoints are node ids from `nodes.csv`. */
  edges: string;
  /** `features.txt`: line i = space-separated feature indices (or `index:value`) of node i. */
  features: string;
  /** `meta.json` (optional). */
  meta?: string | undefined;
}

/** Options for {@link parseGraphFolder} (and `loadGraphFolder`). */
export interface ParseGraphFolderOptions {
  /** Name to use when `meta.json` has none (default: folder name, or `'graph'`). */
  name?: string;
  /** Label for error messages (default: the folder path, or `'<graph>'`). */
  source?: string;
}

/**
 * Documented upper bounds of a graph folder, checked before anything is allocated from a size
 * read from `meta.json`: at most {@link MAX_GRAPH_NODES} nodes, {@link MAX_GRAPH_FEATURES}
 * features and {@link MAX_GRAPH_CLASSES} classes, and at most {@link MAX_GRAPH_DENSE_FEATURES}
 * dense feature values (`nodes * features`, what `loadGraphFolder` stores as `Float32Array`s: 1 GiB).
 */
export const MAX_GRAPH_NODES = 10_000_000;
/** See {@link MAX_GRAPH_NODES}. */
export const MAX_GRAPH_FEATURES = 1_000_000;
/** See {@link MAX_GRAPH_NODES}. */
export const MAX_GRAPH_CLASSES = 100_000;
/** See {@link MAX_GRAPH_NODES}. */
export const MAX_GRAPH_DENSE_FEATURES = 2 ** 28;

const FN = 'parseGraphFolder';
/** A decimal number (no hex, no `Infinity`, no empty string). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SPLITS: readonly GraphSplit[] = ['train', 'val', 'test', 'unlabeled'];

function header(
  fn: string,
  file: string,
  lines: string[],
  required: string[],
): { cols: Record<string, number>; width: number } {
  const first = lines[0];
  if (first === undefined || first.trim() === '') {
    throw new LabFormatError(
      fn,
      file,
      { source: file, line: 1 },
      `must start with a header line containing ${required.join(',')}`,
    );
  }
  const names = splitCsvLine(first) ?? [];
  const cols: Record<string, number> = {};
  for (const r of required) {
    const idx = names.indexOf(r);
    if (idx < 0) {
      throw new LabFormatError(
        fn,
        file,
        { source: file, line: 1 },
        `header must contain column '${r}'`,
        first,
      );
    }
    cols[r] = idx;
  }
  return { cols, width: names.length };
}

/** Upper bound of each size `meta.json` may state (counts of the files are bounded by their own sizes). */
const META_MAX: Record<string, number> = {
  nodes: MAX_GRAPH_NODES,
  undirectedEdges: Number.MAX_SAFE_INTEGER,
  features: MAX_GRAPH_FEATURES,
  classes: MAX_GRAPH_CLASSES,
  train: MAX_GRAPH_NODES,
  val: MAX_GRAPH_NODES,
  test: MAX_GRAPH_NODES,
};

/** A size from `meta.json`: absent, or an integer in `[0, META_MAX[key]]` (else a LabFormatError). */
function metaNumber(meta: Record<string, unknown>, key: string, source: string): number | undefined {
  const v = meta[key];
  if (v === undefined) return undefined;
  const max = META_MAX[key] as number;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new LabFormatError(FN, 'meta', { source, column: key }, `must be an integer in [0, ${max}]`, v);
  }
  return v;
}

/**
 * Parses a graph folder from its file contents (pure: works in browsers on fetched text).
 *
 * Validates everything `loadGraphFolder` documents and throws a {@link LabFormatError}
 * naming the file, line and column of the first problem.
 *
 * @param files - the text of `nodes.csv`, `edges.csv`, `features.txt` and optionally `meta.json`.
 * @param options - name and error-message label.
 */
export function parseGraphFolder(
  files: GraphFolderFiles,
  options: ParseGraphFolderOptions = {},
): GraphFolderData {
  if (files === null || typeof files !== 'object') {
    throw new LabInputError(FN, 'files', 'must be an object with nodes, edges and features text', files);
  }
  for (const key of ['nodes', 'edges', 'features'] as const) {
    if (typeof files[key] !== 'string')
      throw new LabInputError(FN, `files.${key}`, 'must be a string', files[key]);
  }
  if (files.meta !== undefined && typeof files.meta !== 'string') {
    throw new LabInputError(FN, 'files.meta', 'must be a string or undefined', files.meta);
  }
  const o = readOptions(FN, options, ['name', 'source']);
  const base = o.has('source') ? o.string('source') : '<graph>';
  const fallbackName = o.has('name') ? o.string('name') : 'graph';
  const file = (f: string) => (base.endsWith('/') ? base + f : `${base}/${f}`);

  // meta.json
  let meta: Record<string, unknown> = {};
  if (files.meta !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(files.meta);
    } catch (err) {
      throw new LabFormatError(
        FN,
        'meta',
        { source: file('meta.json') },
        `must be valid JSON (${(err as Error).message})`,
      );
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new LabFormatError(FN, 'meta', { source: file('meta.json') }, 'must hold a JSON object', parsed);
    }
    meta = parsed as Record<string, unknown>;
  }
  const metaFile = file('meta.json');
  // Sizes stated by meta.json are bounded before anything is sized from them.
  const metaNodes = metaNumber(meta, 'nodes', metaFile);
  const metaClasses = metaNumber(meta, 'classes', metaFile);
  const metaFeatures = metaNumber(meta, 'features', metaFile);
  const metaEdges = metaNumber(meta, 'undirectedEdges', metaFile);
  const metaSplit = {
    train: metaNumber(meta, 'train', metaFile),
    val: metaNumber(meta, 'val', metaFile),
    test: metaNumber(meta, 'test', metaFile),
  };

  // nodes.csv
  const nodesFile = file('nodes.csv');
  const nodeLines = splitLines(files.nodes);
  const nh = header(FN, nodesFile, nodeLines, ['id', 'label', 'split']);
  const numNodes = nodeLines.length - 1;
  if (metaNodes !== undefined && metaNodes !== numNodes) {
    throw new LabFormatError(
      FN,
      'nodes',
      { source: nodesFile },
      `must have ${metaNodes} node rows as meta.json says`,
      numNodes,
    );
  }
  if (numNodes > MAX_GRAPH_NODES) {
    throw new LabFormatError(
      FN,
      'nodes',
      { source: nodesFile },
      `must have at most ${MAX_GRAPH_NODES} node rows`,
      numNodes,
    );
  }
  const ids: string[] = new Array(numNodes);
  const labels = new Int32Array(numNodes);
  const split: GraphSplit[] = new Array(numNodes);
  const idIndex = new Map<string, number>();
  const counts = { train: 0, val: 0, test: 0, unlabeled: 0 };
  let maxLabel = -1;
  for (let i = 0; i < numNodes; i++) {
    const line = i + 2;
    const cells = splitCsvLine(nodeLines[i + 1] as string);
    if (cells === null || cells.length !== nh.width) {
      throw new LabFormatError(
        FN,
        'nodes',
        { source: nodesFile, line },
        `must have ${nh.width} fields like the header`,
        nodeLines[i + 1],
      );
    }
    const id = cells[nh.cols.id as number] as string;
    if (id === '')
      throw new LabFormatError(FN, 'nodes', { source: nodesFile, line, column: 'id' }, 'must not be empty');
    const prev = idIndex.get(id);
    if (prev !== undefined) {
      throw new LabFormatError(
        FN,
        'nodes',
        { source: nodesFile, line, column: 'id' },
        `must be unique (also on line ${prev + 2})`,
        id,
      );
    }
    idIndex.set(id, i);
    ids[i] = id;
    const labelCell = cells[nh.cols.label as number] as string;
    const label = parseIntStrict(labelCell);
    if (label === null || label < -1) {
      throw new LabFormatError(
        FN,
        'nodes',
        { source: nodesFile, line, column: 'label' },
        'must be an integer >= -1 (-1 = unknown)',
        labelCell,
      );
    }
    labels[i] = label;
    if (label > maxLabel) maxLabel = label;
    const s = cells[nh.cols.split as number] as GraphSplit;
    if (!SPLITS.includes(s)) {
      throw new LabFormatError(
        FN,
        'nodes',
        { source: nodesFile, line, column: 'split' },
        `must be one of ${SPLITS.join('|')}`,
        s,
      );
    }
    if (s !== 'unlabeled' && label === -1) {
      throw new LabFormatError(
        FN,
        'nodes',
        { source: nodesFile, line, column: 'label' },
        `must be known (>= 0) for a '${s}' node`,
        labelCell,
      );
    }
    split[i] = s;
    counts[s]++;
  }
  const numClasses = metaClasses ?? maxLabel + 1;
  if (numClasses > MAX_GRAPH_CLASSES) {
    throw new LabFormatError(
      FN,
      'nodes',
      { source: nodesFile, column: 'label' },
      `must be < ${MAX_GRAPH_CLASSES}`,
      maxLabel,
    );
  }
  if (maxLabel >= numClasses) {
    const i = labels.indexOf(maxLabel);
    throw new LabFormatError(
      FN,
      'nodes',
      { source: nodesFile, line: i + 2, column: 'label' },
      `must be < ${numClasses} (meta.json classes)`,
      maxLabel,
    );
  }
  for (const s of ['train', 'val', 'test'] as const) {
    const expected = metaSplit[s];
    if (expected !== undefined && expected !== counts[s]) {
      throw new LabFormatError(
        FN,
        'nodes',
        { source: nodesFile, column: 'split' },
        `must have ${expected} '${s}' nodes as meta.json says`,
        counts[s],
      );
    }
  }

  // edges.csv
  const edgesFile = file('edges.csv');
  const edgeLines = splitLines(files.edges);
  const eh = header(FN, edgesFile, edgeLines, ['source', 'target']);
  const numEdges = edgeLines.length - 1;
  const edgeSource = new Int32Array(numEdges);
  const edgeTarget = new Int32Array(numEdges);
  const seen = new Map<number, number>();
  for (let e = 0; e < numEdges; e++) {
    const line = e + 2;
    const cells = splitCsvLine(edgeLines[e + 1] as string);
    if (cells === null || cells.length !== eh.width) {
      throw new LabFormatError(
        FN,
        'edges',
        { source: edgesFile, line },
        `must have ${eh.width} fields like the header`,
        edgeLines[e + 1],
      );
    }
    const ends: number[] = [];
    for (const col of ['source', 'target'] as const) {
      const id = cells[eh.cols[col] as number] as string;
      const idx = idIndex.get(id);
      if (idx === undefined) {
        throw new LabFormatError(
          FN,
          'edges',
          { source: edgesFile, line, column: col },
          `must be a node id from nodes.csv (${numNodes} nodes)`,
          id,
        );
      }
      ends.push(idx);
    }
    const [a, b] = ends as [number, number];
    if (a === b) {
      throw new LabFormatError(
        FN,
        'edges',
        { source: edgesFile, line },
        'must not be a self loop',
        `${cells[eh.cols.source as number]},${cells[eh.cols.target as number]}`,
      );
    }
    const key = Math.min(a, b) * numNodes + Math.max(a, b);
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw new LabFormatError(
        FN,
        'edges',
        { source: edgesFile, line },
        `must list each undirected edge once (duplicate of line ${prev})`,
        edgeLines[e + 1],
      );
    }
    seen.set(key, line);
    edgeSource[e] = a;
    edgeTarget[e] = b;
  }
  if (metaEdges !== undefined && metaEdges !== numEdges) {
    throw new LabFormatError(
      FN,
      'edges',
      { source: edgesFile },
      `must have ${metaEdges} edge rows as meta.json says`,
      numEdges,
    );
  }

  // features.txt
  const featFile = file('features.txt');
  const featLines = splitLines(files.features);
  if (featLines.length !== numNodes) {
    throw new LabFormatError(
      FN,
      'features',
      { source: featFile },
      `must have one line per node (${numNodes} lines, as nodes.csv)`,
      featLines.length,
    );
  }
  const featureIndptr = new Int32Array(numNodes + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  let maxFeature = -1;
  for (let i = 0; i < numNodes; i++) {
    const line = i + 1;
    const text = (featLines[i] as string).trim();
    const row: Array<[number, number]> = [];
    if (text !== '') {
      for (const tok of text.split(/\s+/)) {
        const colon = tok.indexOf(':');
        const idxText = colon < 0 ? tok : tok.slice(0, colon);
        const j = parseIntStrict(idxText);
        if (j === null || j < 0) {
          throw new LabFormatError(
            FN,
            'features',
            { source: featFile, line },
            'must hold non-negative integer feature indices',
            tok,
          );
        }
        if (j >= (metaFeatures ?? MAX_GRAPH_FEATURES)) {
          throw new LabFormatError(
            FN,
            'features',
            { source: featFile, line },
            metaFeatures === undefined
              ? `must hold feature indices < ${MAX_GRAPH_FEATURES}`
              : `must hold feature indices < ${metaFeatures} (meta.json features)`,
            j,
          );
        }
        let v = 1;
        if (colon >= 0) {
          const valueText = tok.slice(colon + 1);
          const parsed = DECIMAL.test(valueText) ? parseNumber(valueText) : null;
          // Rejected too: values that overflow to +-Infinity when stored as float32.
          if (parsed === null || !Number.isFinite(Math.fround(parsed))) {
            throw new LabFormatError(
              FN,
              'features',
              { source: featFile, line },
              "must hold 'index' or 'index:value' with a finite decimal value (float32 range)",
              tok,
            );
          }
          v = parsed;
        }
        if (j > maxFeature) maxFeature = j;
        row.push([j, v]);
      }
      row.sort((p, q) => p[0] - q[0]);
      for (let k = 1; k < row.length; k++) {
        if ((row[k] as [number, number])[0] === (row[k - 1] as [number, number])[0]) {
          throw new LabFormatError(
            FN,
            'features',
            { source: featFile, line },
            'must not repeat a feature index',
            (row[k] as [number, number])[0],
          );
        }
      }
    }
    for (const [j, v] of row) {
      cols.push(j);
      vals.push(v);
    }
    featureIndptr[i + 1] = cols.length;
  }
  const numFeatures = metaFeatures ?? maxFeature + 1;
  if (numNodes * numFeatures > MAX_GRAPH_DENSE_FEATURES) {
    throw new LabFormatError(
      FN,
      'features',
      { source: featFile },
      `must have at most ${MAX_GRAPH_DENSE_FEATURES} dense values (nodes x features; ${numNodes} x ${numFeatures})`,
      numNodes * numFeatures,
    );
  }

  const indexOf = (s: GraphSplit): Int32Array => {
    const out = new Int32Array(counts[s]);
    let k = 0;
    for (let i = 0; i < numNodes; i++) if (split[i] === s) out[k++] = i;
    return out;
  };
  const name = typeof meta.name === 'string' && meta.name !== '' ? meta.name : fallbackName;
  return {
    name,
    numNodes,
    numFeatures,
    numClasses,
    ids,
    edgeSource,
    edgeTarget,
    featureIndptr,
    featureIndices: Int32Array.from(cols),
    featureValues: Float32Array.from(vals),
    labels,
    split,
    trainIndex: indexOf('train'),
    valIndex: indexOf('val'),
    testIndex: indexOf('test'),
    meta,
    numEdges,
  };
}
