import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, loadCsvSeries, resolveDataDir } from '@lab/core';
import {
  type ExampleReport,
  fmt,
  markdownTable,
  ProgressBar,
  parseExampleArgs,
  runEnvironment,
  svgBarChart,
  svgLineChart,
  writeReport,
} from '@lab/example-kit';
import {
  DLinearForecaster,
  type Forecaster,
  type ForecasterFitResult,
  LinearForecaster,
  loadForecaster,
  PatternForecaster,
  type PatternForecasterOptions,
  prepareForecastData,
  RepeatForecaster,
  SeasonalNaiveForecaster,
} from '@lab/pattern-forecast';

/** Published ETTh1 multivariate MSE/MAE (papers.md table; DLinear with L = 336). */
const PUBLISHED: Record<number, Record<string, [number, number]> | undefined> = {
  96: {
    Repeat: [1.295, 0.713],
    DLinear: [0.375, 0.399],
    'PatchTST/42': [0.375, 0.399],
    FEDformer: [0.376, 0.419],
  },
  192: {
    Repeat: [1.325, 0.733],
    DLinear: [0.405, 0.416],
    'PatchTST/42': [0.414, 0.421],
    FEDformer: [0.42, 0.448],
  },
  336: {
    Repeat: [1.323, 0.744],
    DLinear: [0.439, 0.443],
    'PatchTST/42': [0.431, 0.436],
    FEDformer: [0.459, 0.465],
  },
  720: {
    Repeat: [1.339, 0.756],
    DLinear: [0.472, 0.49],
    'PatchTST/42': [0.449, 0.466],
    FEDformer: [0.506, 0.507],
  },
};

interface Row {
  lookback: number;
  horizon: number;
  model: string;
  mse: number;
  mae: number;
  windows: number;
  epochs: number;
  msPerEpoch: number;
  params: number;
}

function parseList(name: string, text: string | undefined, fallback: number[]): number[] {
  if (text === undefined) return fallback;
  const out = text.split(',').map((s) => Number(s.trim()));
  if (out.length === 0 || out.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new Error(
      `forecast-ett: argument '--${name}' must be a comma-separated list of positive integers; got ${JSON.stringify(text)}`,
    );
  }
  return out;
}

async function main(): Promise<void> {
  const started = new Date();
  const args = parseExampleArgs(process.argv.slice(2), {
    defaultOut: fileURLToPath(new URL('../out', import.meta.url)),
    extraOptions: ['data', 'horizon', 'lookback', 'epochs'],
  });
  const backend = await initBackend();
  const dataPath = args.extra.data ?? resolveDataDir('timeseries', 'ett', 'ETTh1.csv');
  const horizons = parseList('horizon', args.extra.horizon, args.quick ? [96] : [96, 192, 336, 720]);
  const lookbacks = parseList('lookback', args.extra.lookback, args.quick ? [96] : [96, 336]);
  const maxEpochs = parseList('epochs', args.extra.epochs, [args.quick ? 3 : 6])[0]!;
  const patience = args.quick ? 1 : 2;
  const series = await loadCsvSeries(dataPath);
  // ETT files by name (ETTh*: hourly borders, ETTm*: 15-minute borders); anything else 0.7/0.1/0.2.
  const base = basename(dataPath);
  const split = /^etth/i.test(base) ? 'ett' : /^ettm/i.test(base) ? 'ett-minute' : 'ratio';
  // The published table is for ETTh1 only.
  const published = /^etth1\./i.test(base) ? PUBLISHED : {};
  process.stderr.write(
    `${dataPath}: ${series.rows} rows x ${series.cols} series (${series.columns.join(', ')}); split ${split}; ` +
      `backend ${backend.backend}; L in {${lookbacks}}, H in {${horizons}}, <= ${maxEpochs} epochs\n`,
  );

  // Our model and its ablations. Non-overlapping patches of 16 steps, K = 16 Fourier-initialised
  // pattern functions per series.
  const pattern =
    (extra: Partial<PatternForecasterOptions>) => (L: number, H: number, N: number, seed: number) =>
      new PatternForecaster({
        lookback: L,
        horizon: H,
        numSeries: N,
        seed,
        patchLength: 16,
        patchStride: 16,
        ...extra,
      });
  const trainable: Record<
    string,
    { make: (L: number, H: number, N: number, seed: number) => Forecaster; lr: number; batchSize: number }
  > = {
    Pattern: { make: pattern({}), lr: 2e-3, batchSize: 64 },
    DLinear: {
      make: (L, H, N, seed) => new DLinearForecaster({ lookback: L, horizon: H, numSeries: N, seed }),
      lr: 5e-3,
      batchSize: 32,
    },
    Linear: {
      make: (L, H, N, seed) => new LinearForecaster({ lookback: L, horizon: H, numSeries: N, seed }),
      lr: 5e-3,
      batchSize: 32,
    },
  };
  const ablations: Record<string, (L: number, H: number, N: number, seed: number) => Forecaster> = {
    'Pattern, fixed shared patterns': pattern({ patterns: 'fixed' }),
    'Pattern, no series correlation matrix': pattern({ seriesCorrelation: false }),
    'Pattern, no subsequence correlation': pattern({ subsequenceCorrelation: false }),
  };
  const ablationHorizon = horizons[0]!;

  const jobs: Array<{ L: number; H: number; name: string; kind: 'main' | 'ablation' }> = [];
  for (const L of lookbacks)
    for (const H of horizons) {
      for (const name of ['Repeat', 'SeasonalNaive', ...Object.keys(trainable)])
        jobs.push({ L, H, name, kind: 'main' });
      if (H === ablationHorizon)
        for (const name of Object.keys(ablations)) jobs.push({ L, H, name, kind: 'ablation' });
    }
  const bar = new ProgressBar('runs', jobs.length);
  const rows: Row[] = [];
  const ablationRows: Row[] = [];
  let svgForecast = '';
  let roundTrip: { path: string; identical: boolean } | null = null;
  let done = 0;
  for (const job of jobs) {
    const { L, H, name } = job;
    const data = prepareForecastData(series, { lookback: L, horizon: H, split });
    const N = data.cols;
    let model: Forecaster;
    let lr = 2e-3;
    let batchSize = 64;
    if (name === 'Repeat') model = new RepeatForecaster({ lookback: L, horizon: H, numSeries: N });
    else if (name === 'SeasonalNaive')
      model = new SeasonalNaiveForecaster({ lookback: L, horizon: H, numSeries: N, period: Math.min(24, L) });
    else if (job.kind === 'ablation') model = ablations[name]!(L, H, N, args.seed);
    else {
      const t = trainable[name]!;
      model = t.make(L, H, N, args.seed);
      lr = t.lr;
      batchSize = t.batchSize;
    }
    const fitResult: ForecasterFitResult = await model.fit(data, {
      epochs: maxEpochs,
      lr,
      batchSize,
      patience,
      seed: args.seed,
      onProgress: (p) => {
        bar.update(
          done,
          `L=${L} H=${H} ${name} epoch ${p.epoch + 1} loss ${p.loss.toFixed(3)} val ${p.valLoss.toFixed(3)}`,
        );
      },
    });
    const ev = model.evaluate(data, { split: 'test' });
    const row: Row = {
      lookback: L,
      horizon: H,
      model: name,
      mse: ev.mse,
      mae: ev.mae,
      windows: ev.windows,
      epochs: fitResult.epochs,
      msPerEpoch: fitResult.msPerEpoch,
      params: 'numParameters' in model ? (model as PatternForecaster).numParameters() : 0,
    };
    (job.kind === 'main' ? rows : ablationRows).push(row);
    // Save/load round trip and forecast picture for the first configuration's model.
    if (name === 'Pattern' && roundTrip === null) {
      const path = join(args.out, 'pattern-model.json');
      await (model as PatternForecaster).save(path, { lookback: L, horizon: H, testMse: ev.mse });
      const loaded = await loadForecaster(path);
      roundTrip = { path, identical: loaded.evaluate(data, { split: 'test' }).mse === ev.mse };
      loaded.dispose();
      svgForecast = forecastSvg(model, data.values, data.cols, data.columns, data.windows.test, L, H);
    }
    model.dispose();
    done++;
    bar.update(done, `L=${L} H=${H} ${name} mse ${ev.mse.toFixed(3)}`);
  }
  bar.finish();

  const key = (r: Row) => `${r.model}/L${r.lookback}/H${r.horizon}`;
  const metrics: Record<string, unknown> = {};
  for (const r of [...rows, ...ablationRows]) {
    metrics[key(r)] = {
      mse: r.mse,
      mae: r.mae,
      windows: r.windows,
      epochs: r.epochs,
      msPerEpoch: r.msPerEpoch,
      params: r.params,
    };
  }
  metrics.saveLoadRoundTrip = roundTrip;
  const find = (model: string, L: number, H: number) =>
    rows.find((r) => r.model === model && r.lookback === L && r.horizon === H);

  // Targets of the issue.
  const checks: string[] = [];
  for (const L of lookbacks)
    for (const H of horizons) {
      const p = find('Pattern', L, H)!;
      const rep = find('Repeat', L, H)!;
      const dl = find('DLinear', L, H)!;
      checks.push(
        `L=${L} H=${H}: Pattern MSE ${fmt(p.mse)} vs Repeat ${fmt(rep.mse)} (${fmt(rep.mse / p.mse, 2)}x) and our DLinear ${fmt(dl.mse)}` +
          `${p.mse <= dl.mse ? ' (at least as good)' : ' (worse)'}`,
      );
    }
  metrics.targets = checks;

  const header = ['L', 'H', 'model', 'MSE', 'MAE', 'published MSE/MAE', 'epochs', 'ms/epoch', 'params'];
  const publishedFor = (r: Row) => {
    const pub = published[r.horizon];
    if (!pub) return '';
    const name = r.model === 'Pattern' ? 'PatchTST/42' : r.model;
    const v = pub[name];
    if (!v) return '';
    const note = r.model === 'Pattern' ? ' (PatchTST/42)' : r.model === 'DLinear' ? ' (L=336)' : '';
    return `${fmt(v[0])}/${fmt(v[1])}${note}`;
  };
  const tableRows = (list: Row[]) =>
    list.map((r) => [
      r.lookback,
      r.horizon,
      r.model,
      fmt(r.mse),
      fmt(r.mae),
      publishedFor(r),
      r.epochs,
      r.epochs ? fmt(r.msPerEpoch, 0) : '',
      r.params || '',
    ]);
  const md = [
    `Data: \`${dataPath}\` (${series.rows} rows, ${series.cols} series), split \`${split}\`; MSE/MAE on the z-normalised scale over every stride-1 test window.`,
    '',
    '## Results',
    '',
    markdownTable(header, tableRows(rows)),
    '',
    `## Ablations (H = ${ablationHorizon})`,
    '',
    markdownTable(
      header,
      tableRows([
        ...rows.filter((r) => r.model === 'Pattern' && r.horizon === ablationHorizon),
        ...ablationRows,
      ]),
    ),
    '',
    '## Targets',
    '',
    ...checks.map((c) => `- ${c}`),
    '',
    roundTrip
      ? `Save/load round trip of the first Pattern model (${roundTrip.path}): identical test MSE = ${roundTrip.identical}.`
      : '',
  ].join('\n');

  const bars = svgBarChart({
    title: `ETTh1 test MSE, L = ${lookbacks[0]}`,
    categories: horizons.map((h) => `H=${h}`),
    series: ['Repeat', 'SeasonalNaive', 'Linear', 'DLinear', 'Pattern'].map((m) => ({
      name: m,
      values: horizons.map((h) => find(m, lookbacks[0]!, h)!.mse),
    })),
    yLabel: 'MSE',
  });

  const best96 = lookbacks.map((L) => find('Pattern', L, horizons[0]!)!).sort((a, b) => a.mse - b.mse)[0]!;
  const env = runEnvironment(`${backend.backend}${backend.simd ? ' (SIMD)' : ''}`);
  const report: ExampleReport = {
    example: 'forecast-ett',
    title: 'Pattern-discovery forecasting on ETTh1 vs DLinear, Linear and naive baselines',
    schemaVersion: 1,
    quick: args.quick,
    seed: args.seed,
    settings: {
      data: dataPath,
      split,
      lookbacks,
      horizons,
      maxEpochs,
      patience,
      pattern: {
        patchLength: 16,
        patchStride: 16,
        numPatterns: 16,
        patterns: 'diverse',
        instanceNorm: 'last',
        lr: 2e-3,
        batchSize: 64,
      },
      baselines: {
        DLinear: { kernel: 25, lr: 5e-3, batchSize: 32 },
        Linear: { lr: 5e-3, batchSize: 32 },
        SeasonalNaive: { period: 24 },
      },
    },
    metrics,
    summary: [
      {
        label: `Pattern test MSE/MAE, H=${best96.horizon}, L=${best96.lookback}`,
        value: `${fmt(best96.mse)}/${fmt(best96.mae)}`,
        reference: published[best96.horizon]
          ? `DLinear ${published[best96.horizon]!.DLinear![0]}, PatchTST ${published[best96.horizon]!['PatchTST/42']![0]}`
          : '',
      },
      {
        label: `our DLinear test MSE, H=${best96.horizon}, L=${best96.lookback}`,
        value: fmt(find('DLinear', best96.lookback, best96.horizon)!.mse),
        reference: published[best96.horizon] ? `${published[best96.horizon]!.DLinear![0]} (L=336)` : '',
      },
      {
        label: `Repeat test MSE, H=${best96.horizon}`,
        value: fmt(find('Repeat', best96.lookback, best96.horizon)!.mse),
        reference: published[best96.horizon] ? String(published[best96.horizon]!.Repeat![0]) : '',
      },
      { label: 'Pattern ms per epoch', value: fmt(best96.msPerEpoch, 0), reference: '' },
    ],
    environment: env,
    startedAt: started.toISOString(),
    durationSeconds: (Date.now() - started.getTime()) / 1000,
  };
  await writeReport(args.out, report, md, { 'forecast.svg': svgForecast, 'mse.svg': bars });
  process.stdout.write(`${md}\n\nreport in ${args.out}\n`);
}

/** Forecast vs truth of the last series (OT for ETT) on the first test window, original units. */
function forecastSvg(
  model: Forecaster,
  values: Float32Array,
  cols: number,
  columns: string[],
  starts: Int32Array,
  L: number,
  H: number,
): string {
  const s = starts[0]!;
  const c = cols - 1;
  const pred = tf.tidy(() => {
    const x = tf.tensor3d(values.subarray(s * cols, (s + L) * cols), [1, L, cols]);
    return model.predict(x).dataSync();
  });
  const t = Array.from({ length: L + H }, (_, i) => i - L);
  return svgLineChart({
    title: `${model.name}: ${columns[c]} on the first test window (z-normalised)`,
    xLabel: 'step (0 = forecast origin)',
    yLabel: columns[c]!,
    series: [
      { name: 'history + truth', x: t, y: t.map((_, i) => values[(s + i) * cols + c]!) },
      { name: 'forecast', x: t.slice(L), y: Array.from({ length: H }, (_, h) => pred[h * cols + c]!) },
    ],
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
