// Public API of @lab/pattern-forecast: named re-exports only.

// data
export { ETT_HOUR_BORDERS, ettSplit, ratioSplit } from './splits.js';
export type { EttSplitOptions, RatioSplitOptions, RowRange, SeriesSplit } from './splits.js';
export { StandardScaler } from './StandardScaler.js';
export type { StandardScalerFitOptions } from './StandardScaler.js';
export { slidingWindows } from './slidingWindows.js';
export type { SlidingWindowsOptions } from './slidingWindows.js';
export { prepareForecastData } from './prepareForecastData.js';
export type { ForecastData, PrepareForecastDataOptions } from './prepareForecastData.js';

// forecasters
export { evaluateForecaster, gatherWindows } from './Forecaster.js';
export type {
  EvaluateOptions,
  EvaluateResult,
  Forecaster,
  ForecasterFitOptions,
  ForecasterFitResult,
} from './Forecaster.js';
export { RepeatForecaster } from './RepeatForecaster.js';
export type { RepeatForecasterOptions } from './RepeatForecaster.js';
export { SeasonalNaiveForecaster } from './SeasonalNaiveForecaster.js';
export type { SeasonalNaiveForecasterOptions } from './SeasonalNaiveForecaster.js';
export { NeuralForecaster } from './NeuralForecaster.js';
export { FORECASTER_FORMAT, FORECASTER_LIMITS } from './forecasterConfig.js';
export type { ForecasterKind } from './forecasterConfig.js';
export type { InstanceNorm, NeuralForecasterOptions } from './NeuralForecaster.js';
export { LinearForecaster } from './LinearForecaster.js';
export type { LinearForecasterOptions } from './LinearForecaster.js';
export { DLinearForecaster, movingAverageMatrix } from './DLinearForecaster.js';
export type { DLinearForecasterOptions } from './DLinearForecaster.js';
export { patternBasis } from './patternBasis.js';
export type { PatternBasisKind, PatternBasisOptions } from './patternBasis.js';
export { PatternForecaster } from './PatternForecaster.js';
export type { PatternForecasterOptions } from './PatternForecaster.js';
export { decodeForecaster, loadForecaster } from './loadForecaster.js';
export type { DecodeForecasterOptions } from './loadForecaster.js';
