import {
  type GraphFolderData,
  loadGraphFolder as coreLoadGraphFolder,
  LabInputError,
  type ParseGraphFolderOptions,
} from '@lab/core';
import Graph from 'graphology';
import type { LabeledGraph, NodeAttributes } from './graphTypes.js';
import { largestConnectedComponent } from './largestConnectedComponent.js';

/** Options of {@link loadGraphFolder}. */
export interface LoadGraphFolderOptions extends ParseGraphFolderOptions {
  /**
   * Keep only the largest connected component (default `false`), the usual setting of the
   * adversarial-attack literature (Nettack, Metattack and DeepRobust work on Cora's LCC of 2485 nodes).
   */
  largestComponent?: boolean;
}

/**
 * Turns a parsed graph folder (from `@lab/core`'s `parseGraphFolder` / `loadGraphFolder`)
 * into a {@link LabeledGraph}: an undirected graphology graph whose node keys are the folder's
 * node ids, in file order, each carrying dense `features` (a `Float32Array`), `label` (-1 =
 * unknown) and `split` (`'train' | 'val' | 'test'`; absent for unlabelled nodes). The graph
 * attributes hold `name` and `numClasses`.
 *
 * @param data - a parsed graph folder.
 * @param options - `largestComponent` to keep the largest connected component only.
 * @returns a new graph (nothing is shared with `data` except nothing: features are copied).
 * @see Sen et al., "Collective Classification in Network Data", AI Magazine 2008 (Cora).
 */
export function graphFromFolderData(
  data: GraphFolderData,
  options: Pick<LoadGraphFolderOptions, 'largestComponent'> = {},
): LabeledGraph {
  const fn = 'graphFromFolderData';
  if (data === null || typeof data !== 'object' || !Array.isArray(data.ids)) {
    throw new LabInputError(fn, 'data', 'must be a parsed graph folder (GraphFolderData)', data);
  }
  if (options === null || typeof options !== 'object') {
    throw new LabInputError(fn, 'options', 'must be an object', options);
  }
  const graph: LabeledGraph = new Graph<NodeAttributes>({
    type: 'undirected',
    multi: false,
    allowSelfLoops: false,
  });
  graph.replaceAttributes({ name: data.name, numClasses: data.numClasses });
  const f = data.numFeatures;
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
  return options.largestComponent ? largestConnectedComponent(graph) : graph;
}

/**
 * Loads a node-classification graph folder (the `@lab` graph folder format: `nodes.csv`,
 * `edges.csv`, `features.txt`, optional `meta.json`; see `@lab/core`'s `loadGraphFolder`) as a
 * {@link LabeledGraph} (Node only).
 *
 * @param dir - the folder, e.g. `resolveDataDir('graphs', 'cora')`.
 * @param options - `largestComponent` (default `false`) plus core's name / error-label options.
 * @returns an undirected graphology graph with `features`, `label` and `split` node attributes.
 * @throws LabFormatError (from `@lab/core`) naming the file and line of a malformed folder.
 * @example
 * ```ts
 * const cora = await loadGraphFolder(resolveDataDir('graphs', 'cora'), { largestComponent: true });
 * cora.order; // 2485
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
  if (options === null || typeof options !== 'object')
    throw new LabInputError(fn, 'options', 'must be an object', options);
  const { largestComponent, ...coreOptions } = options;
  const data = await coreLoadGraphFolder(dir, coreOptions);
  return graphFromFolderData(data, { largestComponent: largestComponent ?? false });
}
