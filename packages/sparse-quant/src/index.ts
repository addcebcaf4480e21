// Public API of @lab/sparse-quant: named re-exports only (filled in as modules land).
export type { ActivationQuantParams, FloatTensor, Int8Model, Int8Tensor, SparsityStructure } from './Int8Model.js';

// export and kernels
export { exportModel } from './exportModel.js';
export type { ExportModelOptions, TensorEncoding } from './exportModel.js';
export { decodeModel } from './decodeModel.js';
export type { DecodeModelOptions } from './decodeModel.js';
export { footprint } from './footprint.js';
export type { FootprintEntry, FootprintOptions, FootprintResult } from './footprint.js';
// end of export and kernels
