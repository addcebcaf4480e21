// Public API of @lab/sparse-quant: named re-exports only (filled in as modules land).
export type {
  ActivationQuantParams,
  FloatTensor,
  Int8Model,
  Int8Tensor,
  SparsityStructure,
} from './Int8Model.js';

// training
export type { PruningSchedule } from './PruningSchedule.js';
export { polynomialDecay } from './polynomialDecay.js';
export type { PolynomialDecayOptions } from './polynomialDecay.js';
export { constantSparsity } from './constantSparsity.js';
export type { ConstantSparsityOptions } from './constantSparsity.js';
export { magnitudeMask } from './magnitudeMask.js';
export type { MagnitudeMaskOptions, MagnitudeMaskResult } from './magnitudeMask.js';
export type { ScoreNorm, ScorePooling } from './maskSelection.js';
export { fakeQuantize } from './fakeQuantize.js';
export type { QuantGrid } from './fakeQuantize.js';
export { fakeQuantWeight } from './fakeQuantWeight.js';
export type { FakeQuantWeightOptions } from './fakeQuantWeight.js';
export { quantizeWeight } from './quantizeWeight.js';
export type { QuantizeWeightOptions } from './quantizeWeight.js';
export { ActivationObserver } from './ActivationObserver.js';
export type { ActivationObserverOptions } from './ActivationObserver.js';
export { fakeQuantActivation } from './fakeQuantActivation.js';
export type { FakeQuantActivationOptions } from './fakeQuantActivation.js';
export { compressionPlan } from './compressionPlan.js';
export type {
  CompressionPlan,
  CompressionSettings,
  LayerCompression,
  LayerKind,
  ResolvedLayer,
  ResolvedPlan,
  UnitSlice,
} from './compressionPlan.js';
export { Compression, applyCompression } from './applyCompression.js';
export type {
  CompressionStepResult,
  LayerSparsity,
  ParameterSparsity,
  SparsityReport,
  ToInt8ModelOptions,
} from './applyCompression.js';
export { QuantLSTM } from './QuantLSTM.js';
export type { QuantLSTMOptions } from './QuantLSTM.js';
export { QuantGRU } from './QuantGRU.js';
export type { QuantGRUOptions } from './QuantGRU.js';
export { GATE_OUTPUT_GRID, GATE_PREACTIVATION_GRID } from './recurrentQuant.js';
export type { RecurrentQuant, RecurrentQuantOptions } from './recurrentQuant.js';
export { pruneInt8Model } from './pruneInt8Model.js';
export { shrinkUnits } from './shrinkUnits.js';
export type { ShrinkUnitsResult } from './shrinkUnits.js';
export { dequantizeModel } from './dequantizeModel.js';
// end of training

// export and kernels
export { exportModel } from './exportModel.js';
export type { ExportModelOptions, TensorEncoding } from './exportModel.js';
export { decodeModel } from './decodeModel.js';
export type { DecodeModelOptions } from './decodeModel.js';
export { footprint } from './footprint.js';
export type { FootprintEntry, FootprintLayer, FootprintOptions, FootprintResult } from './footprint.js';
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
