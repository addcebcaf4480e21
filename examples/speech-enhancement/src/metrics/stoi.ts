import { LabInputError, fftBatch } from '@lab/core';
import { checkPair } from './checkPair.js';

/** STOI's constants (Taal et al. 2011). */
const FS = 10000;
const FRAME = 256;
const HOP = 128;
const NFFT = 512;
const BANDS = 15;
const MIN_FREQ = 150;
const SEGMENT = 30;
const BETA_DB = -15;
const DYN_RANGE_DB = 40;
const EPS = 2.220446049250313e-16;

/**
 * Band-limited resampling by an integer ratio `up / down` via the DFT of the whole signal
 * (zero-padded to a multiple of `down`): exact for periodic band-limited signals.
 */
export function resampleFft(x: Float64Array, up: number, down: number): Float64Array {
  const n = Math.ceil(x.length / down) * down;
  const m = (n / down) * up;
  const buf = new Float64Array(2 * n);
  for (let i = 0; i < x.length; i++) buf[2 * i] = x[i] as number;
  const X = fftBatch(buf, n, false, new Float64Array(2 * n));
  const Y = new Float64Array(2 * m);
  const half = Math.floor(Math.min(n, m) / 2);
  for (let k = 0; k < half; k++) {
    Y[2 * k] = X[2 * k] as number;
    Y[2 * k + 1] = X[2 * k + 1] as number;
    if (k > 0) {
      Y[2 * (m - k)] = X[2 * (n - k)] as number;
      Y[2 * (m - k) + 1] = X[2 * (n - k) + 1] as number;
    }
  }
  const y = fftBatch(Y, m, true, new Float64Array(2 * m));
  const len = Math.round((x.length * up) / down);
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) out[i] = ((y[2 * i] as number) * m) / n;
  return out;
}

/** Hann window of `n` points without the zero end points (MATLAB `hanning(n)`). */
function hanning(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 1)) / (n + 1));
  return w;
}

/** Drops frames of `x` more than 40 dB below its loudest frame, from both signals (overlap-add). */
function removeSilentFrames(x: Float64Array, y: Float64Array): [Float64Array, Float64Array] {
  const w = hanning(FRAME);
  const frames = Math.max(0, Math.floor((x.length - FRAME) / HOP) + 1);
  const energy = new Float64Array(frames);
  for (let t = 0; t < frames; t++) {
    let e = 0;
    for (let i = 0; i < FRAME; i++) e += ((w[i] as number) * (x[t * HOP + i] as number)) ** 2;
    energy[t] = 20 * Math.log10(Math.sqrt(e) + EPS);
  }
  let max = Number.NEGATIVE_INFINITY;
  for (const e of energy) max = Math.max(max, e);
  const keep: number[] = [];
  for (let t = 0; t < frames; t++) if ((energy[t] as number) > max - DYN_RANGE_DB) keep.push(t);
  const len = keep.length === 0 ? 0 : (keep.length - 1) * HOP + FRAME;
  const xs = new Float64Array(len);
  const ys = new Float64Array(len);
  keep.forEach((t, j) => {
    for (let i = 0; i < FRAME; i++) {
      xs[j * HOP + i] = (xs[j * HOP + i] as number) + (w[i] as number) * (x[t * HOP + i] as number);
      ys[j * HOP + i] = (ys[j * HOP + i] as number) + (w[i] as number) * (y[t * HOP + i] as number);
    }
  });
  return [xs, ys];
}

/** One-third-octave band envelopes `[bands][frames]` of a signal at 10 kHz. */
function bandEnvelopes(x: Float64Array): Float64Array[] {
  const w = hanning(FRAME);
  const frames = Math.max(0, Math.floor((x.length - FRAME) / HOP) + 1);
  const buf = new Float64Array(frames * 2 * NFFT);
  for (let t = 0; t < frames; t++) {
    for (let i = 0; i < FRAME; i++) buf[t * 2 * NFFT + 2 * i] = (w[i] as number) * (x[t * HOP + i] as number);
  }
  const spec = frames > 0 ? fftBatch(buf, NFFT, false, new Float64Array(buf.length)) : buf;
  // Band edges as pystoi's thirdoct: nearest FFT bins to the 1/3-octave band limits.
  const bins = NFFT / 2 + 1;
  const freq = (k: number) => (k * FS) / NFFT;
  const nearest = (f: number) => {
    let best = 0;
    for (let k = 1; k < bins; k++) if ((freq(k) - f) ** 2 < (freq(best) - f) ** 2) best = k;
    return best;
  };
  const out: Float64Array[] = [];
  for (let b = 0; b < BANDS; b++) {
    const lo = nearest(MIN_FREQ * 2 ** ((2 * b - 1) / 6));
    const hi = nearest(MIN_FREQ * 2 ** ((2 * b + 1) / 6));
    const env = new Float64Array(frames);
    for (let t = 0; t < frames; t++) {
      let s = 0;
      for (let k = lo; k < hi; k++) s += (spec[t * 2 * NFFT + 2 * k] as number) ** 2 + (spec[t * 2 * NFFT + 2 * k + 1] as number) ** 2;
      env[t] = Math.sqrt(s);
    }
    out.push(env);
  }
  return out;
}

/**
 * Short-time objective intelligibility (STOI, 0..1) of `estimate` against the clean `reference`,
 * both at `sampleRate` Hz. As defined by Taal et al.: signals at 10 kHz, silent frames (40 dB
 * below the loudest clean frame) removed, 256-sample Hann frames with 50 % overlap and a
 * 512-point FFT, 15 one-third-octave bands from 150 Hz, 30-frame (384 ms) segments, clipping at
 * beta = -15 dB, correlation averaged over bands and segments. Signals at another rate are
 * resampled by band-limited DFT interpolation first (8 kHz input: nothing above 4 kHz, so the
 * top band, 3.4-4.3 kHz, is only partly filled). Throws if fewer than 30 frames remain.
 *
 * @see Taal, Hendriks, Heusdens, Jensen, "An Algorithm for Intelligibility Prediction of
 *   Time-Frequency Weighted Noisy Speech", IEEE TASLP 19(7), 2011.
 */
export function stoi(estimate: Float32Array | Float64Array, reference: Float32Array | Float64Array, sampleRate: number): number {
  checkPair('stoi', estimate, reference);
  if (!(sampleRate === FS || sampleRate === 8000 || sampleRate === 16000 || sampleRate === 20000)) {
    throw new LabInputError('stoi', 'sampleRate', 'must be 8000, 10000, 16000 or 20000', sampleRate);
  }
  const to10k = (s: Float32Array | Float64Array): Float64Array => {
    const x = Float64Array.from(s);
    if (sampleRate === FS) return x;
    if (sampleRate === 8000) return resampleFft(x, 5, 4);
    return resampleFft(x, 5, sampleRate / 2000);
  };
  const [x, y] = removeSilentFrames(to10k(reference), to10k(estimate));
  const X = bandEnvelopes(x);
  const Y = bandEnvelopes(y);
  const frames = (X[0] as Float64Array).length;
  if (frames < SEGMENT) {
    throw new LabInputError('stoi', 'reference', `must have at least ${SEGMENT} non-silent frames (384 ms at 10 kHz)`, frames);
  }
  const clip = 1 + 10 ** (-BETA_DB / 20);
  let total = 0;
  let count = 0;
  const xs = new Float64Array(SEGMENT);
  const ys = new Float64Array(SEGMENT);
  for (let m = SEGMENT; m <= frames; m++) {
    for (let b = 0; b < BANDS; b++) {
      const xb = X[b] as Float64Array;
      const yb = Y[b] as Float64Array;
      let nx = 0;
      let ny = 0;
      for (let i = 0; i < SEGMENT; i++) {
        xs[i] = xb[m - SEGMENT + i] as number;
        ys[i] = yb[m - SEGMENT + i] as number;
        nx += (xs[i] as number) ** 2;
        ny += (ys[i] as number) ** 2;
      }
      const alpha = Math.sqrt(nx) / (Math.sqrt(ny) + EPS);
      let mx = 0;
      let my = 0;
      for (let i = 0; i < SEGMENT; i++) {
        ys[i] = Math.min(alpha * (ys[i] as number), (xs[i] as number) * clip);
        mx += xs[i] as number;
        my += ys[i] as number;
      }
      mx /= SEGMENT;
      my /= SEGMENT;
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      for (let i = 0; i < SEGMENT; i++) {
        const a = (xs[i] as number) - mx;
        const c = (ys[i] as number) - my;
        sxy += a * c;
        sxx += a * a;
        syy += c * c;
      }
      total += sxy / ((Math.sqrt(sxx) + EPS) * (Math.sqrt(syy) + EPS));
      count++;
    }
  }
  return total / count;
}
