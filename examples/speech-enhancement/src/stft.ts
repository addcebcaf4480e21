// Short-time Fourier transform and its inverse on typed arrays (float64 FFT from @lab/core).
import { LabInputError, fftBatch } from '@lab/core';

/** Frame settings of {@link stft} / {@link istft}. */
export interface StftConfig {
  /** Window and FFT length in samples (default 256 = 32 ms at 8 kHz). */
  readonly frame: number;
  /** Hop in samples (default 128 = 16 ms at 8 kHz). */
  readonly hop: number;
}

/**
 * The frame settings used throughout the example: 256-sample (32 ms) sqrt-Hann frames with a
 * 128-sample (16 ms) hop at 8 kHz. 32 ms is the window DTLN uses (512 samples at 16 kHz) and
 * gives 31.25 Hz bins, enough to resolve the harmonics of the (male) FSDD voices; the 50 % hop
 * with a sqrt-Hann window on both sides reconstructs perfectly and halves the LSTM steps of a
 * 64-sample hop.
 */
export const STFT_CONFIG: StftConfig = Object.freeze({ frame: 256, hop: 128 });

/** A one-sided spectrogram, `[frames, bins]` row-major, `bins = frame / 2 + 1`. */
export interface Spectrogram {
  readonly frames: number;
  readonly bins: number;
  readonly re: Float32Array;
  readonly im: Float32Array;
  /** Length of the signal it came from (for {@link istft}). */
  readonly length: number;
}

const windows = new Map<number, Float64Array>();

/** Periodic sqrt-Hann window of length `n` (its square sums to 1 at 50 % overlap). */
export function sqrtHann(n: number): Float64Array {
  let w = windows.get(n);
  if (w === undefined) {
    w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[i] = Math.sqrt(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
    windows.set(n, w);
  }
  return w;
}

function checkConfig(fn: string, config: StftConfig): void {
  const { frame, hop } = config;
  if (!Number.isInteger(frame) || frame < 4 || (frame & (frame - 1)) !== 0) {
    throw new LabInputError(fn, 'config.frame', 'must be a power of two >= 4', frame);
  }
  if (!Number.isInteger(hop) || hop < 1 || hop > frame / 2) {
    throw new LabInputError(fn, 'config.hop', 'must be an integer in [1, frame / 2]', hop);
  }
}

/** Number of frames {@link stft} produces for a signal of `length` samples. */
export function frameCount(length: number, config: StftConfig = STFT_CONFIG): number {
  // The signal is padded by frame - hop zeros in front and enough at the end that every sample
  // is covered by frame / hop windows (what perfect reconstruction needs).
  return Math.ceil((length + config.frame - config.hop) / config.hop);
}

/**
 * STFT with a sqrt-Hann analysis window. The signal is padded with `frame - hop` zeros in front
 * (and zeros at the end), so every sample is covered by full windows and {@link istft} returns it
 * exactly. The input is not modified.
 *
 * @see Griffin & Lim, "Signal estimation from modified short-time Fourier transform", 1984 (WOLA).
 */
export function stft(signal: Float32Array | Float64Array, config: StftConfig = STFT_CONFIG): Spectrogram {
  checkConfig('stft', config);
  if (!(signal instanceof Float32Array || signal instanceof Float64Array) || signal.length === 0) {
    throw new LabInputError('stft', 'signal', 'must be a non-empty Float32Array or Float64Array', signal);
  }
  const { frame: n, hop } = config;
  const bins = n / 2 + 1;
  const frames = frameCount(signal.length, config);
  const w = sqrtHann(n);
  const pad = n - hop;
  const buf = new Float64Array(frames * 2 * n);
  for (let t = 0; t < frames; t++) {
    const start = t * hop - pad;
    const off = t * 2 * n;
    for (let i = 0; i < n; i++) {
      const k = start + i;
      if (k >= 0 && k < signal.length) buf[off + 2 * i] = (signal[k] as number) * (w[i] as number);
    }
  }
  const out = fftBatch(buf, n, false, new Float64Array(buf.length));
  const re = new Float32Array(frames * bins);
  const im = new Float32Array(frames * bins);
  for (let t = 0; t < frames; t++) {
    for (let f = 0; f < bins; f++) {
      re[t * bins + f] = out[t * 2 * n + 2 * f] as number;
      im[t * bins + f] = out[t * 2 * n + 2 * f + 1] as number;
    }
  }
  return { frames, bins, re, im, length: signal.length };
}

/**
 * Inverse of {@link stft}: inverse FFT of each frame (Hermitian-completed), sqrt-Hann synthesis
 * window, overlap-add, division by the overlapped squared window. Returns `spec.length` samples.
 */
export function istft(spec: Spectrogram, config: StftConfig = STFT_CONFIG): Float32Array {
  checkConfig('istft', config);
  const { frame: n, hop } = config;
  const bins = n / 2 + 1;
  if (spec.bins !== bins || spec.re.length !== spec.frames * bins || spec.im.length !== spec.re.length) {
    throw new LabInputError('istft', 'spec', `must hold frames x ${bins} bins in re and im`, spec.bins);
  }
  const { frames } = spec;
  const buf = new Float64Array(frames * 2 * n);
  for (let t = 0; t < frames; t++) {
    const off = t * 2 * n;
    for (let f = 0; f < bins; f++) {
      const re = spec.re[t * bins + f] as number;
      const im = spec.im[t * bins + f] as number;
      buf[off + 2 * f] = re;
      buf[off + 2 * f + 1] = im;
      if (f > 0 && f < n / 2) {
        buf[off + 2 * (n - f)] = re;
        buf[off + 2 * (n - f) + 1] = -im;
      }
    }
    // DC and Nyquist must be real for a real signal.
    buf[off + 1] = 0;
    buf[off + n + 1] = 0;
  }
  const time = fftBatch(buf, n, true, new Float64Array(buf.length));
  const w = sqrtHann(n);
  const pad = n - hop;
  const total = (frames - 1) * hop + n;
  const acc = new Float64Array(total);
  const norm = new Float64Array(total);
  for (let t = 0; t < frames; t++) {
    for (let i = 0; i < n; i++) {
      const wi = w[i] as number;
      acc[t * hop + i] = (acc[t * hop + i] as number) + (time[t * 2 * n + 2 * i] as number) * wi;
      norm[t * hop + i] = (norm[t * hop + i] as number) + wi * wi;
    }
  }
  const out = new Float32Array(spec.length);
  for (let k = 0; k < spec.length; k++) {
    const nk = norm[k + pad] as number;
    out[k] = nk > 1e-12 ? (acc[k + pad] as number) / nk : 0;
  }
  return out;
}
