// Spectral features and training targets.
import { type Spectrogram, stft } from './stft.js';

/** Small floor inside the log (power of a -80 dB re full-scale bin). */
const LOG_FLOOR = 1e-8;

/**
 * Bins the model sees: 0 .. frame/2 - 1 (DC to 3969 Hz at 8 kHz). The Nyquist bin (4 kHz) carries
 * nothing after the recordings' anti-alias filter and is always masked to 0; dropping it makes
 * every weight matrix a multiple of 8 on both axes, so Ethos-U's 8x8 blocks tile them.
 */
function modelBins(spec: { bins: number }): number {
  return spec.bins - 1;
}

/** Log power `log(re^2 + im^2 + floor)` of the model's bins, `[frames, bins - 1]`. */
export function logPower(spec: Spectrogram): Float32Array {
  const F = modelBins(spec);
  const out = new Float32Array(spec.frames * F);
  for (let t = 0; t < spec.frames; t++) {
    for (let f = 0; f < F; f++) {
      const i = t * spec.bins + f;
      out[t * F + f] = Math.log((spec.re[i] as number) ** 2 + (spec.im[i] as number) ** 2 + LOG_FLOOR);
    }
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
  /** Log power of the noisy STFT, `[frames, modelBins]` (not yet normalised); all three arrays drop the Nyquist bin. */
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
  const F = modelBins(Y);
  const magnitude = new Float32Array(Y.frames * F);
  const target = new Float32Array(Y.frames * F);
  for (let t = 0; t < Y.frames; t++) {
    for (let f = 0; f < F; f++) {
      const i = t * Y.bins + f;
      const yr = Y.re[i] as number;
      const yi = Y.im[i] as number;
      const m = Math.sqrt(yr * yr + yi * yi);
      magnitude[t * F + f] = m;
      target[t * F + f] = m > 0 ? ((S.re[i] as number) * yr + (S.im[i] as number) * yi) / m : 0;
    }
  }
  return { frames: Y.frames, logPower: logPower(Y), magnitude, target };
}
