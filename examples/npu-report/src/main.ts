import { fileURLToPath } from 'node:url';
import { initBackend } from '@lab/core';
import {
  type ExampleReport,
  ProgressBar,
  fmt,
  markdownTable,
  parseExampleArgs,
  runEnvironment,
  svgBarChart,
  writeReport,
} from '@lab/example-kit';
import {
  type EstimateModelResult,
  type NpuModel,
  type NpuOp,
  type SystemConfig,
  dtlnModel,
  encodedWeightBytes,
  estimateModel,
  formatReport,
  systems,
} from '@lab/micronpu-sim';
import { pruneBlocks, pruneUnits, pruneUnstructured } from './prune.js';

const SPARSITY = 0.9;
const UNIT_FRACTION = 0.5;
/** Layers whose outputs are fixed interfaces of DTLN (masks, learned analysis/synthesis). */
const FIXED_OUTPUTS = new Set(['s1_mask_fc', 's2_analysis_fc', 's2_mask_fc', 's2_synthesis_fc']);

/** Applies `f` to every weight matrix of the model (LSTM input and recurrent matrices separately). */
function mapWeights(
  model: NpuModel,
  name: string,
  f: (w: Int8Array, out: number, inn: number) => Int8Array,
): NpuModel {
  const ops = model.ops.map((op): NpuOp => {
    if (op.kind === 'FullyConnected') return { ...op, weights: f(op.weights, op.shape[0], op.shape[1]) };
    if (op.kind === 'LSTM') {
      const H4 = 4 * op.hiddenSize;
      return {
        ...op,
        inputWeights: f(op.inputWeights, H4, op.inputSize),
        recurrentWeights: f(op.recurrentWeights, H4, op.hiddenSize),
      };
    }
    return op;
  });
  return { name, ops };
}

function sparsityOf(model: NpuModel): number {
  let z = 0;
  let n = 0;
  for (const op of model.ops) {
    const ws =
      op.kind === 'FullyConnected'
        ? [op.weights]
        : op.kind === 'LSTM'
          ? [op.inputWeights, op.recurrentWeights]
          : [];
    for (const w of ws) {
      n += w.length;
      for (const v of w) if (v === 0) z++;
    }
  }
  return z / n;
}

/** The same model with every weight matrix placed in SRAM instead of flash. */
function inSramModel(model: NpuModel): NpuModel {
  const ops = model.ops.map(
    (op): NpuOp =>
      op.kind === 'FullyConnected' || op.kind === 'LSTM' ? { ...op, weightPlacement: 'sram' } : op,
  );
  return { name: `${model.name}-sram`, ops };
}

async function main(): Promise<void> {
  const started = new Date();
  const args = parseExampleArgs(process.argv.slice(2), {
    defaultOut: fileURLToPath(new URL('../out', import.meta.url)),
  });
  const backend = await initBackend();
  // The whole run takes a few seconds, so --quick runs the same configuration.
  const dense = dtlnModel({ seed: args.seed });
  const variants: Array<{ key: string; label: string; model: NpuModel }> = [
    { key: 'dense', label: 'dense', model: dense },
    {
      key: 'unstructured90',
      label: '90% unstructured',
      model: mapWeights(dense, 'dtln-unstructured90', (w) => pruneUnstructured(w, SPARSITY)),
    },
    {
      key: 'block90',
      label: '90% 8x8 block',
      model: mapWeights(dense, 'dtln-block90', (w, o, i) => pruneBlocks(w, o, i, SPARSITY, 8, 8)),
    },
    { key: 'units50', label: '50% unit', model: pruneUnits(dense, UNIT_FRACTION, FIXED_OUTPUTS) },
  ];
  const systemList: Array<{ key: string; label: string; system: SystemConfig }> = [
    { key: 'highEnd', label: 'U55-256 High-End', system: systems['u55-high-end'] as SystemConfig },
    {
      key: 'deepEmbedded',
      label: 'U55-256 Deep Embedded',
      system: systems['u55-deep-embedded'] as SystemConfig,
    },
  ];
  // The encoded size depends only on the weights and the accelerator (both systems use U55-256).
  const cache = new WeakMap<Int8Array, number>();
  const weightBytes = (
    w: Int8Array,
    s: [number, number],
    a: Parameters<typeof encodedWeightBytes>[2],
  ): number => {
    let n = cache.get(w);
    if (n === undefined) {
      n = encodedWeightBytes(w, s, a);
      cache.set(w, n);
    }
    return n;
  };

  const bar = new ProgressBar('estimating', variants.length * (systemList.length + 1));
  const results: Record<string, Record<string, EstimateModelResult>> = {};
  const whatIf: Record<string, EstimateModelResult> = {};
  const sramReal: Record<string, EstimateModelResult> = {};
  const estimateMs: number[] = [];
  let step = 0;
  for (const v of variants) {
    results[v.key] = {};
    for (const s of systemList) {
      const t0 = performance.now();
      (results[v.key] as Record<string, EstimateModelResult>)[s.key] = estimateModel(v.model, s.system, {
        weightBytes,
      });
      estimateMs.push(performance.now() - t0);
      bar.update(++step, `${v.label} on ${s.label}`);
    }
    // What-if: weights resident in SRAM (so layers become compute-bound), on the real U55-256 and
    // on a hypothetical one that skips all-zero 8x8 weight blocks (High-End system).
    const inSram = inSramModel(v.model);
    const he = systemList[0]?.system as SystemConfig;
    sramReal[v.key] = estimateModel(inSram, he, { weightBytes });
    whatIf[v.key] = estimateModel(inSram, he, { weightBytes, zeroSkipping: { blockOut: 8, blockIn: 8 } });
    bar.update(++step, `${v.label} zero-skipping what-if`);
  }
  bar.finish('done');

  const get = (v: string, s: string) =>
    (results[v] as Record<string, EstimateModelResult>)[s] as EstimateModelResult;
  const metrics: Record<string, unknown> = {};
  const rows: Array<Array<string | number>> = [];
  for (const v of variants) {
    const r0 = get(v.key, 'highEnd');
    metrics[`${v.key}.sparsity`] = sparsityOf(v.model);
    metrics[`${v.key}.weights`] = r0.totals.rawWeightBytes;
    metrics[`${v.key}.encodedWeightBytes`] = r0.totals.encodedWeightBytes;
    metrics[`${v.key}.compressionVsDenseRaw`] =
      get('dense', 'highEnd').totals.rawWeightBytes / r0.totals.encodedWeightBytes;
    metrics[`${v.key}.macs`] = r0.totals.macs;
    for (const s of systemList) {
      const r = get(v.key, s.key);
      const speedup = get('dense', s.key).totals.cycles / r.totals.cycles;
      metrics[`${v.key}.${s.key}.cycles`] = r.totals.cycles;
      metrics[`${v.key}.${s.key}.computeCycles`] = r.totals.computeCycles;
      metrics[`${v.key}.${s.key}.latencyMs`] = r.totals.latencySeconds * 1e3;
      metrics[`${v.key}.${s.key}.speedupVsDense`] = speedup;
      metrics[`${v.key}.${s.key}.macsPerCycle`] = r.totals.macsPerCycle;
      metrics[`${v.key}.${s.key}.bottleneck`] = r.totals.bottleneck;
      rows.push([
        v.label,
        s.label,
        fmt(sparsityOf(v.model), 3),
        r.totals.rawWeightBytes,
        r.totals.encodedWeightBytes,
        Math.round(r.totals.computeCycles),
        Math.round(r.totals.cycles),
        fmt(r.totals.latencySeconds * 1e3, 3),
        `${fmt(speedup, 3)}x`,
        r.totals.bottleneck,
      ]);
    }
    const w = whatIf[v.key] as EstimateModelResult;
    const sr = sramReal[v.key] as EstimateModelResult;
    const sramDense = (sramReal.dense as EstimateModelResult).totals.cycles;
    metrics[`${v.key}.weightsInSram.highEnd.cycles`] = sr.totals.cycles;
    metrics[`${v.key}.weightsInSram.highEnd.speedupVsDense`] = sramDense / sr.totals.cycles;
    metrics[`${v.key}.zeroSkipping8x8.highEnd.cycles`] = w.totals.cycles;
    metrics[`${v.key}.zeroSkipping8x8.highEnd.speedupVsDense`] = sramDense / w.totals.cycles;
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  // First estimates include encoding every weight matrix; repeat with the encodings cached.
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    estimateModel(dense, systemList[0]?.system as SystemConfig, { weightBytes });
    warm.push(performance.now() - t0);
  }
  const medianMs = median(warm);
  metrics.estimateMsMedian = medianMs;
  metrics.estimateWithEncodingMsMedian = median(estimateMs);
  metrics.peakSramBytes = get('dense', 'highEnd').peakSramBytes;

  const table = markdownTable(
    [
      'model',
      'system',
      'sparsity',
      'raw W bytes',
      'encoded W bytes',
      'compute cycles',
      'cycles',
      'latency ms',
      'speedup',
      'bottleneck',
    ],
    rows,
  );
  const whatIfTable = markdownTable(
    [
      'model',
      'real U55-256 cycles',
      'speedup',
      'zero-8x8-block-skipping cycles',
      'speedup (what-if)',
      'bottleneck (what-if)',
    ],
    variants.map((v) => [
      v.label,
      Math.round((sramReal[v.key] as EstimateModelResult).totals.cycles),
      `${fmt(metrics[`${v.key}.weightsInSram.highEnd.speedupVsDense`] as number, 3)}x`,
      Math.round((whatIf[v.key] as EstimateModelResult).totals.cycles),
      `${fmt(metrics[`${v.key}.zeroSkipping8x8.highEnd.speedupVsDense`] as number, 3)}x`,
      (whatIf[v.key] as EstimateModelResult).totals.bottleneck,
    ]),
  );
  const spd = (v: string, s = 'highEnd') => `${fmt(metrics[`${v}.${s}.speedupVsDense`] as number, 3)}x`;
  const summary = [
    {
      label: 'dense DTLN latency, U55-256 High-End',
      value: `${fmt(metrics['dense.highEnd.latencyMs'] as number, 3)} ms`,
      reference: '',
    },
    {
      label: 'speedup, 90% unstructured (High-End)',
      value: spd('unstructured90'),
      reference: 'sparsity acts only via the weight stream',
    },
    {
      label: 'speedup, 90% 8x8 block (High-End)',
      value: spd('block90'),
      reference: 'paper: 6.7x for block pruning',
    },
    { label: 'speedup, 50% unit (High-End)', value: spd('units50'), reference: '' },
    {
      label: 'encoded size vs raw int8: 90% unstructured / 90% block',
      value: `${fmt(metrics['unstructured90.compressionVsDenseRaw'] as number, 3)}x / ${fmt(metrics['block90.compressionVsDenseRaw'] as number, 3)}x`,
      reference: 'papers.md (1024x512 gaussian): 6.8x / 4.5x',
    },
    {
      label: 'whole-model estimate time (median; encodings cached / incl. encoding)',
      value: `${fmt(medianMs, 3)} ms / ${fmt(metrics.estimateWithEncodingMsMedian as number, 3)} ms`,
      reference: 'milliseconds, not seconds',
    },
  ];
  const reports = variants
    .map((v) => `### ${v.label}\n\n${formatReport(get(v.key, 'highEnd'))}`)
    .join('\n\n');
  const body = [
    '## Totals per model and system (speedups vs dense on the same system)',
    '',
    table,
    '',
    '## What-if: weights resident in SRAM, real U55-256 vs an NPU that skips all-zero 8x8 weight blocks (High-End clocks and SRAM bandwidth; speedups vs dense with weights in SRAM)',
    '',
    whatIfTable,
    '',
    '## Per-layer reports on U55-256 High-End',
    '',
    reports,
  ].join('\n');
  const chart = svgBarChart({
    title: 'DTLN-sized model on Ethos-U55-256: latency per frame',
    yLabel: 'latency (ms)',
    categories: variants.map((v) => v.label),
    series: systemList.map((s) => ({
      name: s.label,
      values: variants.map((v) => get(v.key, s.key).totals.latencySeconds * 1e3),
    })),
  });
  const report: ExampleReport = {
    example: 'npu-report',
    title: 'Ethos-U55 report for a DTLN-sized speech model: dense vs weight, block and unit sparsity',
    schemaVersion: 1,
    quick: args.quick,
    seed: args.seed,
    settings: {
      sparsity: SPARSITY,
      block: [8, 8],
      unitFraction: UNIT_FRACTION,
      systems: systemList.map((s) => s.key),
    },
    metrics,
    summary,
    environment: runEnvironment(backend.backend),
    startedAt: started.toISOString(),
    durationSeconds: (Date.now() - started.getTime()) / 1000,
  };
  await writeReport(args.out, report, body, { 'latency.svg': chart });
  process.stdout.write(`${table}\n\n${whatIfTable}\n\nreport written to ${args.out}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
