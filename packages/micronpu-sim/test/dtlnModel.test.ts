import { initBackend } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SystemConfig, dtlnModel, estimateModel, formatReport, systems } from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

// DTLN (Westhausen & Meyer 2020): 4 LSTM(128), two dense masks, 512->256 and 256->512 conv1d.
const DTLN_WEIGHTS =
  4 * 128 * (257 + 128) +
  4 * 128 * (128 + 128) +
  257 * 128 +
  256 * 512 +
  4 * 128 * (256 + 128) +
  4 * 128 * 256 +
  256 * 128 +
  512 * 256;

describe('dtlnModel', () => {
  it('has the DTLN weight count (~0.98 M, ~3.7 MB as float32) and is seeded', () => {
    const m = dtlnModel({ seed: 3 });
    const r = estimateModel(m, systems['u55-high-end'] as SystemConfig, { weightBytes: (w) => w.length });
    expect(r.totals.rawWeightBytes).toBe(DTLN_WEIGHTS);
    expect(r.totals.macs).toBe(DTLN_WEIGHTS);
    expect((DTLN_WEIGHTS * 4) / 1e6).toBeCloseTo(3.9, 1);
    const again = dtlnModel({ seed: 3 });
    expect(again).toEqual(m);
    const other = dtlnModel({ seed: 4 });
    expect(other.ops[0]).not.toEqual(m.ops[0]);
    expect(() => dtlnModel({ seed: 1, hidden: 0 })).toThrow(/dtlnModel: argument 'options.hidden'/);
  });
});

describe('formatReport', () => {
  it('renders a per-layer and a per-op table with totals', () => {
    const r = estimateModel(
      dtlnModel({ seed: 1, hidden: 16, bins: 33, frame: 64, features: 32 }),
      systems['u55-deep-embedded'] as SystemConfig,
    );
    const text = formatReport(r);
    expect(text).toContain('| s1_lstm1 |');
    expect(text).toContain('**total**');
    expect(text).toContain('flash cyc');
    expect(text).toMatch(/latency \d+\.\d{3} ms/);
    const byOp = formatReport(r, { rows: 'op' });
    expect(byOp).toContain('s1_lstm1/i_input_fc');
    expect(byOp.split('\n').length).toBeGreaterThan(text.split('\n').length);
    expect(() => formatReport({} as never)).toThrow(/formatReport: argument 'result'/);
    // The result is plain data: it round-trips through JSON.
    expect(JSON.parse(JSON.stringify(r)).totals.cycles).toBeCloseTo(r.totals.cycles, 9);
  });
});
