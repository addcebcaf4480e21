// Speech enhancement on FSDD: a TinyLSTM mask estimator compressed with weight, block and unit
// sparsity learned jointly with int8 QAT, against offline int8 magnitude pruning; SDR, exported
// bytes and estimated Ethos-U55 latency per run.
import { fileURLToPath } from 'node:url';
import { initBackend, resolveDataDir } from '@lab/core';
import {
  type ExampleReport,
  ProgressBar,
  type SummaryRow,
  fmt,
  markdownTable,
  parseExampleArgs,
  runEnvironment,
  svgLineChart,
  writeReport,
} from '@lab/example-kit';
import { type EstimateModelResult, type SystemConfig, estimateModel, systems } from '@lab/micronpu-sim';
import { type Int8Model, footprint } from '@lab/sparse-quant';
import * as tf from '@tensorflow/tfjs-core';
import { type CompressedModel, compressOffline, fineTuneCompressed, toInt8 } from './compression.js';
import { FULL, QUICK, type RunSpec, runGrid } from './config.js';
import { prepareData } from './data.js';
import { type EvaluateResult, evaluate } from './evaluate.js';
import { loadFsdd, splitBySpeaker, DEFAULT_SPLIT } from './fsdd.js';
import { MaskEstimator } from './model.js';
import { maskEstimatorNpuModel } from './npuModel.js';
import { STFT_CONFIG } from './stft.js';
import { trainMaskEstimator } from './train.js';

/** What is reported for every run. */
interface RunResult {
  key: string;
  label: string;
  method: 'fp32' | 'qat' | 'joint' | 'offline';
  structure: string;
  targetSparsity: number;
  /** Zero fraction of the int8 weight matrices as exported (unit runs: of the original shapes). */
  weightSparsity: number;
  quality: EvaluateResult;
  validationSiSdrImprovement: number;
  exportedBytes: number;
  compressionVsFp32: number;
  macsPerFrame: number;
  npu: EstimateModelResult | null;
  trainSeconds: number;
}

const SYSTEM = systems['u55-high-end'] as SystemConfig;

function label(spec: RunSpec): string {
  if (spec.method === 'qat') return 'dense int8 QAT';
  const s = `${Math.round(spec.sparsity * 1000) / 10}%`;
  const st = spec.structure === 'block' ? '8x8 block' : spec.structure;
  return `${spec.method === 'joint' ? 'joint' : 'offline'} ${st} ${s}`;
}

function zeroFraction(model: Int8Model, originalParams: number): number {
  let nz = 0;
  for (const w of model.weights) for (const v of w.values) if (v !== 0) nz++;
  return 1 - nz / originalParams;
}

async function main(): Promise<void> {
  const started = new Date();
  const args = parseExampleArgs(process.argv.slice(2), {
    defaultOut: fileURLToPath(new URL('../out', import.meta.url)),
    extraOptions: ['data'],
  });
  const settings = args.quick ? QUICK : FULL;
  const backend = await initBackend();
  const dataDir = args.extra.data ?? resolveDataDir('speech', 'fsdd');

  process.stderr.write(`loading FSDD from ${dataDir} (${settings.maxTake} takes per speaker and digit)\n`);
  const clips = await loadFsdd(dataDir, { maxTake: settings.maxTake });
  const parts = splitBySpeaker(clips);
  const data = prepareData(parts, { seed: args.seed, ...settings });
  const bins = data.pool.bins;

  // 1. Dense fp32 model, best validation checkpoint kept.
  const dense = new MaskEstimator({ bins, hidden: settings.hidden, seed: args.seed });
  const bar = new ProgressBar('dense fp32', settings.denseSteps);
  let best = { score: Number.NEGATIVE_INFINITY, step: -1, record: null as Record<string, tf.Tensor> | null };
  const t0 = performance.now();
  trainMaskEstimator(dense, data.pool, {
    seed: args.seed,
    steps: settings.denseSteps,
    batchSize: settings.batchSize,
    lr: (step) => settings.denseLr * (step < settings.denseSteps / 2 ? 1 : 0.3),
    onStep: (step, loss) => {
      if ((step + 1) % settings.validateEvery === 0 || step + 1 === settings.denseSteps) {
        const v = evaluate(dense, data.validation, data.stats).siSdrImprovement;
        if (v > best.score) {
          if (best.record) tf.dispose(Object.values(best.record));
          best = { score: v, step: step + 1, record: dense.store.toRecord() };
        }
      }
      bar.update(step + 1, `loss ${loss.toFixed(4)} best val SI-SDRi ${fmt(best.score, 2)} dB`);
    },
  });
  bar.finish();
  const denseSeconds = (performance.now() - t0) / 1000;
  const denseRecord = best.record as Record<string, tf.Tensor>;
  dense.store.loadRecord(denseRecord);
  const fp32Params = dense.store.numParameters();
  const weightParams = ['lstm1.kernel', 'lstm1.recurrentKernel', 'lstm2.kernel', 'lstm2.recurrentKernel', 'mask.kernel']
    .map((n) => dense.store.shape(n).reduce((a, b) => a * b, 1))
    .reduce((a, b) => a + b, 0);

  const results: RunResult[] = [];
  const denseInt8 = toInt8(dense);
  const denseNpu = estimateModel(maskEstimatorNpuModel(denseInt8, 'dense'), SYSTEM);
  results.push({
    key: 'fp32.dense',
    label: 'dense fp32',
    method: 'fp32',
    structure: 'none',
    targetSparsity: 0,
    weightSparsity: 0,
    quality: evaluate(dense, data.test, data.stats),
    validationSiSdrImprovement: best.score,
    exportedBytes: fp32Params * 4,
    compressionVsFp32: 1,
    macsPerFrame: denseNpu.totals.macs,
    npu: null,
    trainSeconds: denseSeconds,
  });

  process.stderr.write(
    `dense fp32: test SNR-SDRi ${fmt(results[0]?.quality.snrSdrImprovement, 2)} dB, SI-SDRi ${fmt(results[0]?.quality.siSdrImprovement, 2)} dB\n`,
  );

  // 2. The grid: dense int8 QAT, joint runs (fine-tuned from the dense checkpoint), offline baselines.
  const grid = runGrid(settings);
  for (const spec of grid) {
    const t1 = performance.now();
    let c: CompressedModel;
    if (spec.method === 'offline') {
      c = compressOffline(dense, denseInt8, spec, data.pool, args.seed);
    } else {
      const pb = new ProgressBar(label(spec), settings.fineTuneSteps);
      c = fineTuneCompressed(denseRecord, spec, data.pool, {
        seed: args.seed,
        hidden: settings.hidden,
        steps: settings.fineTuneSteps,
        batchSize: settings.batchSize,
        lr: settings.fineTuneLr,
        rampFraction: settings.rampFraction,
        onStep: (step: number, loss: number) => pb.update(step + 1, `loss ${loss.toFixed(4)}`),
      });
      pb.finish();
    }
    const fpr = footprint(c.int8);
    const npu = estimateModel(maskEstimatorNpuModel(c.int8, spec.key), SYSTEM);
    results.push({
      key: spec.key,
      label: label(spec),
      method: spec.method,
      structure: spec.structure,
      targetSparsity: spec.sparsity,
      weightSparsity: zeroFraction(c.int8, weightParams),
      quality: evaluate(c.estimator, data.test, data.stats),
      validationSiSdrImprovement: evaluate(c.estimator, data.validation, data.stats).siSdrImprovement,
      exportedBytes: fpr.total.exportedBytes,
      compressionVsFp32: (fp32Params * 4) / fpr.total.exportedBytes,
      macsPerFrame: npu.totals.macs,
      npu,
      trainSeconds: (performance.now() - t1) / 1000,
    });
    c.estimator.dispose();
    process.stderr.write(`${label(spec)}: SI-SDRi ${fmt(results.at(-1)?.quality.siSdrImprovement, 2)} dB\n`);
  }
  tf.dispose(Object.values(denseRecord));

  // 3. Report.
  const ref = results[0] as RunResult;
  const qat = results.find((r) => r.key === 'qat.dense') as RunResult;
  const refNpu = (qat.npu ?? denseNpu).totals;
  const metrics: Record<string, unknown> = {
    'data.trainClips': parts.train.length,
    'data.validationClips': parts.validation.length,
    'data.testClips': parts.test.length,
    'data.testMixtures': data.test.length,
    'test.noisy.siSdr': ref.quality.siSdrNoisy,
    'test.noisy.snrSdr': ref.quality.snrSdrNoisy,
    'test.noisy.stoi': ref.quality.stoiNoisy,
    'dense.params': fp32Params,
    'dense.bestStep': best.step,
  };
  for (const r of results) {
    const p = `runs.${r.key}`;
    const q = r.quality;
    Object.assign(metrics, {
      [`${p}.siSdr`]: q.siSdr,
      [`${p}.siSdrImprovement`]: q.siSdrImprovement,
      [`${p}.siSdrImprovementChangeVsDense`]: q.siSdrImprovement - ref.quality.siSdrImprovement,
      [`${p}.snrSdr`]: q.snrSdr,
      [`${p}.snrSdrImprovement`]: q.snrSdrImprovement,
      [`${p}.snrSdrImprovementChangeVsDense`]: q.snrSdrImprovement - ref.quality.snrSdrImprovement,
      [`${p}.siSdrImprovementByNoise`]: q.siSdrImprovementByNoise,
      [`${p}.stoi`]: q.stoi,
      [`${p}.validationSiSdrImprovement`]: r.validationSiSdrImprovement,
      [`${p}.targetSparsity`]: r.targetSparsity,
      [`${p}.weightSparsity`]: r.weightSparsity,
      [`${p}.exportedBytes`]: r.exportedBytes,
      [`${p}.compressionVsFp32`]: r.compressionVsFp32,
      [`${p}.macsPerFrame`]: r.macsPerFrame,
      [`${p}.trainSeconds`]: r.trainSeconds,
    });
    if (r.npu) {
      metrics[`${p}.npu.latencyMsPerFrame`] = r.npu.totals.latencySeconds * 1e3;
      metrics[`${p}.npu.cycles`] = r.npu.totals.cycles;
      metrics[`${p}.npu.encodedWeightBytes`] = r.npu.totals.encodedWeightBytes;
      metrics[`${p}.npu.speedupVsDense`] = refNpu.cycles / r.npu.totals.cycles;
      metrics[`${p}.npu.bottleneck`] = r.npu.totals.bottleneck;
    }
  }

  const dSi = (r: RunResult) => r.quality.snrSdrImprovement - ref.quality.snrSdrImprovement;
  const speedup = (r: RunResult) => (r.npu ? refNpu.cycles / r.npu.totals.cycles : Number.NaN);
  const joint = results.filter((r) => r.method === 'joint');
  const bestOf = (xs: RunResult[], score: (r: RunResult) => number) =>
    xs.reduce<RunResult | null>((a, r) => (a === null || score(r) > score(a) ? r : a), null);
  // Weight pruning: largest compression with <= 0.5 dB SNR-SDR loss.
  const w = bestOf(
    joint.filter((r) => r.structure === 'weight' && dSi(r) >= -0.5),
    (r) => r.compressionVsFp32,
  );
  const wAny = bestOf(
    joint.filter((r) => r.structure === 'weight'),
    (r) => r.compressionVsFp32,
  );
  const b = bestOf(
    joint.filter((r) => r.structure === 'block' && dSi(r) >= -1),
    speedup,
  );
  const bestSpeed = bestOf(
    joint.filter((r) => dSi(r) >= -1),
    speedup,
  );
  let wins = 0;
  let pairs = 0;
  for (const r of joint) {
    const o = results.find((x) => x.key === r.key.replace('joint.', 'offline.'));
    if (!o) continue;
    pairs++;
    if (r.quality.snrSdrImprovement > o.quality.snrSdrImprovement) wins++;
  }
  Object.assign(metrics, {
    'targets.weight.bestCompressionWithin0.5dB': w?.compressionVsFp32 ?? null,
    'targets.weight.run': w?.key ?? null,
    'targets.block.bestSpeedupWithin1dB': b ? speedup(b) : null,
    'targets.block.run': b?.key ?? null,
    'targets.anyStructure.bestSpeedupWithin1dB.run': bestSpeed?.key ?? null,
    'targets.jointBeatsOffline.wins': wins,
    'targets.jointBeatsOffline.pairs': pairs,
  });
  const summary: SummaryRow[] = [
    {
      label: 'dense fp32 SNR-SDR / SI-SDR improvement (test speaker unseen)',
      value: `${fmt(ref.quality.snrSdrImprovement, 2)} / ${fmt(ref.quality.siSdrImprovement, 2)} dB`,
      reference: 'paper: DTLN-size model on DNS data (not comparable)',
    },
    {
      label: 'weight pruning: smallest model within 0.5 dB SNR-SDR of dense',
      value: w
        ? `${fmt(w.compressionVsFp32, 1)}x smaller, ${fmt(dSi(w), 2)} dB (${w.label})`
        : `none within 0.5 dB (most compressed: ${wAny ? `${fmt(wAny.compressionVsFp32, 1)}x, ${fmt(dSi(wAny), 2)} dB` : '-'})`,
      reference: 'target >= 40x, >= -0.5 dB; paper 42x, -0.1 dB',
    },
    {
      label: 'block pruning: best est. U55-256 speedup within 1 dB',
      value: b ? `${fmt(speedup(b), 2)}x, ${fmt(dSi(b), 2)} dB (${b.label})` : 'none within 1 dB',
      reference: 'paper 6.7x, -0.59 dB',
    },
    {
      label: 'joint beats offline at equal sparsity (SNR-SDR improvement)',
      value: `${wins} of ${pairs}`,
      reference: `paper: joint better at every sparsity`,
    },
  ];

  const rows = results.map((r) => [
    r.label,
    fmt(r.weightSparsity, 3),
    fmt(r.quality.snrSdrImprovement, 2),
    fmt(dSi(r), 2),
    fmt(r.quality.siSdrImprovement, 2),
    fmt(r.quality.siSdrImprovement - ref.quality.siSdrImprovement, 2),
    fmt(r.quality.stoi, 3),
    r.exportedBytes,
    `${fmt(r.compressionVsFp32, 1)}x`,
    r.macsPerFrame,
    r.npu ? fmt(r.npu.totals.latencySeconds * 1e6, 1) : '-',
    r.npu ? `${fmt(speedup(r), 2)}x` : '-',
  ]);
  const table = markdownTable(
    [
      'run',
      'weight sparsity',
      'SNR-SDRi (dB)',
      'vs dense',
      'SI-SDRi (dB)',
      'vs dense',
      'STOI',
      'bytes exported',
      'vs fp32',
      'MACs/frame',
      'U55-256 HE us/frame',
      'speedup',
    ],
    rows,
  );
  // Joint curves start at the dense int8 QAT model (their 0 % point), offline curves at the dense
  // fp32 model they prune, so every curve has at least two points even in quick mode.
  const structures = ['weight', 'block', 'unit'] as const;
  const series = structures.flatMap((s) =>
    (['joint', 'offline'] as const).map((m) => {
      const pts = [m === 'joint' ? qat : ref, ...results.filter((r) => r.structure === s && r.method === m)].sort(
        (a, z) => a.exportedBytes - z.exportedBytes,
      );
      return { name: `${s} ${m}`, x: pts.map((r) => r.exportedBytes / 1024), y: pts.map((r) => r.quality.snrSdrImprovement) };
    }),
  );
  const svg = svgLineChart({
    title: 'SNR-SDR improvement vs exported size (test speaker)',
    xLabel: 'exported model size (KiB, log scale)',
    yLabel: 'SNR-SDR improvement (dB)',
    series,
    logX: true,
  });
  const body = [
    `TinyLSTM mask estimator (2 x LSTM(${settings.hidden}), ${bins} bins, ${fp32Params} parameters) on FSDD at 8 kHz, `,
    `${STFT_CONFIG.frame}-sample sqrt-Hann frames, hop ${STFT_CONFIG.hop}. Train speakers ${DEFAULT_SPLIT.train.join(', ')}; `,
    `validation ${DEFAULT_SPLIT.validation.join(', ')}; test (unseen) ${DEFAULT_SPLIT.test.join(', ')}. `,
    `${data.test.length} test mixtures at -5..15 dB SNR (white, pink, brown, hum, modulated, babble). `,
    `Dense: ${settings.denseSteps} steps; compressed runs fine-tuned ${settings.fineTuneSteps} steps from the dense checkpoint. `,
    args.quick ? '**Quick mode**: tiny subset, few steps, fewer runs; numbers are a smoke test, not results.' : '',
    '',
    'SNR-SDR = 10 log10(|s|^2/|s - s_hat|^2); SI-SDR scale-invariant; "i" = improvement over the noisy input; ',
    'latency = @lab/micronpu-sim estimate for one frame on Ethos-U55-256 High-End (weights in flash); speedup vs dense int8.',
    '',
    table,
    '',
    '## Targets',
    '',
    markdownTable(
      ['target', 'measured', 'reference'],
      summary.map((s) => [s.label, s.value, s.reference ?? '']),
    ),
  ].join('\n');
  const report: ExampleReport = {
    example: 'speech-enhancement',
    title: 'Speech enhancement: weight, block or unit sparsity with int8 QAT (FSDD, TinyLSTM)',
    schemaVersion: 1,
    quick: args.quick,
    seed: args.seed,
    settings: { ...settings, stft: STFT_CONFIG, split: DEFAULT_SPLIT, system: SYSTEM.name, dataDir },
    metrics,
    summary,
    environment: runEnvironment(backend.backend),
    startedAt: started.toISOString(),
    durationSeconds: (Date.now() - started.getTime()) / 1000,
  };
  await writeReport(args.out, report, body, { 'quality-vs-size.svg': svg });
  process.stdout.write(`${table}\n\nwrote ${args.out}/report.json, report.md, quality-vs-size.svg\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
