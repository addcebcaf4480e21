import { createRng } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { siSdr } from '../src/metrics/siSdr.js';
import { snrSdr } from '../src/metrics/snrSdr.js';
import { resampleFft, stoi } from '../src/metrics/stoi.js';

/** dB values computed in float64 from float64 inputs: agreement to 1e-9 dB. */
const DB_TOL = 9;

function signal(seed: number, n = 2000): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

/** `noise` made exactly orthogonal to `s` (Gram-Schmidt) and scaled to energy `energy`. */
function orthogonal(s: Float64Array, seed: number, energy: number): Float64Array {
  const n = signal(seed, s.length);
  let sn = 0;
  let ss = 0;
  for (let i = 0; i < s.length; i++) {
    sn += (s[i] as number) * (n[i] as number);
    ss += (s[i] as number) ** 2;
  }
  let e = 0;
  for (let i = 0; i < s.length; i++) {
    n[i] = (n[i] as number) - (sn / ss) * (s[i] as number);
    e += (n[i] as number) ** 2;
  }
  return n.map((v) => v * Math.sqrt(energy / e));
}

const energy = (x: Float64Array) => x.reduce((a, v) => a + v * v, 0);

describe('siSdr', () => {
  it('is +inf (or huge) for a scaled copy, at any scale', () => {
    const s = signal(1);
    for (const a of [2, 0.3, -1.5]) expect(siSdr(s.map((v) => a * v), s)).toBeGreaterThan(250);
  });

  it('equals 10 log10(a^2 ||s||^2 / ||n||^2) for s_hat = a s + n with n orthogonal to s', () => {
    const s = signal(2);
    const es = energy(s);
    for (const [a, en] of [
      [1, es / 10],
      [0.5, es * 2],
      [3, es / 1000],
    ] as const) {
      const n = orthogonal(s, 7, en);
      const est = s.map((v, i) => a * v + (n[i] as number));
      expect(siSdr(est, s)).toBeCloseTo(10 * Math.log10((a * a * es) / en), DB_TOL);
    }
  });

  it('is scale-invariant', () => {
    const s = signal(3);
    const est = s.map((v, i) => v + 0.5 * Math.sin(i));
    expect(siSdr(est.map((v) => 7 * v), s)).toBeCloseTo(siSdr(est, s), DB_TOL);
  });

  it('rejects mismatched lengths and a silent reference', () => {
    expect(() => siSdr(new Float32Array(3), new Float32Array(4))).toThrow(/siSdr: argument 'estimate'/);
    expect(() => siSdr(new Float32Array(3), new Float32Array(3))).toThrow(/siSdr: argument 'reference'/);
  });
});

describe('snrSdr', () => {
  it('equals 10 log10(||s||^2 / ||e||^2) for s_hat = s + e', () => {
    const s = signal(4);
    const e = signal(5).map((v) => 0.1 * v);
    const est = s.map((v, i) => v + (e[i] as number));
    expect(snrSdr(est, s)).toBeCloseTo(10 * Math.log10(energy(s) / energy(e)), DB_TOL);
  });

  it('counts a gain error as distortion: s_hat = 2 s gives 0 dB, s_hat = 0 gives 0 dB', () => {
    const s = signal(6);
    expect(snrSdr(s.map((v) => 2 * v), s)).toBeCloseTo(0, DB_TOL);
    expect(snrSdr(new Float64Array(s.length), s)).toBeCloseTo(0, DB_TOL);
    expect(snrSdr(s.map((v) => 1.5 * v), s)).toBeCloseTo(10 * Math.log10(1 / 0.25), DB_TOL);
  });
});

describe('stoi', () => {
  /** A speech-like 8 kHz test signal: harmonic tone bursts (syllables) with silences between. */
  const speechLike = (seconds: number) =>
    Float64Array.from({ length: Math.round(8000 * seconds) }, (_, i) => {
      const t = i / 8000;
      const env = Math.max(0, Math.sin(2 * Math.PI * 3 * t)) ** 2;
      const f0 = 120 + 30 * Math.sin(2 * Math.PI * 0.7 * t);
      let v = 0;
      for (let k = 1; k <= 20; k++) v += Math.sin(2 * Math.PI * k * f0 * t) / k;
      return env * v;
    });

  it('is 1 for the clean signal itself and for any positive scaling of it', () => {
    const x = speechLike(1.5);
    expect(stoi(x, x, 8000)).toBeCloseTo(1, 9);
    expect(stoi(x.map((v) => 0.2 * v), x, 8000)).toBeCloseTo(1, 9);
  });

  it('falls as the SNR falls, and an unrelated signal scores below a 5 dB mixture', () => {
    const x = speechLike(2);
    const n = signal(9, x.length);
    const ex = energy(x);
    const en = energy(n);
    const at = (snr: number) => {
      const g = Math.sqrt(ex / (en * 10 ** (snr / 10)));
      return stoi(x.map((v, i) => v + g * (n[i] as number)), x, 8000);
    };
    const s = [20, 5, -5, -15].map(at);
    for (let i = 1; i < s.length; i++) expect(s[i] as number).toBeLessThan(s[i - 1] as number);
    // Not 0: the -15 dB clipping pulls any estimate towards the clean envelope.
    expect(stoi(n, x, 8000)).toBeLessThan(s[1] as number);
  });

  it('resamples a periodic band-limited signal exactly (8 kHz -> 10 kHz)', () => {
    // 1000 Hz completes whole periods in 800 samples at 8 kHz and 1000 at 10 kHz
    const x = Float64Array.from({ length: 800 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 8000));
    const y = resampleFft(x, 5, 4);
    expect(y.length).toBe(1000);
    let err = 0;
    for (let i = 0; i < y.length; i++) err = Math.max(err, Math.abs((y[i] as number) - Math.sin((2 * Math.PI * 1000 * i) / 10000)));
    expect(err).toBeLessThan(1e-9);
  });

  it('rejects signals shorter than one 30-frame segment', () => {
    const x = speechLike(0.2);
    expect(() => stoi(x, x, 8000)).toThrow(/stoi: argument 'reference'/);
  });
});
