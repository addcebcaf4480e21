// Seeded noise generators for the mixtures: white, pink, brown, mains hum, modulated, babble.
import { LabInputError, createRng, fftBatch, type Rng, readOptions } from '@lab/core';

/** The noise types of the example. */
export type NoiseKind = 'white' | 'pink' | 'brown' | 'hum' | 'modulated' | 'babble';

/** Every noise type, in a fixed order. */
export const NOISE_KINDS: readonly NoiseKind[] = Object.freeze(['white', 'pink', 'brown', 'hum', 'modulated', 'babble']);

/** Options of {@link generateNoise}. */
export interface GenerateNoiseOptions {
  /** Seed of every random choice (default 0). */
  readonly seed?: number | string;
  /** Generator to draw the seed from instead (at most one of `seed` and `rng`). */
  readonly rng?: Rng;
  /** Sample rate in Hz (default 8000). */
  readonly sampleRate?: number;
  /** Recordings babble is made of (required for `babble`; use training-split speakers only). */
  readonly babbleSources?: readonly Float32Array[];
}

function rms(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] as number) ** 2;
  return Math.sqrt(s / x.length);
}

/** Gaussian noise with power spectral density proportional to 1 / f^alpha (DC removed). */
function coloured(length: number, alpha: number, rng: Rng): Float64Array {
  const buf = new Float64Array(2 * length);
  for (let i = 0; i < length; i++) buf[2 * i] = rng.normal();
  const spec = fftBatch(buf, length, false, new Float64Array(2 * length));
  spec[0] = 0;
  spec[1] = 0;
  for (let k = 1; k < length; k++) {
    // |frequency index| for the negative half keeps the spectrum Hermitian (real output).
    const f = Math.min(k, length - k);
    const g = f ** (-alpha / 2);
    spec[2 * k] = (spec[2 * k] as number) * g;
    spec[2 * k + 1] = (spec[2 * k + 1] as number) * g;
  }
  const time = fftBatch(spec, length, true, new Float64Array(2 * length));
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = time[2 * i] as number;
  return out;
}

/**
 * A unit-RMS noise signal of `length` samples, deterministic given `seed`:
 * - `white`: i.i.d. Gaussian;
 * - `pink` / `brown`: Gaussian shaped in the frequency domain to a 1/f / 1/f^2 power spectrum;
 * - `hum`: mains hum at 50 or 60 Hz with 1-12 harmonics (amplitudes ~1/k, random phases) plus
 *   white noise 30 dB below;
 * - `modulated`: white or pink noise times `1 + d sin(2 pi f_m t)`, `f_m` in [0.5, 8] Hz, `d` in [0.5, 1];
 * - `babble`: 3-6 recordings from `babbleSources` at random offsets, each looped to the length
 *   and scaled to equal RMS before summing.
 *
 * @see Stamenovic et al., arXiv 2111.02351 (noise types chosen for this example, not the paper's DNS data).
 */
export function generateNoise(kind: NoiseKind, length: number, options: GenerateNoiseOptions): Float32Array {
  const fn = 'generateNoise';
  if (!NOISE_KINDS.includes(kind)) throw new LabInputError(fn, 'kind', `must be one of ${NOISE_KINDS.join(', ')}`, kind);
  if (!Number.isInteger(length) || length < 2) throw new LabInputError(fn, 'length', 'must be an integer >= 2', length);
  const o = readOptions(fn, options, ['seed', 'rng', 'sampleRate', 'babbleSources']);
  const sr = o.number('sampleRate', 8000, { min: 0, open: { min: true } });
  // The stream's seed is derived as a string (`${seed}:${kind}`), as before.
  const rng = createRng(`${String(o.seedValue())}:${kind}`);
  let x: Float64Array;
  switch (kind) {
    case 'white':
      x = new Float64Array(length);
      rng.fillNormal(x);
      break;
    case 'pink':
      x = coloured(length, 1, rng);
      break;
    case 'brown':
      x = coloured(length, 2, rng);
      break;
    case 'hum': {
      const f0 = rng.next() < 0.5 ? 50 : 60;
      const harmonics = 1 + rng.int(12);
      x = new Float64Array(length);
      for (let k = 1; k <= harmonics && k * f0 < sr / 2; k++) {
        const amp = (1 / k) * rng.uniform(0.5, 1.5);
        const phase = rng.uniform(0, 2 * Math.PI);
        const w = (2 * Math.PI * k * f0) / sr;
        for (let i = 0; i < length; i++) x[i] = (x[i] as number) + amp * Math.sin(w * i + phase);
      }
      const floor = rms(x) * 10 ** (-30 / 20);
      for (let i = 0; i < length; i++) x[i] = (x[i] as number) + floor * rng.normal();
      break;
    }
    case 'modulated': {
      x = rng.next() < 0.5 ? coloured(length, 1, rng) : rng.fillNormal(new Float64Array(length));
      const fm = rng.uniform(0.5, 8);
      const depth = rng.uniform(0.5, 1);
      const phase = rng.uniform(0, 2 * Math.PI);
      for (let i = 0; i < length; i++) x[i] = (x[i] as number) * (1 + depth * Math.sin((2 * Math.PI * fm * i) / sr + phase));
      break;
    }
    case 'babble': {
      const sources = options.babbleSources;
      if (!Array.isArray(sources) || sources.length === 0 || !sources.every((s) => s instanceof Float32Array && s.length > 0)) {
        throw new LabInputError(fn, 'options.babbleSources', 'must be a non-empty array of non-empty Float32Arrays for babble', sources);
      }
      const talkers = 3 + rng.int(4);
      x = new Float64Array(length);
      for (let j = 0; j < talkers; j++) {
        const src = sources[rng.int(sources.length)] as Float32Array;
        const offset = rng.int(src.length);
        let e = 0;
        for (let i = 0; i < src.length; i++) e += (src[i] as number) ** 2;
        const g = e > 0 ? 1 / Math.sqrt(e / src.length) : 0;
        for (let i = 0; i < length; i++) x[i] = (x[i] as number) + g * (src[(i + offset) % src.length] as number);
      }
      break;
    }
  }
  const r = rms(x);
  const out = new Float32Array(length);
  const g = r > 0 ? 1 / r : 0;
  for (let i = 0; i < length; i++) out[i] = (x[i] as number) * g;
  return out;
}

/** Result of {@link mixAtSnr}. */
export interface MixAtSnrResult {
  /** `clean + gain * noise`. */
  readonly noisy: Float32Array;
  /** The scaled noise actually added. */
  readonly noise: Float32Array;
  /** The gain applied to `noise`. */
  readonly gain: number;
}

/**
 * Adds `noise` to `clean` scaled so that `10 log10(||clean||^2 / ||gain * noise||^2) = snrDb`
 * (energies over the whole signal). Inputs are not modified.
 */
export function mixAtSnr(clean: Float32Array, noise: Float32Array, snrDb: number): MixAtSnrResult {
  const fn = 'mixAtSnr';
  if (!(clean instanceof Float32Array) || clean.length === 0) throw new LabInputError(fn, 'clean', 'must be a non-empty Float32Array', clean);
  if (!(noise instanceof Float32Array) || noise.length !== clean.length) {
    throw new LabInputError(fn, 'noise', `must be a Float32Array of length ${clean.length}`, noise);
  }
  if (typeof snrDb !== 'number' || !Number.isFinite(snrDb)) throw new LabInputError(fn, 'snrDb', 'must be a finite number', snrDb);
  let es = 0;
  let en = 0;
  for (let i = 0; i < clean.length; i++) {
    es += (clean[i] as number) ** 2;
    en += (noise[i] as number) ** 2;
  }
  if (!(es > 0)) throw new LabInputError(fn, 'clean', 'must not be all zeros', clean.length);
  if (!(en > 0)) throw new LabInputError(fn, 'noise', 'must not be all zeros', noise.length);
  const gain = Math.sqrt(es / (en * 10 ** (snrDb / 10)));
  const scaled = new Float32Array(clean.length);
  const noisy = new Float32Array(clean.length);
  for (let i = 0; i < clean.length; i++) {
    scaled[i] = gain * (noise[i] as number);
    noisy[i] = (clean[i] as number) + (scaled[i] as number);
  }
  return { noisy, noise: scaled, gain };
}
