import { LabInputError, readOptions } from '@lab/core';
import type { EstimateModelResult } from './estimateModel.js';

/** Options of {@link formatReport}. */
export interface FormatReportOptions {
  /** 'layer' (default: one row per model op, LSTM parts summed) or 'op' (every primitive op). */
  readonly rows?: 'layer' | 'op';
}

const int = (v: number): string => Math.round(v).toLocaleString('en-US');

/**
 * Renders an {@link EstimateModelResult} as Markdown text: a per-layer (or per-op) table of MACs,
 * raw and encoded weight bytes, compute / SRAM / off-chip cycles, total cycles and bottleneck,
 * then totals, latency at the clock, MAC utilisation and peak SRAM. (The result object itself
 * is the JSON report.)
 *
 * @see Stamenovic et al., arXiv 2111.02351.
 */
export function formatReport(result: EstimateModelResult, options: FormatReportOptions = {}): string {
  if (result === null || typeof result !== 'object' || !Array.isArray(result.ops)) {
    throw new LabInputError('formatReport', 'result', 'must be an estimateModel result', result);
  }
  const mode = readOptions('formatReport', options, ['rows']).oneOf(
    'rows',
    ['layer', 'op'] as const,
    'layer',
  );
  const offName = result.ops.find((o) => o.bottleneck === 'dram') ? 'dram' : 'flash';
  const header = [
    mode,
    'MACs',
    'raw W bytes',
    'encoded W bytes',
    'compute cyc',
    'SRAM cyc',
    `${offName} cyc`,
    'cycles',
    'bottleneck',
  ];
  const rows = (mode === 'layer' ? result.layers : result.ops).map((r) => [
    r.name,
    int(r.macs),
    int(r.rawWeightBytes),
    int(r.encodedWeightBytes),
    int(r.computeCycles),
    int(r.sramCycles),
    int(r.offChipCycles),
    int(r.cycles),
    r.bottleneck,
  ]);
  const t = result.totals;
  rows.push([
    '**total**',
    int(t.macs),
    int(t.rawWeightBytes),
    int(t.encodedWeightBytes),
    int(t.computeCycles),
    int(t.sramCycles),
    int(t.offChipCycles),
    int(t.cycles),
    t.bottleneck,
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    `${result.model} on ${result.system} (${result.accelerator}, ${result.clockHz / 1e6} MHz)`,
    '',
    line(header),
    line(header.map(() => '---')),
    ...rows.map(line),
    '',
    `latency ${(t.latencySeconds * 1e3).toFixed(3)} ms; ${t.macsPerCycle.toFixed(2)} MACs/cycle ` +
      `(${(t.macUtilisation * 100).toFixed(1)}% of the MAC array); peak SRAM ${int(result.peakSramBytes)} bytes`,
  ].join('\n');
}
