// Spectral features and training targets.
import { type Spectrogram, stft } from './stft.js';

/** Small floor inside the log (power of a -80 dB re full-scale bin). */
const LOG_FLOOR = 1e-8;

/** Log power `log(re^2 + im^2 + floor)` per bin, `[frames, bins]`. */
export function logPower(spec: Spectrogram): Float32Array {
  const out = new Float32Array(spec.re.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.log((spec.re[i] as number) ** 2 + (spec.im[i] as number) ** 2 + LOG_FLOOR);
  }
  return out;
}

/** Per-bin mean and standard deviation of the log-power features. */
export interface FeatureStats {
  readonly mean: Float32Array;
  readonly std: Float32Array;
}

/** Feature statistics over a list of `[frames, bins]` log-power arrays. */
export function featureStats(features: readonly Float32Array[], bins: number): FeatureStats {
  const sum = new Float64Array(bins);
  const sq = new Float64Array(bins);
  let n = 0;
  for (const f of features) {
    for (let i = 0; i < f.length; i++) {
      const v = f[i] as number;
      sum[i % bins] = (sum[i % bins] as number) + v;
      sq[i % bins] = (sq[i % bins] as number) + v * v;
    }
    n += f.length / bins;
  }
  const mean = new Float32Array(bins);
  const std = new Float32Array(bins);
  for (let b = 0; b < bins; b++) {
    const m = (sum[b] as number) / n;
    mean[b] = m;
    std[b] = Math.sqrt(Math.max((sq[b] as number) / n - m * m, 1e-6));
  }
  return { mean, std };
}

/** Normalises log-power features in place with `stats` and returns them. */
export function normalize(features: Float32Array, stats: FeatureStats): Float32Array {
  const bins = stats.mean.length;
  for (let i = 0; i < features.length; i++) {
    features[i] = ((features[i] as number) - (stats.mean[i % bins] as number)) / (stats.std[i % bins] as number);
  }
  return features;
}

/** What training needs of one mixture: its features, noisy magnitude and phase-sensitive target. */
export interface TrainingFrames {
  readonly frames: number;
  /** Log power of the noisy STFT, `[frames, bins]` (not yet normalised). */
  readonly logPower: Float32Array;
  /** |Y|, `[frames, bins]`. */
  readonly magnitude: Float32Array;
  /**
   * Phase-sensitive target `|S| cos(theta_S - theta_Y) = Re(S conj(Y)) / |Y|`. Minimising
   * `sum (M |Y| - target)^2` minimises `||M Y - S||^2`, i.e. (by Parseval and the tight sqrt-Hann
   * frame) the time-domain error energy that SNR-style SDR measures.
   */
  readonly target: Float32Array;
}

/**
 * Features and phase-sensitive targets of a (noisy, clean) pair.
 * @see Erdogan, Hershey, Watanabe, Le Roux, "Phase-sensitive and recognition-boosted speech separation", ICASSP 2015.
 */
export function trainingFrames(noisy: Float32Array, clean: Float32Array): TrainingFrames {
  const Y = stft(noisy);
  const S = stft(clean);
  const magnitude = new Float32Array(Y.re.length);
  const target = new Float32Array(Y.re.length);
  for (let i = 0; i < magnitude.length; i++) {
    const yr = Y.re[i] as number;
    const yi = Y.im[i] as number;
    const m = Math.sqrt(yr * yr + yi * yi);
    magnitude[i] = m;
    target[i] = m > 0 ? ((S.re[i] as number) * yr + (S.im[i] as number) * yi) / m : 0;
  }
  return { frames: Y.frames, logPower: logPower(Y), magnitude, target };
}
