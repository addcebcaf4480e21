// Everything the runs need from the data: the training pool, validation and test mixtures.
import type { FsddClip } from './fsdd.js';
import { type FeatureStats, featureStats, normalize, trainingFrames } from './features.js';
import { type Mixture, makeMixtures } from './mixtures.js';
import { STFT_CONFIG } from './stft.js';
import type { TrainingPool } from './train.js';

/** Sizes of the prepared data. */
export interface PrepareDataOptions {
  readonly seed: number;
  /** Training segments in the pool. */
  readonly poolSize: number;
  /** Frames per training segment. */
  readonly segmentFrames: number;
  readonly validationCount: number;
  readonly testCount: number;
}

/** Result of {@link prepareData}. */
export interface PreparedData {
  readonly pool: TrainingPool;
  readonly stats: FeatureStats;
  readonly validation: Mixture[];
  readonly test: Mixture[];
}

/**
 * Builds the fixed-length training pool from the training speakers (features normalised with
 * the pool's own per-bin statistics), and one-clip mixtures of the validation and test speakers.
 * Babble is always made of training-speaker recordings, so no test voice leaks into training.
 */
export function prepareData(
  parts: { train: FsddClip[]; validation: FsddClip[]; test: FsddClip[] },
  options: PrepareDataOptions,
): PreparedData {
  const { seed } = options;
  const babbleSources = parts.train.map((c) => c.audio);
  const segmentSamples = (options.segmentFrames - 1) * STFT_CONFIG.hop;
  const trainMix = makeMixtures(parts.train, {
    seed: `${seed}:train`,
    count: options.poolSize,
    babbleSources,
    segmentSamples,
  });
  const frames = trainMix.map((m) => trainingFrames(m.noisy, m.clean));
  const bins = STFT_CONFIG.frame / 2; // the model's bins: see modelBins
  const stats = featureStats(
    frames.map((f) => f.logPower),
    bins,
  );
  const pool: TrainingPool = {
    frames: options.segmentFrames,
    bins,
    features: frames.map((f) => normalize(f.logPower.slice(), stats)),
    magnitude: frames.map((f) => f.magnitude),
    target: frames.map((f) => f.target),
  };
  const validation = makeMixtures(parts.validation, {
    seed: `${seed}:validation`,
    count: options.validationCount,
    babbleSources,
  });
  const test = makeMixtures(parts.test, { seed: `${seed}:test`, count: options.testCount, babbleSources });
  return { pool, stats, validation, test };
}
