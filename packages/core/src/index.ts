// Public API of @lab/core: named re-exports only, grouped by area.

// errors
export { LabInputError, checkFinite, checkInteger, checkRange, checkTensor, describeValue } from './errors.js';

// backend
export { initBackend } from './backend/initBackend.js';
export type { BackendName, InitBackendOptions, InitBackendResult } from './backend/initBackend.js';
export { registerWasmKernels } from './backend/kernels/registerWasmKernels.js';

// random
export { createRng } from './random/createRng.js';
export type { Rng } from './random/createRng.js';

// random samplers
export { bernoulliMask, randomNormalTensor, randomUniformTensor, truncatedNormal } from './random/randomTensors.js';
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
export { parseCsvSeries, readCsvSeries } from './io/readCsvSeries.js';
export type { CsvSeries, ParseCsvSeriesOptions } from './io/readCsvSeries.js';
export { loadGraphFolder, parseGraphFolder } from './io/loadGraphFolder.js';
export type {
  GraphFolderData,
  GraphFolderFiles,
  GraphSplit,
  ParseGraphFolderOptions,
} from './io/loadGraphFolder.js';
export { encodeWav, parseWav, readWav, writeWav } from './io/wav.js';
export type { EncodeWavOptions, ParsedWav, WavAudio } from './io/wav.js';

// serialization
export { PARAMETERS_FORMAT, PARAMETERS_VERSION } from './serialization/parametersFormat.js';
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
