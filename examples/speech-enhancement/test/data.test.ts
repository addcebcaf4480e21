import { existsSync } from 'node:fs';
import { fftBatch, findDataDir, initBackend } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT, type FsddClip, loadFsdd, splitBySpeaker } from '../src/fsdd.js';
import { makeMixtures } from '../src/mixtures.js';
import { NOISE_KINDS, generateNoise, mixAtSnr } from '../src/noise.js';

beforeAll(async () => {
  await initBackend();
});

/** SNRs are measured in float64 on float32 signals: float32 rounding of the samples only. */
const SNR_TOL_DB = 1e-4;
/** See the spectral-slope test. */
const TOL_SLOPE_DB = 0.8;

const sources = [Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i / 7) * Math.sin(i / 300))];

const energy = (x: ArrayLike<number>) => {
  let e = 0;
  for (let i = 0; i < x.length; i++) e += (x[i] as number) ** 2;
  return e;
};

describe('generateNoise', () => {
  it('is deterministic given the seed, differs across seeds, and has unit RMS', () => {
    for (const kind of NOISE_KINDS) {
      const a = generateNoise(kind, 4000, { seed: 5, babbleSources: sources });
      const b = generateNoise(kind, 4000, { seed: 5, babbleSources: sources });
      const c = generateNoise(kind, 4000, { seed: 6, babbleSources: sources });
      expect(a).toEqual(b);
      expect(a).not.toEqual(c);
      expect(Math.sqrt(energy(a) / a.length)).toBeCloseTo(1, 5);
    }
  });

  it('gives pink and brown noise their 1/f and 1/f^2 spectral slopes', () => {
    // Mean periodogram power in two octaves (160-320 Hz vs 640-1280 Hz of a 2^16-point FFT):
    // 1/f^alpha falls by 4^alpha between them, about 6 dB (pink) and 12 dB (brown).
    const N = 65536;
    const slope = (kind: 'white' | 'pink' | 'brown') => {
      const x = generateNoise(kind, N, { seed: 1 });
      const buf = new Float64Array(2 * N);
      x.forEach((v, i) => {
        buf[2 * i] = v;
      });
      const spec = fftBatch(buf, N, false, new Float64Array(2 * N));
      const band = (loHz: number, hiHz: number) => {
        const lo = Math.round((loHz * N) / 8000);
        const hi = Math.round((hiHz * N) / 8000);
        let s = 0;
        for (let f = lo; f < hi; f++) s += (spec[2 * f] as number) ** 2 + (spec[2 * f + 1] as number) ** 2;
        return s / (hi - lo);
      };
      return 10 * Math.log10(band(160, 320) / band(640, 1280));
    };
    // 0.5 dB: the spread of a band mean over >1000 periodogram bins (chi-square, ~3 %) plus the
    // log-average vs average-log difference of a sloped spectrum within an octave (pink ~0.1 dB, brown ~0.5 dB).
    expect(Math.abs(slope('white'))).toBeLessThan(TOL_SLOPE_DB);
    expect(Math.abs(slope('pink') - 10 * Math.log10(4))).toBeLessThan(TOL_SLOPE_DB);
    expect(Math.abs(slope('brown') - 10 * Math.log10(16))).toBeLessThan(TOL_SLOPE_DB);
  });

  it('rejects babble without sources', () => {
    expect(() => generateNoise('babble', 100, { seed: 1 })).toThrow(/generateNoise: argument 'options.babbleSources'/);
  });
});

describe('mixAtSnr', () => {
  it('mixes at exactly the requested SNR without touching its inputs', () => {
    const clean = generateNoise('pink', 5000, { seed: 2 }).map((v) => 0.2 * v);
    const noise = generateNoise('white', 5000, { seed: 3 });
    const c0 = clean.slice();
    const n0 = noise.slice();
    for (const snr of [-5, 0, 7.5, 15]) {
      const r = mixAtSnr(clean, noise, snr);
      expect(10 * Math.log10(energy(clean) / energy(r.noise))).toBeCloseTo(snr, -Math.log10(SNR_TOL_DB));
      const diff = r.noisy.map((v, i) => v - (clean[i] as number));
      expect(10 * Math.log10(energy(clean) / energy(diff))).toBeCloseTo(snr, 3);
    }
    expect(clean).toEqual(c0);
    expect(noise).toEqual(n0);
  });
});

describe('makeMixtures', () => {
  const clip = (speaker: string, take: number): FsddClip => ({
    id: `0_${speaker}_${take}`,
    digit: 0,
    speaker,
    take,
    audio: Float32Array.from({ length: 1500 + take * 10 }, (_, i) => Math.sin(i / (3 + take))),
    sampleRate: 8000,
  });
  const clips = [0, 1, 2, 3].map((t) => clip('a', t));

  it('is deterministic given the seed and keeps every SNR in range', () => {
    const a = makeMixtures(clips, { seed: 1, count: 12, babbleSources: sources });
    const b = makeMixtures(clips, { seed: 1, count: 12, babbleSources: sources });
    expect(a.map((m) => m.noisy)).toEqual(b.map((m) => m.noisy));
    for (const m of a) {
      expect(m.snrDb).toBeGreaterThanOrEqual(-5);
      expect(m.snrDb).toBeLessThanOrEqual(15);
      const d = m.noisy.map((v, i) => v - (m.clean[i] as number));
      // the common level gain does not change the SNR (3 decimals: float32 samples)
      expect(10 * Math.log10(energy(m.clean) / energy(d))).toBeCloseTo(m.snrDb, 3);
    }
    expect(new Set(a.map((m) => m.noise)).size).toBe(NOISE_KINDS.length);
  });

  it('fills fixed-length training segments', () => {
    const seg = makeMixtures(clips, { seed: 2, count: 3, babbleSources: sources, segmentSamples: 4000 });
    for (const m of seg) expect(m.clean.length).toBe(4000);
  });
});

describe('FSDD speaker split', () => {
  it('puts no speaker in two parts (synthetic clips)', () => {
    const all = ['jackson', 'nicolas', 'theo', 'yweweler', 'lucas', 'george'].flatMap((s) => [0, 1].map((t) => ({
      id: `0_${s}_${t}`,
      digit: 0,
      speaker: s,
      take: t,
      audio: new Float32Array(10),
      sampleRate: 8000,
    })));
    const parts = splitBySpeaker(all);
    const speakers = (p: FsddClip[]) => new Set(p.map((c) => c.speaker));
    const tr = speakers(parts.train);
    for (const s of speakers(parts.test)) expect(tr.has(s)).toBe(false);
    for (const s of speakers(parts.validation)) expect(tr.has(s) || speakers(parts.test).has(s)).toBe(false);
    expect(parts.train.length + parts.validation.length + parts.test.length).toBe(all.length);
    expect(() => splitBySpeaker(all, { train: ['a'], validation: ['a'], test: [] })).toThrow(/splitBySpeaker/);
  });

  let dataDir: string | null = null;
  try {
    dataDir = `${findDataDir()}/speech/fsdd`;
  } catch {
    dataDir = null;
  }
  it.runIf(dataDir !== null && existsSync(`${dataDir}/recordings`))('splits the real FSDD by speaker with no overlap', async () => {
    const clips = await loadFsdd(dataDir as string, { maxTake: 2 });
    expect(clips.every((c) => c.sampleRate === 8000)).toBe(true);
    const parts = splitBySpeaker(clips);
    expect(new Set(parts.test.map((c) => c.speaker))).toEqual(new Set(DEFAULT_SPLIT.test));
    expect(new Set(parts.validation.map((c) => c.speaker))).toEqual(new Set(DEFAULT_SPLIT.validation));
    const train = new Set(parts.train.map((c) => c.speaker));
    expect(train).toEqual(new Set(DEFAULT_SPLIT.train));
    expect(parts.train.length + parts.validation.length + parts.test.length).toBe(clips.length);
  });
});
