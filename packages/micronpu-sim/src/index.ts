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
export { estimateModel, nonZeroBlockFraction } from './estimateModel.js';
export type {
  Bottleneck,
  EstimateModelOptions,
  EstimateModelResult,
  LayerEstimate,
  OpEstimate,
  WeightBytesFn,
} from './estimateModel.js';
