import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, LabInputError, loadGraphFolder, resolveDataDir } from '@lab/core';
import {
  type ExampleReport,
  fmt,
  markdownTable,
  ProgressBar,
  parseExampleArgs,
  runEnvironment,
  svgLineChart,
} from '@lab/example-kit';
import { writeReport } from '@lab/example-kit';
import {
  type Estimator,
  type GraphPartition,
  hasNatsServer,
  partitionGraph,
  type RoundBias,
  startNatsServer,
} from '@lab/fed-graph';
import { type FederateOutcome, federate, type TransportKind } from './federate.js';
import { fmtMeanStd, meanStd } from './stats.js';

type Method = 'centralised' | Estimator;
type PartitionMethod = 'louvain' | 'random';
const ESTIMATORS: Estimator[] = ['local', 'dropped', 'naive', 'corrected'];
const LABELS: Record<Method, string> = {
  centralised: 'centralised (1 client, same protocol)',
  local: 'local only',
  dropped: 'FedAvg, cross-client edges dropped',
  naive: 'naive sharing (stale, no correction)',
  corrected: 'corrected estimator (paper)',
};

/** FedGCN's Cora recipe (Yao et al., NeurIPS 2023): 100 rounds, 3 local SGD steps, lr 0.5, 16 hidden. */
const RECIPE = { rounds: 100, localSteps: 3, lr: 0.5, hidden: 16, dropout: 0.5, weightDecay: 5e-4 } as const;

async function main(): Promise<void> {
  const started = new Date();
  const args = parseExampleArgs(process.argv.slice(2), {
    defaultOut: fileURLToPath(new URL('../out', import.meta.url)),
    extraOptions: ['data', 'transport'],
  });
  const transport = (args.extra.transport ?? 'in-process') as TransportKind;
  if (!['in-process', 'worker', 'nats'].includes(transport)) {
    throw new LabInputError('federated-cora', '--transport', 'must be in-process, worker or nats', transport);
  }
  if (transport === 'nats' && !hasNatsServer()) {
    throw new LabInputError(
      'federated-cora',
      '--transport',
      'nats needs nats-server on PATH (Debian: apt-get install -y nats-server)',
      transport,
    );
  }
  const backend = await initBackend();
  const dataDir = args.extra.data ?? resolveDataDir('graphs', 'cora');
  const cora = await loadGraphFolder(dataDir);

  const quick = args.quick;
  const seeds = quick ? [args.seed] : [args.seed, args.seed + 1, args.seed + 2];
  const clientCounts = quick ? [5] : [3, 5, 10];
  const partitions: PartitionMethod[] = ['louvain', 'random'];
  const lrGrid = quick ? [RECIPE.lr] : [0.1, 0.5, 1];
  const probeEvery = quick ? 50 : 5;
  // quick mode measures the two sharing estimators only (the probe costs a fresh exchange per local step)
  const probed: Method[] = quick ? ['naive', 'corrected'] : ['dropped', 'naive', 'corrected'];
  const refreshPeriods = quick ? [] : [2, 5];
  const rounds = RECIPE.rounds;

  const nats = transport === 'nats' ? await startNatsServer() : undefined;
  const workDir = transport === 'nats' ? await mkdtemp(join(tmpdir(), 'federated-cora-')) : '';
  const partitionCache = new Map<string, GraphPartition>();
  const partitionOf = (numClients: number, method: PartitionMethod, seed: number) => {
    const key = `${numClients}/${method}/${seed}`;
    let p = partitionCache.get(key);
    if (p === undefined) {
      p = partitionGraph(cora, { numClients, method: numClients === 1 ? 'random' : method, seed });
      partitionCache.set(key, p);
    }
    return p;
  };

  // The jobs: lr selection (validation accuracy, first seed, 5 clients), then the grid.
  const tuneJobs: { method: Method; partition: PartitionMethod; lr: number }[] = [];
  if (lrGrid.length > 1) {
    for (const lr of lrGrid) {
      tuneJobs.push({ method: 'centralised', partition: 'random', lr });
      for (const partition of partitions) for (const method of ESTIMATORS) tuneJobs.push({ method, partition, lr });
    }
  }
  const gridJobs = seeds.length * (1 + partitions.length * clientCounts.length * ESTIMATORS.length) + refreshPeriods.length;
  const bar = new ProgressBar('federated runs', tuneJobs.length + gridJobs);
  let done = 0;
  const run = async (
    method: Method,
    partition: PartitionMethod,
    numClients: number,
    seed: number,
    lr: number,
    probe: boolean,
    refreshEvery = 1,
  ): Promise<FederateOutcome> => {
    const part = partitionOf(method === 'centralised' ? 1 : numClients, partition, seed);
    const out = await federate({
      partition: part,
      estimator: method === 'centralised' ? 'corrected' : method,
      rounds,
      localSteps: RECIPE.localSteps,
      lr,
      seed,
      refreshEvery,
      transport: probe ? 'in-process' : transport,
      ...(probe ? { probeEvery } : {}),
      ...(nats !== undefined ? { nats: { url: nats.url, workDir } } : {}),
    });
    done++;
    bar.update(
      done,
      `${method} ${method === 'centralised' ? '' : `${partition} ${numClients} clients `}lr ${lr}${refreshEvery > 1 ? ` refresh ${refreshEvery}` : ''}: test ${out.result.testAccuracy.toFixed(3)}`,
    );
    return out;
  };

  try {
    // 1. lr on validation only
    const chosenLr: Record<string, number> = {};
    const tuning: { method: Method; partition: PartitionMethod; lr: number; valAccuracy: number }[] = [];
    for (const j of tuneJobs) {
      const o = await run(j.method, j.partition, 5, seeds[0]!, j.lr, false);
      tuning.push({ ...j, valAccuracy: o.result.valAccuracy });
    }
    const lrFor = (method: Method, partition: PartitionMethod) => {
      const key = method === 'centralised' ? 'centralised' : `${partition}/${method}`;
      if (chosenLr[key] !== undefined) return chosenLr[key]!;
      const cands = tuning.filter((t) => t.method === method && (method === 'centralised' || t.partition === partition));
      const best = cands.length === 0 ? RECIPE.lr : cands.reduce((a, b) => (b.valAccuracy > a.valAccuracy ? b : a)).lr;
      chosenLr[key] = best;
      return best;
    };

    // 2. the grid: every method, partition, client count and seed
    type Cell = {
      test: number[];
      val: number[];
      bytesPerRound: number[];
      seconds: number[];
      roundsWithLeftOut: number[];
      curve?: number[];
    };
    const cells = new Map<string, Cell>();
    const cellOf = (key: string) => {
      let c = cells.get(key);
      if (c === undefined) {
        c = { test: [], val: [], bytesPerRound: [], seconds: [], roundsWithLeftOut: [] };
        cells.set(key, c);
      }
      return c;
    };
    const bias: Record<string, Record<string, RoundBias[]>> = {};
    const record = (key: string, o: FederateOutcome) => {
      const c = cellOf(key);
      c.test.push(o.result.testAccuracy);
      c.val.push(o.result.valAccuracy);
      c.bytesPerRound.push(o.bytesPerRound);
      c.seconds.push(o.seconds);
      c.roundsWithLeftOut.push(o.roundsWithLeftOut);
      c.curve ??= o.result.rounds.map((r) => r.testAccuracy);
    };
    for (const seed of seeds) {
      record('centralised', await run('centralised', 'random', 1, seed, lrFor('centralised', 'random'), false));
      for (const partition of partitions) {
        for (const numClients of clientCounts) {
          for (const method of ESTIMATORS) {
            // the bias curves come from the first seed at 5 clients, in process (the probe sees every client)
            const probe = seed === seeds[0] && numClients === 5 && probed.includes(method);
            const o = await run(method, partition, numClients, seed, lrFor(method, partition), probe);
            record(`${partition}/${numClients}/${method}`, o);
            if (probe && o.bias !== undefined) {
              bias[partition] ??= {};
              bias[partition]![method] = o.bias;
            }
          }
        }
      }
    }
    // the refresh period (full mode): corrected, random, 5 clients, first seed
    const refresh: {
      refreshEvery: number;
      testAccuracy: number;
      valAccuracy: number;
      bytesPerRound: number;
      roundsWithLeftOut: number;
      bias: RoundBias[];
    }[] = [];
    for (const p of refreshPeriods) {
      const o = await run('corrected', 'random', 5, seeds[0]!, lrFor('corrected', 'random'), true, p);
      refresh.push({
        refreshEvery: p,
        testAccuracy: o.result.testAccuracy,
        valAccuracy: o.result.valAccuracy,
        bytesPerRound: o.bytesPerRound,
        roundsWithLeftOut: o.roundsWithLeftOut,
        bias: o.bias ?? [],
      });
    }
    bar.finish('done');

    // 3. NATS equivalence: one configuration in process vs as processes over nats-server
    let natsCheck: { config: string; inProcess: number; nats: number; identical: boolean } | undefined;
    if (transport === 'nats') {
      const part = partitionOf(5, 'random', seeds[0]!);
      const base = { partition: part, estimator: 'corrected' as const, rounds, localSteps: RECIPE.localSteps, lr: lrFor('corrected', 'random'), seed: seeds[0]! };
      const a = await federate({ ...base, transport: 'in-process' });
      const b = await federate({ ...base, transport: 'nats', nats: { url: nats!.url, workDir } });
      const same = Object.keys(a.result.params).every((k) => {
        const x = a.result.params[k]!.data;
        const y = b.result.params[k]!.data;
        return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
      });
      natsCheck = {
        config: 'random, 5 clients, corrected',
        inProcess: a.result.testAccuracy,
        nats: b.result.testAccuracy,
        identical: same && a.result.testAccuracy === b.result.testAccuracy,
      };
    }

    // 4. targets
    const mean = (k: string) => meanStd(cells.get(k)?.test ?? []).mean;
    const central = mean('centralised');
    const gapTo = (p: PartitionMethod) => central - mean(`${p}/5/corrected`);
    const biasBelow = (p: PartitionMethod) => {
      const c = bias[p]?.corrected ?? [];
      const n = bias[p]?.naive ?? [];
      return c.length > 0 && c.every((b, i) => n[i] !== undefined && b.bias < n[i]!.bias);
    };
    const allStepsBelow = (p: PartitionMethod) => {
      const c = bias[p]?.corrected ?? [];
      const n = bias[p]?.naive ?? [];
      return c.filter((b, i) => n[i] !== undefined && b.biasAllSteps < n[i]!.biasAllSteps).length;
    };
    const targets = {
      correctedWithin2PointsOfCentralised: {
        louvain: { gap: gapTo('louvain'), met: gapTo('louvain') <= 0.02 },
        random: { gap: gapTo('random'), met: gapTo('random') <= 0.02 },
      },
      correctedAboveDroppedRandom: {
        gain: mean('random/5/corrected') - mean('random/5/dropped'),
        met: mean('random/5/corrected') - mean('random/5/dropped') >= 0.03,
      },
      correctedBiasBelowNaiveEveryMeasuredRound: { louvain: biasBelow('louvain'), random: biasBelow('random') },
      /** Rounds (of those measured) where the all-local-steps bias of corrected is below naive's. */
      correctedAllStepsBiasBelowNaive: {
        louvain: `${allStepsBelow('louvain')}/${bias.louvain?.corrected?.length ?? 0}`,
        random: `${allStepsBelow('random')}/${bias.random?.corrected?.length ?? 0}`,
      },
    };

    // 5. report
    const accuracy: Record<string, unknown> = {};
    for (const [k, c] of cells) {
      accuracy[k] = {
        test: meanStd(c.test),
        val: meanStd(c.val),
        bytesPerRound: meanStd(c.bytesPerRound).mean,
        seconds: meanStd(c.seconds).mean,
        /** Per seed: rounds in which a client was left out (0 for every healthy run). */
        roundsWithLeftOut: c.roundsWithLeftOut,
        /** Test accuracy of the global model per round, first seed. */
        curve: c.curve,
        lr: k === 'centralised' ? lrFor('centralised', 'random') : lrFor(k.split('/')[2] as Method, k.split('/')[0] as PartitionMethod),
      };
    }
    const rows: (string | number)[][] = [[LABELS.centralised, '-', '-', fmtMeanStd(cells.get('centralised')!.test), fmtMeanStd(cells.get('centralised')!.val), '-', String(lrFor('centralised', 'random'))]];
    for (const partition of partitions) {
      for (const numClients of clientCounts) {
        for (const method of ESTIMATORS) {
          const c = cells.get(`${partition}/${numClients}/${method}`)!;
          rows.push([
            LABELS[method],
            partition,
            numClients,
            fmtMeanStd(c.test),
            fmtMeanStd(c.val),
            fmt(meanStd(c.bytesPerRound).mean / 1e6, 3),
            String(lrFor(method, partition)),
          ]);
        }
      }
    }
    const table = markdownTable(['method', 'partition', 'clients', 'test accuracy', 'val accuracy', 'MB per round', 'lr'], rows);
    const biasRows: (string | number)[][] = [];
    for (const partition of partitions) {
      const b = bias[partition] ?? {};
      const rs = (b.corrected ?? []).map((x) => x.round);
      for (const [i, r] of rs.entries()) {
        biasRows.push([
          partition,
          r,
          ...(['corrected', 'naive', 'dropped'] as const).flatMap((m) => [fmt(b[m]?.[i]?.bias, 4), fmt(b[m]?.[i]?.biasAllSteps, 4)]),
        ]);
      }
    }
    const biasTable = markdownTable(
      ['partition', 'round', 'corrected (step 0)', 'corrected (all steps)', 'naive (step 0)', 'naive (all steps)', 'dropped (step 0)', 'dropped (all steps)'],
      biasRows,
    );
    const tuned = lrGrid.length > 1;
    const body = [
      `Cora, ${rounds} rounds, ${RECIPE.localSteps} local SGD steps, GCN with ${RECIPE.hidden} hidden units, dropout ${RECIPE.dropout}, weight decay ${RECIPE.weightDecay} (FedGCN's recipe). ` +
        `Transport: ${transport}${transport === 'nats' ? ' (server and clients as separate processes over a local nats-server; bias runs in process)' : ''}. ` +
        `Seeds: ${seeds.join(', ')} (mean ± sample std; partitions are re-drawn per seed). ` +
        (tuned
          ? `Learning rate per method chosen from {${lrGrid.join(', ')}} by final validation accuracy (5 clients, seed ${seeds[0]}); every method the same budget.`
          : `Learning rate ${RECIPE.lr} for every method (the recipe's; not tuned in quick mode).`),
      '',
      table,
      '',
      `## Gradient bias (5 clients, seed ${seeds[0]}, every ${probeEvery}th round)`,
      '',
      'Relative distance of the aggregated estimator gradient from the exact full-graph gradient: step 0 at the round\'s global model, and over all local steps against the exact share at the parameters each client holds (no dropout, no weight decay; `createBiasProbe`).',
      '',
      biasTable,
      '',
      ...(refresh.length > 0
        ? [
            '## Refresh period (corrected, random, 5 clients, first seed)',
            '',
            markdownTable(
              ['refresh every', 'test accuracy', 'val accuracy', 'MB per round', 'mean bias (step 0)', 'mean bias (all steps)', 'rounds with clients left out'],
              [
                [1, fmt(cells.get('random/5/corrected')!.test[0], 3), fmt(cells.get('random/5/corrected')!.val[0], 3), fmt(cells.get('random/5/corrected')!.bytesPerRound[0]! / 1e6, 3), fmt(meanStd((bias.random?.corrected ?? []).map((b) => b.bias)).mean, 4), fmt(meanStd((bias.random?.corrected ?? []).map((b) => b.biasAllSteps)).mean, 4), cells.get('random/5/corrected')!.roundsWithLeftOut[0]!],
                ...refresh.map((r) => [r.refreshEvery, fmt(r.testAccuracy, 3), fmt(r.valAccuracy, 3), fmt(r.bytesPerRound / 1e6, 3), fmt(meanStd(r.bias.map((b) => b.bias)).mean, 4), fmt(meanStd(r.bias.map((b) => b.biasAllSteps)).mean, 4), r.roundsWithLeftOut]),
              ],
            ),
            '',
          ]
        : []),
      '## Targets',
      '',
      markdownTable(
        ['target', 'measured', 'met'],
        [
          ['corrected within 2 points of centralised, Louvain, 5 clients', fmt(-targets.correctedWithin2PointsOfCentralised.louvain.gap, 3), String(targets.correctedWithin2PointsOfCentralised.louvain.met)],
          ['corrected within 2 points of centralised, random, 5 clients', fmt(-targets.correctedWithin2PointsOfCentralised.random.gap, 3), String(targets.correctedWithin2PointsOfCentralised.random.met)],
          ['corrected >= 3 points above dropped edges, random, 5 clients', fmt(targets.correctedAboveDroppedRandom.gain, 3), String(targets.correctedAboveDroppedRandom.met)],
          ['corrected bias (distance from the full gradient at the round\'s model) below naive in every measured round (Louvain / random)', '', `${targets.correctedBiasBelowNaiveEveryMeasuredRound.louvain} / ${targets.correctedBiasBelowNaiveEveryMeasuredRound.random}`],
          ['(not a target) corrected all-local-steps bias below naive: rounds (Louvain / random)', `${targets.correctedAllStepsBiasBelowNaive.louvain} / ${targets.correctedAllStepsBiasBelowNaive.random}`, ''],
          ...(natsCheck ? [[`NATS processes = in process (${natsCheck.config})`, `${fmt(natsCheck.nats, 3)} vs ${fmt(natsCheck.inProcess, 3)}`, String(natsCheck.identical)]] : []),
        ],
      ),
    ].join('\n');

    const svgs: Record<string, string> = {};
    for (const partition of partitions) {
      const series = [
        { name: 'centralised', x: [] as number[], y: cells.get('centralised')!.curve! },
        ...ESTIMATORS.map((m) => ({ name: m, x: [] as number[], y: cells.get(`${partition}/5/${m}`)!.curve! })),
      ].map((s) => ({ ...s, x: s.y.map((_, i) => i) }));
      svgs[`accuracy-${partition}.svg`] = svgLineChart({
        title: `Cora, ${partition} partition, 5 clients: test accuracy of the global model`,
        xLabel: 'round',
        yLabel: 'test accuracy',
        series,
      });
      const b = bias[partition] ?? {};
      svgs[`bias-${partition}.svg`] = svgLineChart({
        title: `Gradient bias, ${partition} partition, 5 clients (all local steps)`,
        xLabel: 'round',
        yLabel: 'relative distance from full gradient',
        logY: true,
        series: (['corrected', 'naive', 'dropped'] as const)
          .filter((m) => (b[m] ?? []).length > 0)
          .map((m) => ({ name: m, x: b[m]!.map((r) => r.round), y: b[m]!.map((r) => Math.max(r.biasAllSteps, 1e-8)) })),
      });
    }

    const report: ExampleReport = {
      example: 'federated-cora',
      title: 'Graph federated learning on Cora: hidden-representation sharing with bias-corrected gradients',
      schemaVersion: 1,
      quick,
      seed: args.seed,
      settings: {
        ...RECIPE,
        data: dataDir,
        transport,
        seeds,
        clientCounts,
        partitions,
        lrGrid,
        lrSelection: tuned ? 'final validation accuracy, 5 clients, first seed' : 'none (recipe lr)',
        probeEvery,
        features: 'raw bag-of-words (not row-normalised)',
      },
      metrics: { accuracy, lr: chosenLr, tuning, bias, refresh, targets, ...(natsCheck ? { natsCheck } : {}) },
      summary: [
        {
          label: 'test accuracy, 5 clients, random: corrected / naive / dropped / local',
          value: ESTIMATORS.slice()
            .reverse()
            .map((m) => fmt(mean(`random/5/${m}`), 3))
            .join(' / '),
          reference: `centralised ${fmt(central, 3)}`,
        },
        {
          label: 'test accuracy, 5 clients, Louvain: corrected / naive / dropped / local',
          value: ESTIMATORS.slice()
            .reverse()
            .map((m) => fmt(mean(`louvain/5/${m}`), 3))
            .join(' / '),
          reference: 'target: corrected within 2 points of centralised',
        },
        {
          label: 'corrected minus dropped edges, random, 5 clients',
          value: `${fmt(targets.correctedAboveDroppedRandom.gain, 3)} (${targets.correctedAboveDroppedRandom.met ? 'met' : 'not met'})`,
          reference: '>= 0.03',
        },
        {
          label: 'corrected bias below naive, every measured round (Louvain / random)',
          value: `${targets.correctedBiasBelowNaiveEveryMeasuredRound.louvain} / ${targets.correctedBiasBelowNaiveEveryMeasuredRound.random}`,
          reference: 'true / true',
        },
      ],
      environment: runEnvironment(`${backend.backend}${backend.simd ? ' (SIMD)' : ''}`),
      startedAt: started.toISOString(),
      durationSeconds: (Date.now() - started.getTime()) / 1000,
    };
    await writeReport(args.out, report, body, svgs);
    process.stdout.write(`${body}\n\nreport in ${args.out}\n`);
  } finally {
    await nats?.stop();
    if (workDir !== '') await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
