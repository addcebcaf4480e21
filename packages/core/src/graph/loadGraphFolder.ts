import { LabInputError } from '../errors.js';
import { loadNodeFs } from '../io/nodeModules.js';
import {
  type GraphFolderData,
  MAX_GRAPH_DENSE_FEATURES,
  type ParseGraphFolderOptions,
  parseGraphFolder,
} from '../io/parseGraphFolder.js';
import type { GraphConstructor } from '../sparse/toGraphology.js';
import { readOptions } from '../validation/readOptions.js';
import type { LabeledGraph, NodeAttributes } from './LabeledGraph.js';
import { largestConnectedComponent } from './largestConnectedComponent.js';

/** Options of {@link loadGraphFolder}. */
export interface LoadGraphFolderOptions extends ParseGraphFolderOptions {
  /**
   * Keep only the largest connected component (default `false`), the usual setting of the
   * adversarial-attack literature (Nettack, Metattack and DeepRobust work on Cora's LCC of 2485 nodes).
   */
  largestComponent?: boolean;
}

/** Options of {@link graphFromFolderData}. */
export interface GraphFromFolderDataOptions {
  /** The graphology `Graph` class (the default export of `graphology`). */
  Graph: GraphConstructor;
  /** Keep only the largest connected component (default `false`). */
  largestComponent?: boolean;
}

/** A `LabInputError` for an I/O failure, with the system error as `cause`. */
function ioError(fn: string, arg: string, expected: string, cause: unknown): LabInputError {
  const err = new LabInputError(fn, arg, `${expected} (${(cause as Error)?.message ?? String(cause)})`);
  (err as Error & { cause?: unknown }).cause = cause;
  return err;
}

/**
 * Turns a parsed graph folder ({@link parseGraphFolder}) into a {@link LabeledGraph}: an
 * undirected graphology graph whose node keys are the folder's node ids, in file order, each
 * carrying dense `features` (a `Float32Array`), `label` (-1 = unknown) and `split`
 * (`'train' | 'val' | 'test'`; absent for unlabelled nodes). The graph attributes hold `name`
 * and `numClasses`. Works in browsers (pass the `Graph` class; nothing is read from disk).
 *
 * @param data - a parsed graph folder (not modified; features are copied).
 * @param options - the `Graph` class and `largestComponent`.
 * @returns a new graph.
 * @example
 * ```ts
 * import Graph from 'graphology';
 * const files = {
 *   nodes: 'id,label,split\na,0,train\nb,1,test\nc,0,val\n',
 *   edges: 'source,target\na,b\nb,c\n',
 *   features: '0 2\n1\n0:0.5 2\n',
 *   meta: '{"features": 3, "classes": 2}',
 * };
 * const graph = graphFromFolderData(parseGraphFolder(files), { Graph });
 * graph.order; // 3
 * ```
 * @see Sen et al., "Collective Classification in Network Data", AI Magazine 2008 (Cora).
 */
export function graphFromFolderData(
  data: GraphFolderData,
  options: GraphFromFolderDataOptions,
): LabeledGraph {
  const fn = 'graphFromFolderData';
  if (data === null || typeof data !== 'object' || !Array.isArray(data.ids)) {
    throw new LabInputError(fn, 'data', 'must be a parsed graph folder (GraphFolderData)', data);
  }
  const o = readOptions(fn, options, ['Graph', 'largestComponent']);
  const Graph = o.raw('Graph');
  if (typeof Graph !== 'function')
    throw new LabInputError(fn, 'options.Graph', 'must be the graphology Graph class', Graph);
  const largestComponent = o.boolean('largestComponent', false);
  const f = data.numFeatures;
  if (
    !Number.isSafeInteger(f) ||
    f < 0 ||
    !Number.isSafeInteger(data.numNodes) ||
    data.numNodes * f > MAX_GRAPH_DENSE_FEATURES
  ) {
    throw new LabInputError(
      fn,
      'data',
      `must have at most ${MAX_GRAPH_DENSE_FEATURES} dense feature values (numNodes x numFeatures)`,
      `${data.numNodes} x ${f}`,
    );
  }
  const graph = new (Graph as GraphConstructor)({
    type: 'undirected',
    multi: false,
    allowSelfLoops: false,
  }) as unknown as LabeledGraph;
  graph.replaceAttributes({ name: data.name, numClasses: data.numClasses });
  for (let i = 0; i < data.numNodes; i++) {
    const features = new Float32Array(f);
    const end = data.featureIndptr[i + 1] as number;
    for (let p = data.featureIndptr[i] as number; p < end; p++) {
      features[data.featureIndices[p] as number] = data.featureValues[p] as number;
    }
    const attrs: NodeAttributes = { features, label: data.labels[i] as number };
    const s = data.split[i];
    if (s === 'train' || s === 'val' || s === 'test') attrs.split = s;
    graph.addNode(data.ids[i] as string, attrs);
  }
  for (let e = 0; e < data.numEdges; e++) {
    graph.addEdge(
      data.ids[data.edgeSource[e] as number] as string,
      data.ids[data.edgeTarget[e] as number] as string,
    );
  }
  return largestComponent ? largestConnectedComponent(graph) : graph;
}

/**
 * Loads a node-classification graph stored in the `@lab` graph folder format as a
 * {@link LabeledGraph} (Node only; needs the optional peer dependency `graphology`).
 *
 * The folder holds `nodes.csv` (`id,label,split`; label -1 = unknown; split in
 * `train|val|test|unlabeled`), `edges.csv` (`source,target` node ids, each undirected edge once,
 * no self loops), `features.txt` (line i = space-separated non-zero feature indices of node i,
 * optionally `index:value`) and optionally `meta.json` (name, counts, format notes). Everything
 * is validated by {@link parseGraphFolder} (counts in `meta.json` against the files, unknown ids,
 * self loops, duplicate edges, feature indices, labels, split names: a `LabFormatError` naming
 * the file and line). A missing folder or file is a `LabInputError` whose `cause` is the
 * system error.
 *
 * @param dir - the folder, e.g. `resolveDataDir('graphs', 'cora')`.
 * @param options - `largestComponent` (default `false`), fallback `name`, error label `source`.
 * @returns an undirected graphology graph with `features`, `label` and `split` node attributes
 *   and graph attributes `name`, `numClasses`.
 * @example
 * ```ts
 * const cora = await loadGraphFolder(resolveDataDir('graphs', 'cora'));
 * cora.order; // 2708
 * const lcc = await loadGraphFolder(resolveDataDir('graphs', 'cora'), { largestComponent: true });
 * lcc.order; // 2485
 * ```
 * @see Sen et al., "Collective Classification in Network Data", AI Magazine 2008; the Planetoid
 *   split of Yang, Cohen & Salakhutdinov, ICML 2016.
 */
export async function loadGraphFolder(
  dir: string,
  options: LoadGraphFolderOptions = {},
): Promise<LabeledGraph> {
  const fn = 'loadGraphFolder';
  if (typeof dir !== 'string' || dir === '')
    throw new LabInputError(fn, 'dir', 'must be a non-empty path string', dir);
  const o = readOptions(fn, options, ['largestComponent', 'name', 'source']);
  const largestComponent = o.boolean('largestComponent', false);
  const name = o.has('name') ? o.string('name') : undefined;
  const source = o.has('source') ? o.string('source') : undefined;
  const { fs, path } = await loadNodeFs(fn);
  const read = async (f: string, optional = false): Promise<string | undefined> => {
    const p = path.join(dir, f);
    try {
      return await fs.readFile(p, 'utf8');
    } catch (err) {
      if (optional && (err as { code?: string }).code === 'ENOENT') return undefined;
      throw ioError(fn, 'dir', `must be a readable graph folder: cannot read '${p}'`, err);
    }
  };
  // Read in a fixed order (not in parallel) so a missing folder or file is always reported the
  // same way: the first missing file of nodes.csv, edges.csv, features.txt.
  const nodes = (await read('nodes.csv')) as string;
  const edges = (await read('edges.csv')) as string;
  const features = (await read('features.txt')) as string;
  const meta = await read('meta.json', true);
  const data = parseGraphFolder(
    { nodes, edges, features, meta },
    { name: name ?? path.basename(path.resolve(dir)), source: source ?? dir },
  );
  let Graph: GraphConstructor;
  try {
    Graph = ((await import('graphology')) as unknown as { default: GraphConstructor }).default;
  } catch (err) {
    throw ioError(
      fn,
      'dir',
      "needs the optional peer dependency 'graphology' installed to build the graph",
      err,
    );
  }
  return graphFromFolderData(data, { Graph, largestComponent });
}
