import { createRng, initBackend } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { lstmInt8 } from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

// h is int8: the only integer-vs-float differences are Q31 multiplier rounding and the
// Q3.12 / Q0.15 roundings, far below an int8 LSB, so at most 1 LSB at rounding boundaries.
const H_LSB_TOL = 1;
// c is int16 Q4.11: a 1-LSB (2^-12) gate pre-activation difference moves a Q0.15 gate by
// <= 2^-14, i.e. |c| * 2^-14 <= 16 * 2^-14 = 2 LSB of Q4.11, plus the rounding of f c and i g.
const C_LSB_TOL = 4;
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

function runCase(c: Case, rng: Rng): { hMaxDiff: number; cMaxDiff: number; saturatedGates: number } {
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
  });
  expect(x).toEqual(xCopy);
  // Fake-quantised float model: same quantisation points (Q3.12 pre-activations, Q4.11 cell
  // range, int8 h), float arithmetic in between.
  let hMaxDiff = 0;
  let cMaxDiff = 0;
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
    const q = sat16(sat16(Math.round(zx * 4096)) + sat16(Math.round(zh * 4096)));
    if (Math.abs(q) >= 32767) saturatedGates++;
    gates.push(q / 4096);
  }
  for (let u = 0; u < c.H; u++) {
    const i = sigmoid(gates[u] as number);
    const f = sigmoid(gates[c.H + u] as number);
    const g = Math.tanh(gates[2 * c.H + u] as number);
    const o = sigmoid(gates[3 * c.H + u] as number);
    const cNew = Math.max(
      -16,
      Math.min(32767 * 2 ** CELL_SHIFT, f * (cell[u] as number) * 2 ** CELL_SHIFT + i * g),
    );
    const hNew = o * Math.tanh(cNew);
    const hq = Math.max(-128, Math.min(127, Math.round(hNew / c.sh) + c.zh));
    hMaxDiff = Math.max(hMaxDiff, Math.abs((out.hidden[u] as number) - hq));
    cMaxDiff = Math.max(cMaxDiff, Math.abs((out.cell[u] as number) - cNew / 2 ** CELL_SHIFT));
  }
  return { hMaxDiff, cMaxDiff, saturatedGates };
}

describe('lstmInt8', () => {
  it('matches a fake-quantised float LSTM step within 1 LSB (h) on random ranges', () => {
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
      );
      expect(r.hMaxDiff).toBeLessThanOrEqual(H_LSB_TOL);
      expect(r.cMaxDiff).toBeLessThanOrEqual(C_LSB_TOL);
    }
  });

  it('saturating gates, extreme zero points and a saturating cell stay within tolerance', () => {
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
    );
    expect(sat.saturatedGates).toBeGreaterThan(16);
    expect(sat.hMaxDiff).toBeLessThanOrEqual(H_LSB_TOL);
    expect(sat.cMaxDiff).toBeLessThanOrEqual(C_LSB_TOL);
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
    );
    expect(edge.hMaxDiff).toBeLessThanOrEqual(H_LSB_TOL);
    expect(edge.cMaxDiff).toBeLessThanOrEqual(C_LSB_TOL);
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
