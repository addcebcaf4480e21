import { fileURLToPath } from 'node:url';
import { initBackend, loadGraphFolder, resolveDataDir } from '@lab/core';
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
import { type GcnSettings, KIPF_SETTINGS, prepareGcnData, trainGcn } from './gcn.js';

/** PyTorch reference on a comparable 2-core machine (see README). */
const REFERENCE = {
  testAccuracy: '0.81-0.82 (Kipf & Welling 2017: 0.815)',
  msPerEpoch: '~67 (PyTorch 1.13, 2 cores)',
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
  const data = prepareGcnData(graph);
  const prepMs = performance.now() - t0;
  // The full Kipf schedule takes a few seconds here, so --quick runs the same 200 epochs.
  const settings: GcnSettings = { ...KIPF_SETTINGS, seed: args.seed };
  process.stderr.write(
    `GCN on ${graph.name}: ${data.numNodes} nodes, ${graph.numEdges} edges, ${data.numFeatures} features ` +
      `(${data.features.nnz} non-zeros), ${data.numClasses} classes; backend ${backend.backend}` +
      `${backend.simd ? ' (SIMD)' : ''}; data loaded in ${prepMs.toFixed(0)} ms\n`,
  );
  const bar = new ProgressBar('training', settings.epochs);
  const result = trainGcn(data, settings, (r) =>
    bar.update(r.epoch, `loss ${r.trainLoss.toFixed(3)} val acc ${r.valAccuracy.toFixed(3)}`),
  );
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
      edges: graph.numEdges,
      featureNonZeros: data.features.nnz,
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
