// Typed against graphology-types' `AbstractGraph` (what every graphology `Graph` instance is), not
// graphology's default export: graphology's type file is CommonJS-flavoured, so under `nodenext`
// its default import is the module namespace and `Graph<...>` fails with TS2709 in consumers'
// type checks (`skipLibCheck: false`).
import type { AbstractGraph } from 'graphology-types';

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
 * (`graphology` and its type package `graphology-types`, which graphology itself requires, are
 * optional peer dependencies of `@lab/core`: needed for this type.) A `new Graph()` from
 * graphology is a `LabeledGraph` once its nodes carry these attributes.
 *
 * @see https://graphology.github.io/
 */
export type LabeledGraph = AbstractGraph<NodeAttributes>;
