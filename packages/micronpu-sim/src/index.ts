// Public API of @lab/micronpu-sim: named re-exports only.
export { accelerators, defineAccelerator } from './accelerators.js';
export type { AcceleratorConfig, DefineAcceleratorOptions, MicroBlock } from './accelerators.js';
export { defineSystem, systemFor, systems } from './systems.js';
export type { DefineSystemOptions, SystemConfig } from './systems.js';
export { convOutput, expandModel, validateModel } from './model.js';
export type {
  ActivationOp,
  Conv2DOp,
  DepthwiseConv2DOp,
  ElementwiseOp,
  ExpandedOp,
  FullyConnectedOp,
  LstmOp,
  NpuDtype,
  NpuModel,
  NpuOp,
  Placement,
  PrimitiveOp,
} from './model.js';
export { encodedWeightBytes, estimateModel } from './estimateModel.js';
export { nonZeroBlockFraction } from './costs/nonZeroBlockFraction.js';
export type {
  Bottleneck,
  EstimateModelOptions,
  EstimateModelResult,
  LayerEstimate,
  OpEstimate,
  WeightBytesFn,
} from './estimateModel.js';
export { quantizeMultiplier } from './quantizeMultiplier.js';
export type { QuantizedMultiplier } from './quantizeMultiplier.js';
export {
  multiplyByQuantizedMultiplier,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from './multiplyByQuantizedMultiplier.js';
export { fullyConnectedInt8 } from './fullyConnectedInt8.js';
export type { FullyConnectedInt8Options } from './fullyConnectedInt8.js';
export { conv2dInt8 } from './conv2dInt8.js';
export type { Conv2dInt8Options, Conv2dInt8Result } from './conv2dInt8.js';
export { elementwiseInt8 } from './elementwiseInt8.js';
export type { ElementwiseInt8Options, QuantizedInt8 } from './elementwiseInt8.js';
export { dtlnModel } from './dtlnModel.js';
export type { DtlnModelOptions } from './dtlnModel.js';
export { formatReport } from './formatReport.js';
export type { FormatReportOptions } from './formatReport.js';
export { DEFAULT_OFM_BLOCK_DEPTH, encodeWeights } from './encodeWeights.js';
export type { BrickOrder } from './weightEncoding/reorderWeights.js';
export type {
  EncodedWeightPart,
  EncodeWeightsOptions,
  EncodeWeightsResult,
  EncoderAccelerator,
} from './encodeWeights.js';
export { MAX_VALUES_PER_STREAM_BYTE, decodeWeights } from './weightEncoding/decodeWeights.js';
export type { DecodeWeightsOptions } from './weightEncoding/decodeWeights.js';
export { syntheticWeights } from './weightEncoding/syntheticWeights.js';
export type { SyntheticWeightsOptions, WeightStructure } from './weightEncoding/syntheticWeights.js';
export type { MlwStreamStats } from './weightEncoding/mlwEncode.js';
export { fixedPointSigmoid, fixedPointTanh } from './fixedPointActivations.js';
export { lstmInt8 } from './lstmInt8.js';
export type { LstmInt8Options, LstmInt8Result } from './lstmInt8.js';
