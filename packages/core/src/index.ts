// Public API of @lab/core: named re-exports only, grouped by area.

// errors
export {
  LabInputError,
  checkFinite,
  checkInteger,
  checkRange,
  checkTensor,
  describeValue,
} from './errors.js';
export type { LabErrorOptions } from './errors.js';

// input checking: options, numbers, bytes, and the one seed convention
export { OptionReader, readOptions } from './validation/readOptions.js';
export { checkNumber, describeNumberSpec } from './validation/checkNumber.js';
export type { NumberSpec } from './validation/checkNumber.js';
export { checkBytes } from './validation/checkBytes.js';
export { DEFAULT_SEED, isRng, isSeed, resolveRng } from './validation/resolveRng.js';
export type { Seed, SeedOptions } from './validation/resolveRng.js';

// backend
export { initBackend } from './backend/initBackend.js';
export type {
  BackendName,
  InitBackendOptions,
  InitBackendResult,
  WasmBinaryName,
  WasmPaths,
} from './backend/initBackend.js';

// random
export { createRng } from './random/createRng.js';
export type { Rng } from './random/createRng.js';

// random samplers
export {
  bernoulliMask,
  randomNormalTensor,
  randomUniformTensor,
  truncatedNormal,
} from './random/randomTensors.js';
export type {
  BernoulliMaskOptions,
  RandomNormalTensorOptions,
  RandomSource,
  RandomUniformTensorOptions,
  TruncatedNormalOptions,
} from './random/randomTensors.js';

// interop
export { tensorFromNdarray } from './interop/tensorFromNdarray.js';
export type { TensorFromNdarrayOptions } from './interop/tensorFromNdarray.js';
export { tensorToNdarray } from './interop/tensorToNdarray.js';
export { tensorFromMatrix } from './interop/tensorFromMatrix.js';
export { tensorToMatrix } from './interop/tensorToMatrix.js';
export { tensorFromTypedArray } from './interop/tensorFromTypedArray.js';
export type { TensorFromTypedArrayOptions } from './interop/tensorFromTypedArray.js';
export { tensorToTypedArray } from './interop/tensorToTypedArray.js';
export type { TypedArrayWithShape } from './interop/tensorToTypedArray.js';
export type { InteropDtype, NumericTypedArray } from './interop/typedArrayDtype.js';

// metrics
export { accuracy } from './metrics/accuracy.js';
export type { AccuracyOptions } from './metrics/accuracy.js';
export { rocAuc } from './metrics/rocAuc.js';
export type { RocAucOptions } from './metrics/rocAuc.js';
export { meanSquaredError } from './metrics/meanSquaredError.js';
export { meanAbsoluteError } from './metrics/meanAbsoluteError.js';
export { pearsonCorrelation } from './metrics/pearsonCorrelation.js';
export type { MetricInput, MetricSelection } from './metrics/metricInput.js';

// data I/O
export { LabFormatError } from './io/LabFormatError.js';
export type { FormatErrorLocation } from './io/LabFormatError.js';
export { findDataDir, resolveDataDir } from './io/resolveDataDir.js';
export type { FindDataDirContext } from './io/resolveDataDir.js';
export { loadBinaryFile, loadTextFile } from './io/nodeModules.js';
export type { LoadFileOptions } from './io/nodeModules.js';
export { parseCsvSeries, loadCsvSeries } from './io/loadCsvSeries.js';
export type { CsvSeries, ParseCsvSeriesOptions } from './io/loadCsvSeries.js';
export {
  MAX_GRAPH_CLASSES,
  MAX_GRAPH_DENSE_FEATURES,
  MAX_GRAPH_FEATURES,
  MAX_GRAPH_NODES,
  parseGraphFolder,
} from './io/parseGraphFolder.js';
export type {
  GraphFolderData,
  GraphFolderFiles,
  GraphSplit,
  ParseGraphFolderOptions,
} from './io/parseGraphFolder.js';
export { WAV_MAX_CHUNKS, encodeWav, parseWav, loadWav, saveWav } from './io/wav.js';
export type { EncodeWavOptions, ParseWavOptions, ParsedWav, WavAudio } from './io/wav.js';

// serialization
export {
  PARAMETERS_FORMAT,
  PARAMETERS_MAX_DIM,
  PARAMETERS_MAX_MANIFEST_BYTES,
  PARAMETERS_MAX_RANK,
  PARAMETERS_VERSION,
} from './serialization/parametersFormat.js';
export type { ParameterEntry, ParametersManifest, StoredDtype } from './serialization/parametersFormat.js';
export { encodeParameters } from './serialization/encodeParameters.js';
export type { EncodeParametersOptions, EncodedParameters } from './serialization/encodeParameters.js';
export { decodeParameters } from './serialization/decodeParameters.js';
export type {
  DecodeParametersOptions,
  DecodedParameters,
  ExpectedParameters,
} from './serialization/decodeParameters.js';
export { saveParameters } from './serialization/saveParameters.js';
export type { SaveParametersResult } from './serialization/saveParameters.js';
export { loadParameters } from './serialization/loadParameters.js';

// float64 FFT on typed arrays (the plan behind the wasm FFT kernels; useful for STFTs in JS)
export { fftBatch, getFftPlan } from './backend/kernels/fftCore.js';
export type { FftPlan } from './backend/kernels/fftCore.js';

// nn: parameters, initialisers, layers, optimisers, schedules, training loop, gradient checks
export { ParameterStore, parameterMatcher } from './nn/ParameterStore.js';
export type {
  CreateParameterOptions,
  LoadRecordOptions,
  ParameterSelector,
  ParameterStoreOptions,
  ParameterTransform,
} from './nn/ParameterStore.js';
export {
  computeFans,
  constant,
  getInitializer,
  glorotNormal,
  glorotUniform,
  heNormal,
  heUniform,
  normal,
  ones,
  orthogonal,
  uniform,
  zeros,
} from './nn/initializers.js';
export type { Initializer, InitializerName, InitializerSpec } from './nn/initializers.js';
export { activation, gelu } from './nn/activations.js';
export type { Activation, ActivationName } from './nn/activations.js';
export type { ApplyOptions, Layer } from './nn/Layer.js';
export { Dense } from './nn/Dense.js';
export type { DenseOptions } from './nn/Dense.js';
export { Conv1d } from './nn/Conv1d.js';
export type { Conv1dOptions } from './nn/Conv1d.js';
export { Conv2d } from './nn/Conv2d.js';
export type { Conv2dOptions } from './nn/Conv2d.js';
export { LSTM } from './nn/LSTM.js';
export type { LSTMApplyOptions, LSTMOptions, LSTMResult } from './nn/LSTM.js';
export { GRU } from './nn/GRU.js';
export type { GRUApplyOptions, GRUOptions, GRUResult } from './nn/GRU.js';
export { LayerNorm } from './nn/LayerNorm.js';
export type { LayerNormOptions } from './nn/LayerNorm.js';
export { Embedding } from './nn/Embedding.js';
export type { EmbeddingOptions } from './nn/Embedding.js';
export { Dropout } from './nn/Dropout.js';
export type { DropoutOptions } from './nn/Dropout.js';
export { MultiHeadAttention, scaledDotProductAttention } from './nn/MultiHeadAttention.js';
export type {
  AttentionOptions,
  MultiHeadAttentionApplyOptions,
  MultiHeadAttentionOptions,
} from './nn/MultiHeadAttention.js';
export { TransformerEncoderLayer } from './nn/TransformerEncoderLayer.js';
export type {
  TransformerEncoderApplyOptions,
  TransformerEncoderLayerOptions,
} from './nn/TransformerEncoderLayer.js';
export { NO_DECAY_BIAS_AND_NORM, Optimizer } from './nn/Optimizer.js';
export type { OptimizerOptions, ParamSource, StepResult } from './nn/Optimizer.js';
export { Adam, AdamW } from './nn/Adam.js';
export type { AdamOptions } from './nn/Adam.js';
export { SGD } from './nn/SGD.js';
export type { SGDOptions } from './nn/SGD.js';
export { clipByGlobalNorm, clipByValue, globalNorm } from './nn/clipGradients.js';
export { constantLr, cosineLr, exponentialLr, linearWarmupLr, stepLr } from './nn/lrSchedules.js';
export type { LrSchedule } from './nn/lrSchedules.js';
export { emptyFitHistory, fit } from './nn/fit.js';
export { nextTurn } from './nn/nextTurn.js';
export type {
  Batch,
  EarlyStoppingOptions,
  FitContext,
  FitHistory,
  FitOptions,
  FitProgress,
} from './nn/fit.js';
export { gradientCheck } from './nn/gradientCheck.js';
export type { GradientCheckEntry, GradientCheckOptions, GradientCheckResult } from './nn/gradientCheck.js';

// sparse ops
export { checkSparseMatrix, SparseMatrix } from './sparse/SparseMatrix.js';
export type { CooTriplets, IndexArrayLike, SparseTransposeStructure } from './sparse/SparseMatrix.js';
export { sparseDenseMatMul } from './sparse/sparseDenseMatMul.js';
export { normalizeAdjacency } from './sparse/normalizeAdjacency.js';
export type { EdgeList, NormalizeAdjacencyOptions } from './sparse/normalizeAdjacency.js';
export { fromGraphology } from './sparse/fromGraphology.js';
export type {
  FromGraphologyOptions,
  FromGraphologyResult,
  GraphologyGraphLike,
} from './sparse/fromGraphology.js';
export { toGraphology } from './sparse/toGraphology.js';
export type { GraphConstructor, GraphologyGraphBuilder, ToGraphologyOptions } from './sparse/toGraphology.js';

// graph: the labelled-graph type, loading, splits, GCN / SGC node classifiers
export type { LabeledGraph, NodeAttributes } from './graph/LabeledGraph.js';
export { checkUndirectedGraph, graphArrays } from './graph/graphArrays.js';
export type { GraphArrays } from './graph/graphArrays.js';
export { graphFromFolderData, loadGraphFolder } from './graph/loadGraphFolder.js';
export type { GraphFromFolderDataOptions, LoadGraphFolderOptions } from './graph/loadGraphFolder.js';
export { largestConnectedComponent } from './graph/largestConnectedComponent.js';
export { planetoidSplit } from './graph/planetoidSplit.js';
export type { SplitNodes } from './graph/planetoidSplit.js';
export { stratifiedSplit } from './graph/stratifiedSplit.js';
export type { StratifiedSplitOptions, StratifiedSplitResult } from './graph/stratifiedSplit.js';
export { asGraphArrays, checkSameNodes, selectNodes } from './graph/nodeClassifier.js';
export type { GraphFitProgressCallback, NodeClassifier, NodeSelection } from './graph/nodeClassifier.js';
export { Gcn } from './graph/Gcn.js';
export type { GcnFitOptions, GcnFitResult, GcnOptions, GcnParams } from './graph/Gcn.js';
export { Sgc } from './graph/Sgc.js';
export type { SgcFitOptions, SgcFitResult, SgcOptions } from './graph/Sgc.js';

// learn: general (non-neural) learners
export { fitLogisticRegression } from './learn/fitLogisticRegression.js';
export type { FitLogisticRegressionOptions, LogisticModel } from './learn/fitLogisticRegression.js';
export { averagePathLength, isolationForest } from './learn/isolationForest.js';
export type { IsolationForestOptions, IsolationForestResult } from './learn/isolationForest.js';
