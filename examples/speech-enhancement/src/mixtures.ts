// Noisy mixtures: the evaluation sets (one clip per mixture) and the fixed-length training pool.
import { LabInputError, createRng } from '@lab/core';
import type { FsddClip } from './fsdd.js';
import { NOISE_KINDS, type NoiseKind, generateNoise, mixAtSnr } from './noise.js';

/** One noisy mixture. */
export interface Mixture {
  readonly id: string;
  readonly clean: Float32Array;
  readonly noisy: Float32Array;
  readonly noise: NoiseKind;
  readonly snrDb: number;
}

/** Options of {@link makeMixtures}. */
export interface MakeMixturesOptions {
  readonly seed: number | string;
  /** Number of mixtures. */
  readonly count: number;
  /** Recordings babble is made of (training-split speakers). */
  readonly babbleSources: readonly Float32Array[];
  /** SNR range in dB (default [-5, 15]). */
  readonly snrRange?: readonly [number, number];
  /**
   * Fixed length in samples: clips are concatenated (with 0-100 ms pauses) until it is filled
   * (training pool). Default: one whole clip per mixture (evaluation).
   */
  readonly segmentSamples?: number;
  /** RMS the noisy mixture is scaled to (clean scaled by the same gain; default 0.05). */
  readonly level?: number;
}

/**
 * Mixtures of `clips` with generated noise at SNRs uniform in `snrRange`, noise types cycling
 * through white, pink, brown, hum, modulated and babble. Deterministic given `seed`.
 */
export function makeMixtures(clips: readonly FsddClip[], options: MakeMixturesOptions): Mixture[] {
  const fn = 'makeMixtures';
  if (!Array.isArray(clips) || clips.length === 0) throw new LabInputError(fn, 'clips', 'must be a non-empty array', clips);
  const { count, seed } = options;
  if (!Number.isInteger(count) || count < 1) throw new LabInputError(fn, 'options.count', 'must be a positive integer', count);
  const [lo, hi] = options.snrRange ?? [-5, 15];
  if (!(lo <= hi)) throw new LabInputError(fn, 'options.snrRange', 'must be [low, high] with low <= high', options.snrRange);
  const level = options.level ?? 0.05;
  const rng = createRng(`${String(seed)}:mixtures`);
  const order = rng.permutation(clips.length);
  const out: Mixture[] = [];
  for (let i = 0; i < count; i++) {
    let clean: Float32Array;
    let id: string;
    if (options.segmentSamples === undefined) {
      const c = clips[order[i % clips.length] as number] as FsddClip;
      clean = c.audio.slice();
      id = c.id;
    } else {
      const L = options.segmentSamples;
      clean = new Float32Array(L);
      const ids: string[] = [];
      let pos = rng.int(800);
      while (pos < L) {
        const c = clips[rng.int(clips.length)] as FsddClip;
        ids.push(c.id);
        const n = Math.min(c.audio.length, L - pos);
        clean.set(c.audio.subarray(0, n), pos);
        pos += n + rng.int(800);
      }
      id = ids.join('+');
    }
    const noise = NOISE_KINDS[i % NOISE_KINDS.length] as NoiseKind;
    const snrDb = rng.uniform(lo, hi);
    const n = generateNoise(noise, clean.length, {
      seed: `${String(seed)}:${i}`,
      babbleSources: options.babbleSources,
    });
    const { noisy } = mixAtSnr(clean, n, snrDb);
    let e = 0;
    for (let k = 0; k < noisy.length; k++) e += (noisy[k] as number) ** 2;
    const g = level / Math.sqrt(e / noisy.length);
    for (let k = 0; k < noisy.length; k++) {
      noisy[k] = (noisy[k] as number) * g;
      clean[k] = (clean[k] as number) * g;
    }
    out.push({ id, clean, noisy, noise, snrDb });
  }
  return out;
}
