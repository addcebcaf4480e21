// Public API of @lab/riemann-latent: named re-exports only.

// decoder interface
export type { DecoderPrediction, JacobianMoments, StochasticDecoder } from './StochasticDecoder.js';

// decoders (GP, GP-LVM, neural) and synthetic data
export { GaussianProcessDecoder } from './GaussianProcessDecoder.js';
export type { GaussianProcessDecoderOptions, MatrixInput } from './GaussianProcessDecoder.js';
export { createKernel, kernelMatrix } from './kernels.js';
export type { Kernel, KernelOptions, KernelParameter, KernelType } from './kernels.js';
export { GPLVM, gpLogMarginalLikelihood } from './GPLVM.js';
export type {
  GPLVMFitOptions,
  GPLVMFitResult,
  GPLVMOptions,
  GPLVMProgress,
  GpLogMarginalLikelihoodOptions,
} from './GPLVM.js';
export { NeuralDecoder } from './NeuralDecoder.js';
export type {
  NeuralDecoderActivation,
  NeuralDecoderFitOptions,
  NeuralDecoderJacobians,
  NeuralDecoderOptions,
} from './NeuralDecoder.js';
export { embedInDimensions, pinwheel } from './pinwheel.js';
export type { EmbedInDimensionsOptions, PinwheelOptions, PinwheelResult } from './pinwheel.js';

// metrics
export { expectedNorm, expectedNormDerivatives, expectedNormGap } from './expectedNorm.js';
export type { ExpectedNormDerivatives, ExpectedNormOptions } from './expectedNorm.js';
export { expectedNormTf } from './expectedNormTf.js';
export { finslerMetric } from './finslerMetric.js';
export { riemannianMetric } from './riemannianMetric.js';
export { expectedPullbackMetric } from './expectedPullbackMetric.js';
export { monteCarloMetric } from './monteCarloMetric.js';
export type { MonteCarloMetricOptions, MonteCarloMetricResult } from './monteCarloMetric.js';

// curves
export { CubicSpline } from './CubicSpline.js';
export type { CubicSplineOptions } from './CubicSpline.js';
export { curveLength } from './curveLength.js';
export type { CurveLengthOptions, CurveMeasureOptions, MetricKind } from './curveLength.js';
export { curveEnergy } from './curveEnergy.js';
export type { CurveEnergyOptions } from './curveEnergy.js';
export { reparametrize } from './reparametrize.js';
export type { ReparametrizeOptions, ReparametrizeResult } from './reparametrize.js';

// geodesics and distances
export { connectingGeodesic } from './connectingGeodesic.js';
export type {
  ConnectingGeodesicOptions,
  ConnectingGeodesicResult,
  GeodesicProgress,
} from './connectingGeodesic.js';
export { graphGeodesic } from './graphGeodesic.js';
export type { GraphGeodesicOptions, GraphGeodesicResult, LatentGridOptions } from './graphGeodesic.js';
export { geodesicDistances } from './geodesicDistances.js';
export type { GeodesicDistancesOptions, GeodesicDistancesResult } from './geodesicDistances.js';

// volume
export { riemannianVolume } from './riemannianVolume.js';
export { finslerVolume } from './finslerVolume.js';
export type { FinslerVolumeOptions } from './finslerVolume.js';
export { volumeGrid } from './volumeGrid.js';
export type { VolumeGridOptions, VolumeGridResult } from './volumeGrid.js';
