// Public API of @lab/sparse-quant: named re-exports only (filled in as modules land).
export type { ActivationQuantParams, FloatTensor, Int8Model, Int8Tensor, SparsityStructure } from './Int8Model.js';

// export and kernels
export { exportModel } from './exportModel.js';
export type { ExportModelOptions, TensorEncoding } from './exportModel.js';
export { decodeModel } from './decodeModel.js';
export type { DecodeModelOptions } from './decodeModel.js';
export { footprint } from './footprint.js';
export type { FootprintEntry, FootprintOptions, FootprintResult } from './footprint.js';
export type { BsrMatrix, CsrMatrix, SparseValues } from './kernels/sparseMatrix.js';
export { csrFromDense } from './kernels/csrFromDense.js';
export { bsrFromDense } from './kernels/bsrFromDense.js';
export { csrFromInt8Tensor } from './kernels/csrFromInt8Tensor.js';
export type { CsrFromInt8TensorOptions } from './kernels/csrFromInt8Tensor.js';
export { bsrFromInt8Tensor } from './kernels/bsrFromInt8Tensor.js';
export type { BsrFromInt8TensorOptions } from './kernels/bsrFromInt8Tensor.js';
export { csrMatVec } from './kernels/csrMatVec.js';
export type { CsrMatVecOptions } from './kernels/csrMatVec.js';
export { csrMatMul } from './kernels/csrMatMul.js';
export type { CsrMatMulOptions } from './kernels/csrMatMul.js';
export { bsrMatVec } from './kernels/bsrMatVec.js';
export type { BsrMatVecOptions } from './kernels/bsrMatVec.js';
export { bsrMatMul } from './kernels/bsrMatMul.js';
export type { BsrMatMulOptions } from './kernels/bsrMatMul.js';
export { requantize } from './kernels/requantize.js';
export type { RequantizeOptions } from './kernels/requantize.js';
// end of export and kernels
