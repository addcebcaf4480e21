import { createRng } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { siSdr } from '../src/metrics/siSdr.js';
import { snrSdr } from '../src/metrics/snrSdr.js';

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
