// Public API of @lab/sparse-quant: named re-exports only (filled in as modules land).
export type { ActivationQuantParams, FloatTensor, Int8Model, Int8Tensor, SparsityStructure } from './Int8Model.js';
