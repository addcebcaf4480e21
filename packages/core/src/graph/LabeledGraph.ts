import type Graph from 'graphology';

/**
 * Node attributes of a {@link LabeledGraph}: `features` (same length on every node), `label`
 * (class index, or -1 when unknown) and an optional `split`.
 */
export interface NodeAttributes {
  features: Float32Array | number[];
  label: number;
  split?: 'train' | 'val' | 'test';
}

/**
 * A node-classification graph: an undirected, simple graphology graph whose nodes carry
 * {@link NodeAttributes}; graph attributes may hold `name` and `numClasses`. Read from disk by
 * `loadGraphFolder`, turned into typed arrays by `graphArrays`, trained on by `Gcn` / `Sgc`.
 * (`graphology` is an optional peer dependency of `@lab/core`: needed for this type.)
 *
 * @see https://graphology.github.io/
 */
export type LabeledGraph = Graph<NodeAttributes>;
