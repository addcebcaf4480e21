import FFT from 'fft.js';
import { LabInputError } from '../../errors.js';

/**
 * A reusable plan for the unnormalised 1-D discrete Fourier transform of one length `n`,
 * computed in float64 on interleaved `(re, im)` arrays.
 *
 * Powers of two use the radix-4 transform of `fft.js`; every other length uses Bluestein's
 * chirp-z algorithm, which rewrites the DFT as a circular convolution of power-of-two length
 * `m >= 2n - 1` evaluated with `fft.js`.
 *
 * @see L. Bluestein, "A linear filtering approach to the computation of discrete Fourier
 *   transform", IEEE Trans. Audio Electroacoustics 18(4), 1970.
 * @see https://github.com/indutny/fft.js
 */
export interface FftPlan {
  /** Transform length. */
  readonly n: number;
  /**
   * Transforms `input` (2n interleaved floats, read only) into `output` (2n floats).
   * `inverse` computes `x_k = (1/n) sum_j X_j e^{+2 pi i jk/n}` (normalised, as tfjs `ifft`);
   * otherwise `X_k = sum_j x_j e^{-2 pi i jk/n}` (unnormalised, as tfjs `fft`).
   */
  transform(input: Float64Array, output: Float64Array, inverse: boolean): void;
}

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

function nextPowerOfTwo(n: number): number {
  let m = 1;
  while (m < n) m *= 2;
  return m;
}

/** Forward unnormalised DFT of power-of-two length via fft.js (`size >= 2`). */
class Radix2Plan {
  private readonly fft: FFT;
  constructor(readonly n: number) {
    this.fft = new FFT(n);
  }
  forward(input: Float64Array, output: Float64Array): void {
    this.fft.transform(output, input);
  }
}

/** Forward unnormalised DFT of any length >= 2 via Bluestein's chirp-z convolution. */
class BluesteinPlan {
  private readonly m: number;
  private readonly inner: Radix2Plan;
  /** chirp w_k = exp(-i pi k^2 / n), interleaved, k = 0..n-1. */
  private readonly chirp: Float64Array;
  /** FFT of the conjugate chirp laid out circularly over length m. */
  private readonly chirpSpectrum: Float64Array;
  private readonly a: Float64Array;
  private readonly aHat: Float64Array;
  private readonly conv: Float64Array;

  constructor(readonly n: number) {
    this.m = nextPowerOfTwo(2 * n - 1);
    this.inner = new Radix2Plan(this.m);
    this.chirp = new Float64Array(2 * n);
    const twoN = 2 * n;
    for (let k = 0; k < n; k++) {
      // k^2 mod 2n keeps the angle small, so cos/sin stay accurate for large n.
      const angle = (Math.PI * ((k * k) % twoN)) / n;
      this.chirp[2 * k] = Math.cos(angle);
      this.chirp[2 * k + 1] = -Math.sin(angle);
    }
    const b = new Float64Array(2 * this.m);
    b[0] = this.chirp[0] as number;
    b[1] = -(this.chirp[1] as number);
    for (let k = 1; k < n; k++) {
      const re = this.chirp[2 * k] as number;
      const im = -(this.chirp[2 * k + 1] as number);
      b[2 * k] = re;
      b[2 * k + 1] = im;
      b[2 * (this.m - k)] = re;
      b[2 * (this.m - k) + 1] = im;
    }
    this.chirpSpectrum = new Float64Array(2 * this.m);
    this.inner.forward(b, this.chirpSpectrum);
    this.a = new Float64Array(2 * this.m);
    this.aHat = new Float64Array(2 * this.m);
    this.conv = new Float64Array(2 * this.m);
  }

  forward(input: Float64Array, output: Float64Array): void {
    const { n, m, chirp, a, aHat, conv, chirpSpectrum } = this;
    a.fill(0);
    for (let k = 0; k < n; k++) {
      const xr = input[2 * k] as number;
      const xi = input[2 * k + 1] as number;
      const wr = chirp[2 * k] as number;
      const wi = chirp[2 * k + 1] as number;
      a[2 * k] = xr * wr - xi * wi;
      a[2 * k + 1] = xr * wi + xi * wr;
    }
    this.inner.forward(a, aHat);
    // Pointwise product, conjugated so a second forward FFT acts as an inverse one.
    for (let j = 0; j < m; j++) {
      const ar = aHat[2 * j] as number;
      const ai = aHat[2 * j + 1] as number;
      const br = chirpSpectrum[2 * j] as number;
      const bi = chirpSpectrum[2 * j + 1] as number;
      a[2 * j] = ar * br - ai * bi;
      a[2 * j + 1] = -(ar * bi + ai * br);
    }
    this.inner.forward(a, conv);
    const scale = 1 / m;
    for (let k = 0; k < n; k++) {
      const cr = (conv[2 * k] as number) * scale;
      const ci = -(conv[2 * k + 1] as number) * scale;
      const wr = chirp[2 * k] as number;
      const wi = chirp[2 * k + 1] as number;
      output[2 * k] = cr * wr - ci * wi;
      output[2 * k + 1] = cr * wi + ci * wr;
    }
  }
}

class GeneralPlan implements FftPlan {
  private readonly impl: Radix2Plan | BluesteinPlan | null;
  private readonly scratch: Float64Array;
  constructor(readonly n: number) {
    this.impl = n < 2 ? null : isPowerOfTwo(n) ? new Radix2Plan(n) : new BluesteinPlan(n);
    this.scratch = new Float64Array(2 * n);
  }

  transform(input: Float64Array, output: Float64Array, inverse: boolean): void {
    const { n, impl, scratch } = this;
    if (impl === null) {
      output.set(input.subarray(0, 2 * n));
      return;
    }
    if (!inverse) {
      impl.forward(input, output);
      return;
    }
    // ifft(x) = conj(fft(conj(x))) / n
    for (let k = 0; k < n; k++) {
      scratch[2 * k] = input[2 * k] as number;
      scratch[2 * k + 1] = -(input[2 * k + 1] as number);
    }
    impl.forward(scratch, output);
    const s = 1 / n;
    for (let k = 0; k < n; k++) {
      output[2 * k] = (output[2 * k] as number) * s;
      output[2 * k + 1] = -(output[2 * k + 1] as number) * s;
    }
  }
}

const PLAN_CACHE_LIMIT = 32;
const planCache = new Map<number, FftPlan>();

/**
 * Returns a (cached) {@link FftPlan} for length `n`. Plans hold scratch buffers and are not
 * re-entrant, which is fine for the single-threaded JS side of a tfjs kernel.
 *
 * @param n - transform length, an integer >= 0.
 */
export function getFftPlan(n: number): FftPlan {
  if (!Number.isInteger(n) || n < 0) {
    throw new LabInputError('getFftPlan', 'n', 'must be a non-negative integer', n);
  }
  let plan = planCache.get(n);
  if (plan === undefined) {
    if (planCache.size >= PLAN_CACHE_LIMIT) planCache.clear();
    plan = new GeneralPlan(n);
    planCache.set(n, plan);
  }
  return plan;
}

/**
 * Batched 1-D DFT along the innermost axis of interleaved complex data.
 *
 * @param input - `batch * n` complex values as `2 * batch * n` interleaved floats (not mutated).
 * @param n - innermost length.
 * @param inverse - `true` for the normalised inverse transform (tfjs `ifft` convention).
 * @param output - destination of the same length (may be a float32 view of the wasm heap).
 * @returns `output`.
 * @example
 * ```ts
 * const X = fftBatch(new Float64Array([1, 0, 0, 0]), 2, false, new Float64Array(4)); // [1,0,1,0]
 * ```
 */
export function fftBatch<T extends Float32Array | Float64Array>(
  input: ArrayLike<number>,
  n: number,
  inverse: boolean,
  output: T,
): T {
  if (n === 0 || input.length === 0) return output;
  if (input.length % (2 * n) !== 0 || output.length !== input.length) {
    throw new LabInputError(
      'fftBatch',
      'input',
      `must hold a multiple of ${2 * n} floats, as output`,
      input.length,
    );
  }
  const plan = getFftPlan(n);
  const batch = input.length / (2 * n);
  const row = new Float64Array(2 * n);
  const res = new Float64Array(2 * n);
  for (let b = 0; b < batch; b++) {
    const off = 2 * n * b;
    for (let j = 0; j < 2 * n; j++) row[j] = input[off + j] as number;
    plan.transform(row, res, inverse);
    output.set(res, off);
  }
  return output;
}
