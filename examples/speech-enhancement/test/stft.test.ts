import { createRng, initBackend } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { STFT_CONFIG, frameCount, istft, sqrtHann, stft } from '../src/stft.js';

beforeAll(async () => {
  await initBackend();
});

/** Float32 spectra and output: round-off of a few float32 ulps of unit-scale samples. */
const RECON_TOL = 1e-6;

describe('stft / istft', () => {
  it('squared sqrt-Hann sums to 1 at 50 % overlap (the WOLA condition)', () => {
    const w = sqrtHann(256);
    for (let i = 0; i < 128; i++) expect((w[i] as number) ** 2 + (w[i + 128] as number) ** 2).toBeCloseTo(1, 12);
  });

  it('reconstructs a random signal to ~1e-6 (256 / 128 and 256 / 64)', () => {
    const rng = createRng(3);
    for (const config of [STFT_CONFIG, { frame: 256, hop: 64 }]) {
      for (const len of [1000, 4097, 257]) {
        const x = Float32Array.from({ length: len }, () => rng.uniform(-1, 1));
        const copy = x.slice();
        const spec = stft(x, config);
        expect(spec.frames).toBe(frameCount(len, config));
        const y = istft(spec, config);
        expect(y.length).toBe(len);
        let maxErr = 0;
        for (let i = 0; i < len; i++) maxErr = Math.max(maxErr, Math.abs((y[i] as number) - (x[i] as number)));
        expect(maxErr).toBeLessThan(RECON_TOL);
        expect(x).toEqual(copy);
      }
    }
  });

  it('puts a bin-centred sinusoid in its bin with the window gain', () => {
    const k = 20;
    const x = Float64Array.from({ length: 4096 }, (_, i) => Math.cos((2 * Math.PI * k * i) / 256));
    const spec = stft(x);
    const t = 10; // a frame fully inside the signal
    const mag = (f: number) => Math.hypot(spec.re[t * spec.bins + f] as number, spec.im[t * spec.bins + f] as number);
    // sum of the sqrt-Hann window / 2 is the amplitude of a cosine in its bin
    const gain = sqrtHann(256).reduce((a, b) => a + b, 0) / 2;
    // The sqrt-Hann window leaks a little of the cosine's negative-frequency image (2k bins away)
    // into bin k: allow 1e-3 relative.
    expect(Math.abs(mag(k) / gain - 1)).toBeLessThan(1e-3);
    for (let f = 0; f < spec.bins; f++) if (f !== k) expect(mag(f)).toBeLessThan(mag(k) / 2);
  });

  it('rejects bad input naming the argument', () => {
    expect(() => stft(new Float32Array(0))).toThrow(/stft: argument 'signal'/);
    expect(() => stft(new Float32Array(10), { frame: 100, hop: 50 })).toThrow(/config.frame/);
  });
});
