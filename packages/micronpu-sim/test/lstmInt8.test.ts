import { createRng, initBackend } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { lstmInt8 } from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

// h is int8: the integer-vs-float differences (Q31 multipliers, Q3.12 / Q0.15 roundings, even
// gemmlowp's activation errors of <= 12 Q0.15 LSB ~ 4e-4) are far below an int8 LSB (2^-7), so
// at most 1 LSB at rounding boundaries.
const H_LSB_TOL = 1;
// c is int16 Q4.11. The reference quantises where the integer LSTM has tensors: gate outputs
// to Q0.15, the new cell once to Q4.11. The integer kernel rounds f c and i g separately
// (<= 0.5 LSB each): with exactly rounded gates ('lut') c is within 1 LSB.
const C_LSB_TOL_LUT = 1;
// With gemmlowp's activations ('tflite', TFLite's arithmetic) the gates carry the fixed-point
// algorithm's own error (measured exhaustively in fixedPointActivations.test.ts: sigmoid
// <= 6.8, tanh <= 12.1 Q0.15 LSB). A sigmoid error e moves f c by e |c| / 2^15 cell LSB, the
// i g term by (e_sigmoid + e_tanh) / 2^15 real = (6.8 + 12.1) / 16 cell LSB: the per-element
// bound below, 1 + 6.8 |c| / 2^15 + 1.2 (up to ~9 LSB at |c| = 16, below 3 LSB for |c| < 2).
const E_SIGMOID = 6.8;
const E_TANH = 12.1;
const cBoundTflite = (cPrev: number): number =>
  1 + (E_SIGMOID * Math.abs(cPrev)) / 32768 + (E_SIGMOID + E_TANH) / 16;
const CELL_SHIFT = -11;

type Rng = ReturnType<typeof createRng>;
const sat16 = (v: number) => Math.max(-32768, Math.min(32767, v));
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

interface Case {
  inn: number;
  H: number;
  sx: number;
  zx: number;
  sh: number;
  zh: number;
  swx: number[];
  swh: number[];
  cellRange: number;
  weightRange?: number;
}

interface CaseResult {
  hMaxDiff: number;
  cMaxDiff: number;
  /** max over elements of |c diff| / its per-element bound for the 'tflite' activations. */
  cBoundRatio: number;
  saturatedGates: number;
}

function runCase(c: Case, rng: Rng, activations: 'tflite' | 'lut' = 'tflite'): CaseResult {
  const int8 = (n: number, lo = -128, hi = 127) =>
    Int8Array.from({ length: n }, () => lo + rng.int(hi - lo + 1));
  const wr = c.weightRange ?? 127;
  const x = int8(c.inn);
  const h = int8(c.H);
  const cell = Int16Array.from({ length: c.H }, () => Math.round((rng.next() * 2 - 1) * c.cellRange));
  const wx = int8(4 * c.H * c.inn, -wr, wr);
  const wh = int8(4 * c.H * c.H, -wr, wr);
  const bias = Int32Array.from({ length: 4 * c.H }, () => rng.int(2001) - 1000);
  const xCopy = x.slice();
  const out = lstmInt8({
    input: x,
    inputScale: c.sx,
    inputZeroPoint: c.zx,
    hidden: h,
    hiddenScale: c.sh,
    hiddenZeroPoint: c.zh,
    cell,
    cellShift: CELL_SHIFT,
    inputWeights: wx,
    inputWeightScales: c.swx,
    recurrentWeights: wh,
    recurrentWeightScales: c.swh,
    bias,
    activations,
  });
  expect(x).toEqual(xCopy);
  // Fake-quantised float model: same quantisation points (Q3.12 pre-activations accumulated in an
  // int16 gate buffer, Q0.15 gate outputs, Q4.11 cell, int8 h), float arithmetic in between.
  let hMaxDiff = 0;
  let cMaxDiff = 0;
  let cBoundRatio = 0;
  let saturatedGates = 0;
  const gates: number[] = [];
  for (let r = 0; r < 4 * c.H; r++) {
    const g = Math.floor(r / c.H);
    let zx = (bias[r] as number) * c.sx * (c.swx[g] as number);
    for (let k = 0; k < c.inn; k++)
      zx += (wx[r * c.inn + k] as number) * (c.swx[g] as number) * ((x[k] as number) - c.zx) * c.sx;
    let zh = 0;
    for (let k = 0; k < c.H; k++)
      zh += (wh[r * c.H + k] as number) * (c.swh[g] as number) * ((h[k] as number) - c.zh) * c.sh;
    const q = sat16(sat16(Math.round(zx * 4096)) + Math.round(zh * 4096));
    if (Math.abs(q) >= 32767) saturatedGates++;
    gates.push(q / 4096);
  }
  const q15 = (v: number) => Math.min(32767, Math.round(v * 32768)) / 32768;
  for (let u = 0; u < c.H; u++) {
    const i = q15(sigmoid(gates[u] as number));
    const f = q15(sigmoid(gates[c.H + u] as number));
    const g = q15(Math.tanh(gates[2 * c.H + u] as number));
    const o = q15(sigmoid(gates[3 * c.H + u] as number));
    const cq = sat16(Math.round((f * (cell[u] as number) * 2 ** CELL_SHIFT + i * g) / 2 ** CELL_SHIFT));
    const hNew = o * q15(Math.tanh(cq * 2 ** CELL_SHIFT));
    const hq = Math.max(-128, Math.min(127, Math.round(hNew / c.sh) + c.zh));
    hMaxDiff = Math.max(hMaxDiff, Math.abs((out.hidden[u] as number) - hq));
    const dc = Math.abs((out.cell[u] as number) - cq);
    cMaxDiff = Math.max(cMaxDiff, dc);
    cBoundRatio = Math.max(cBoundRatio, dc / cBoundTflite(cell[u] as number));
  }
  return { hMaxDiff, cMaxDiff, cBoundRatio, saturatedGates };
}

describe('lstmInt8', () => {
  const checkC = (r: CaseResult, mode: 'tflite' | 'lut') => {
    if (mode === 'lut') expect(r.cMaxDiff).toBeLessThanOrEqual(C_LSB_TOL_LUT);
    else expect(r.cBoundRatio).toBeLessThanOrEqual(1);
  };

  it.each(['tflite', 'lut'] as const)(
    '%s activations: h within 1 LSB of a fake-quantised float LSTM step on random ranges; c within its bound',
    (mode) => {
      const rng = createRng(21);
      for (let t = 0; t < 15; t++) {
        const inn = 1 + rng.int(40);
        const H = 1 + rng.int(24);
        const r = runCase(
          {
            inn,
            H,
            sx: 2 ** rng.uniform(-7, -3),
            zx: -128 + rng.int(256),
            sh: 2 ** -7,
            zh: -10 + rng.int(20),
            swx: [0, 1, 2, 3].map(() => 2 ** rng.uniform(-9, -5) / Math.sqrt(inn)),
            swh: [0, 1, 2, 3].map(() => 2 ** rng.uniform(-9, -5) / Math.sqrt(H)),
            cellRange: 8000,
          },
          rng,
          mode,
        );
        expect(r.hMaxDiff).toBeLessThanOrEqual(H_LSB_TOL);
        checkC(r, mode);
      }
    },
  );

  it.each(['tflite', 'lut'] as const)(
    '%s activations: saturating gates, extreme zero points and a saturating cell stay within tolerance',
    (mode) => {
      const rng = createRng(22);
      // Huge weight scales: most gate pre-activations saturate Q3.12.
      const sat = runCase(
        {
          inn: 32,
          H: 16,
          sx: 0.1,
          zx: -128,
          sh: 2 ** -7,
          zh: 127,
          swx: [0.05, 0.05, 0.05, 0.05],
          swh: [0.05, 0.05, 0.05, 0.05],
          cellRange: 32767,
        },
        rng,
        mode,
      );
      expect(sat.saturatedGates).toBeGreaterThan(16);
      expect(sat.hMaxDiff).toBeLessThanOrEqual(H_LSB_TOL);
      checkC(sat, mode);
      const edge = runCase(
        {
          inn: 64,
          H: 8,
          sx: 0.02,
          zx: 127,
          sh: 2 ** -7,
          zh: -128,
          swx: [0.001, 0.002, 0.001, 0.003],
          swh: [0.002, 0.001, 0.002, 0.001],
          cellRange: 32000,
        },
        rng,
        mode,
      );
      expect(edge.hMaxDiff).toBeLessThanOrEqual(H_LSB_TOL);
      checkC(edge, mode);
    },
  );

  it('tflite: small cells (|c| < 1) are within 1 LSB of the reference too', () => {
    const rng = createRng(23);
    let worst = 0;
    for (let t = 0; t < 10; t++) {
      const r = runCase(
        {
          inn: 16,
          H: 16,
          sx: 2 ** -5,
          zx: rng.int(21) - 10,
          sh: 2 ** -7,
          zh: 0,
          swx: [0.004, 0.004, 0.004, 0.004],
          swh: [0.004, 0.004, 0.004, 0.004],
          cellRange: 2000,
        },
        rng,
      );
      worst = Math.max(worst, r.cMaxDiff);
      expect(r.hMaxDiff).toBeLessThanOrEqual(H_LSB_TOL);
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('keeps the cell at f c + i g: a forget gate of ~1 and input gate of ~0 preserve c', () => {
    const H = 2;
    // Bias drives f to +8 (sigmoid ~0.9997) and i to -8 (sigmoid ~3e-4).
    const bias = new Int32Array(4 * H);
    const big = Math.round(8 / (0.5 * 0.05));
    bias.fill(-big, 0, H);
    bias.fill(big, H, 2 * H);
    const r = lstmInt8({
      input: new Int8Array([0]),
      inputScale: 0.5,
      inputZeroPoint: 0,
      hidden: new Int8Array(H),
      hiddenScale: 2 ** -7,
      hiddenZeroPoint: 0,
      cell: new Int16Array([4096, -4096]),
      inputWeights: new Int8Array(4 * H),
      inputWeightScales: 0.05,
      recurrentWeights: new Int8Array(4 * H * H),
      recurrentWeightScales: 0.05,
      bias,
    });
    // c * sigmoid(7.9998) + ~0: 4096 * 0.99966 = 4094.6 (+/- the i g term of a few LSB).
    expect(Math.abs((r.cell[0] as number) - 4096 * sigmoid(32767 / 4096))).toBeLessThanOrEqual(2);
    expect(Math.abs((r.cell[1] as number) + 4096 * sigmoid(32767 / 4096))).toBeLessThanOrEqual(2);
    expect(() =>
      lstmInt8({
        input: new Int8Array(1),
        inputScale: 1,
        inputZeroPoint: 0,
        hidden: new Int8Array(2),
        hiddenScale: 1,
        hiddenZeroPoint: 0,
        cell: new Int16Array(3),
        inputWeights: new Int8Array(8),
        inputWeightScales: 1,
        recurrentWeights: new Int8Array(16),
        recurrentWeightScales: 1,
      }),
    ).toThrow(/lstmInt8: argument 'options.cell'/);
  });
});
