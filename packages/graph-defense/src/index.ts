// Public API of @lab/graph-defense: named re-exports only (filled in as modules land).
export type { AttackResult, EdgeFlip, GraphArrays, LabeledGraph, NodeAttributes } from './graphTypes.js';
