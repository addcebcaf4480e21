import { fileURLToPath } from 'node:url';
import { Gcn, graphArrays, initBackend, loadGraphFolder, resolveDataDir } from '@lab/core';
import {
  type ExampleReport,
  fmt,
  markdownTable,
  ProgressBar,
  parseExampleArgs,
  runEnvironment,
  svgLineChart,
  writeReport,
} from '@lab/example-kit';

/** Kipf & Welling (2017), Cora: 16 hidden, dropout 0.5, Adam lr 0.01, weight decay 5e-4, 200 epochs. */
const KIPF_SETTINGS = { hidden: 16, dropout: 0.5, lr: 0.01, weightDecay: 5e-4, epochs: 200 } as const;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** References: the paper, and PyTorch 1.13 on this kind of machine (packages/core/bench/gcn_pytorch.py; see README). */
const REFERENCE = {
  testAccuracy: '0.81-0.82 (Kipf & Welling 2017: 0.815)',
  msPerEpoch: '5.2 sparse X / 211 dense X (PyTorch 1.13, 1 thread)',
};

async function main(): Promise<void> {
  const started = new Date();
  const args = parseExampleArgs(process.argv.slice(2), {
    defaultOut: fileURLToPath(new URL('../out', import.meta.url)),
    extraOptions: ['data'],
  });
  const backend = await initBackend();
  const dataDir = args.extra.data ?? resolveDataDir('graphs', 'cora');
  const t0 = performance.now();
  const graph = await loadGraphFolder(dataDir);
  const data = graphArrays(graph);
  const prepMs = performance.now() - t0;
  let featureNonZeros = 0;
  for (const v of data.features) if (v !== 0) featureNonZeros++;
  const name = String(graph.getAttribute('name' as never));
  // The full Kipf schedule takes a few seconds here, so --quick runs the same 200 epochs.
  const settings = { ...KIPF_SETTINGS, seed: args.seed };
  process.stderr.write(
    `GCN on ${name}: ${data.numNodes} nodes, ${data.numEdges} edges, ${data.numFeatures} features ` +
      `(${featureNonZeros} non-zeros), ${data.numClasses} classes; backend ${backend.backend}` +
      `${backend.simd ? ' (SIMD)' : ''}; data loaded in ${prepMs.toFixed(0)} ms\n`,
  );
  // @lab/core's Gcn: sparse row-normalised X, sparse D^-1/2 (A + I) D^-1/2, Kipf's dropout and L2.
  const model = new Gcn({
    numFeatures: data.numFeatures,
    numClasses: data.numClasses,
    hidden: settings.hidden,
    dropout: settings.dropout,
    seed: settings.seed,
  });
  const bar = new ProgressBar('training', settings.epochs);
  const fitted = await model.fit(data, {
    epochs: settings.epochs,
    lr: settings.lr,
    weightDecay: settings.weightDecay,
    seed: settings.seed,
    validation: true,
    onProgress: (p) =>
      bar.update(
        p.epoch + 1,
        `loss ${p.loss.toFixed(3)} val acc ${(p.metrics.valAccuracy ?? Number.NaN).toFixed(3)}`,
      ),
  });
  const numParameters = model.numParameters();
  model.dispose();
  const valAccuracies = fitted.metrics.valAccuracy ?? [];
  const history = fitted.loss.map((trainLoss, i) => ({
    epoch: i + 1,
    trainLoss,
    valLoss: fitted.valLoss[i] as number,
    valAccuracy: valAccuracies[i] as number,
  }));
  const result = {
    ...fitted,
    history,
    msPerEpochMedian: median(fitted.stepMs),
    msPerEpochWithEval: mean(fitted.stepMs.map((ms, i) => ms + (fitted.evalMs[i] ?? 0))),
    numParameters,
  };
  bar.finish(`test acc ${result.testAccuracy.toFixed(3)}`);

  const metrics = {
    testAccuracy: result.testAccuracy,
    valAccuracy: result.valAccuracy,
    trainAccuracy: result.trainAccuracy,
    finalTrainLoss: result.history.at(-1)?.trainLoss ?? Number.NaN,
    msPerEpoch: result.msPerEpoch,
    msPerEpochMedian: result.msPerEpochMedian,
    msPerEpochWithEval: result.msPerEpochWithEval,
    epochs: settings.epochs,
    numParameters: result.numParameters,
    dataLoadMs: prepMs,
  };
  const env = runEnvironment(`${backend.backend}${backend.simd ? ' (SIMD)' : ''}`);
  const report: ExampleReport = {
    example: 'gcn-cora',
    title: 'GCN (Kipf & Welling) on Cora with sparse ops in @lab/core',
    schemaVersion: 1,
    quick: args.quick,
    seed: args.seed,
    settings: {
      ...settings,
      data: dataDir,
      split: 'Planetoid public split (140 train / 500 val / 1000 test)',
      inputDropout: 'on the non-zeros of sparse X',
      weightDecayOn: 'W1 only (Kipf)',
      featureNormalisation: 'row-normalised X',
      adjacency: 'D^-1/2 (A + I) D^-1/2, sparse',
      nodes: data.numNodes,
      edges: data.numEdges,
      featureNonZeros,
    },
    metrics,
    summary: [
      { label: 'test accuracy', value: fmt(result.testAccuracy, 3), reference: REFERENCE.testAccuracy },
      {
        label: 'ms per epoch (train step)',
        value: fmt(result.msPerEpoch, 1),
        reference: REFERENCE.msPerEpoch,
      },
    ],
    environment: env,
    startedAt: started.toISOString(),
    durationSeconds: (Date.now() - started.getTime()) / 1000,
  };
  const table = markdownTable(
    ['metric', 'value', 'reference'],
    [
      ['test accuracy', fmt(result.testAccuracy, 3), REFERENCE.testAccuracy],
      ['validation accuracy', fmt(result.valAccuracy, 3), ''],
      ['train accuracy', fmt(result.trainAccuracy, 3), ''],
      ['ms per epoch (train step, mean)', fmt(result.msPerEpoch, 2), REFERENCE.msPerEpoch],
      ['ms per epoch (train step, median)', fmt(result.msPerEpochMedian, 2), ''],
      ['ms per epoch incl. evaluation', fmt(result.msPerEpochWithEval, 2), ''],
      ['epochs', settings.epochs, '200'],
      ['parameters', result.numParameters, '23,063'],
    ],
  );
  const epochs = result.history.map((h) => h.epoch);
  const svg = svgLineChart({
    title: 'GCN on Cora: training loss and validation accuracy',
    xLabel: 'epoch',
    yLabel: 'loss / accuracy',
    series: [
      { name: 'train loss', x: epochs, y: result.history.map((h) => h.trainLoss) },
      { name: 'val loss', x: epochs, y: result.history.map((h) => h.valLoss) },
      { name: 'val accuracy', x: epochs, y: result.history.map((h) => h.valAccuracy) },
    ],
  });
  await writeReport(args.out, report, table, { 'training.svg': svg });
  process.stdout.write(
    `test accuracy ${result.testAccuracy.toFixed(3)}, ${result.msPerEpoch.toFixed(2)} ms/epoch ` +
      `(median ${result.msPerEpochMedian.toFixed(2)}); report in ${args.out}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
