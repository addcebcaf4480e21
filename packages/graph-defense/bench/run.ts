// Benchmarks of the data / victim / attack part of @lab/graph-defense on Cora, printed as Markdown.
//   pnpm bench                      (cd packages/graph-defense; PGD with 200 steps, as DeepRobust)
//   npx tsx bench/run.ts --quick    (PGD with 20 steps, 1 GCN seed)
import { initBackend, type LabeledGraph, loadGraphFolder, resolveDataDir } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import { type AttackResult, diceAttack, evaluateAttack, pgdAttack, randomAttack } from '../src/index.js';
import { fitGcnVictim, fitSgcVictim } from '../src/victims.js';

const trainGcn = async (g: LabeledGraph, o: { seed: number }) => {
  const { model, result } = await fitGcnVictim('bench', g, undefined, o.seed);
  return { ...result, model };
};
const trainSgc = async (g: LabeledGraph, o: { seed: number }) => {
  const { model, result } = await fitSgcVictim('bench', g, undefined, o.seed);
  return { ...result, model };
};

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const pgdEpochs = arg('--pgd-epochs', quick ? 20 : 200);
const seeds = quick ? [1] : [1, 2, 3];

const backend = await initBackend();
const fmt = (x: number, d = 3) => x.toFixed(d);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const rows: string[][] = [];
const log = (s: string) => process.stderr.write(`${s}\n`);
const push = (row: string[]) => {
  rows.push(row);
  log(`| ${row.join(' | ')} |`);
};

const cora = await loadGraphFolder(resolveDataDir('graphs', 'cora'));
const lcc = await loadGraphFolder(resolveDataDir('graphs', 'cora'), { largestComponent: true });

// Victims on Cora (Planetoid split).
{
  const acc: number[] = [];
  const ms: number[] = [];
  const total: number[] = [];
  for (const seed of seeds) {
    const t0 = performance.now();
    const r = await trainGcn(cora, { seed });
    total.push(performance.now() - t0);
    acc.push(r.testAccuracy);
    ms.push(r.msPerEpoch);
    r.model.dispose();
  }
  push([
    'GCN (Kipf: 16 hidden, 200 epochs), Cora',
    `${fmt(mean(acc))} +- ${fmt(sd(acc))} (${seeds.length} seeds)`,
    `${fmt(mean(ms), 1)} ms/epoch; ${fmt(mean(total) / 1000, 1)} s total`,
  ]);
  log(`gcn ${acc}`);
}
{
  const t0 = performance.now();
  const r = await trainSgc(cora, { seed: 1 });
  const total = performance.now() - t0;
  push([
    'SGC (K = 2, 100 epochs), Cora',
    fmt(r.testAccuracy),
    `${fmt(r.msPerEpoch, 2)} ms/epoch; ${fmt(total / 1000, 1)} s total`,
  ]);
  r.model.dispose();
}

// Attacks at 5% on the Cora LCC (Planetoid split attributes kept), victim trained on the clean graph.
const victim = await trainGcn(lcc, { seed: 1 });
push(['GCN on Cora LCC (clean)', fmt(victim.testAccuracy), `${lcc.order} nodes, ${lcc.size} edges`]);
const attacks: Array<[string, (g: LabeledGraph) => AttackResult | Promise<AttackResult>]> = [
  ['Random (add)', (g) => randomAttack(g, { rate: 0.05, seed: 1 })],
  ['Random (remove)', (g) => randomAttack(g, { rate: 0.05, seed: 1, mode: 'remove' })],
  ['DICE (all true labels)', (g) => diceAttack(g, { rate: 0.05, seed: 1 })],
  [
    `PGD (CE, ${pgdEpochs} steps)`,
    (g) => pgdAttack(g, { rate: 0.05, seed: 1, model: victim.model, epochs: pgdEpochs }),
  ],
  [
    `PGD (CW, ${pgdEpochs} steps)`,
    (g) => pgdAttack(g, { rate: 0.05, seed: 1, model: victim.model, epochs: pgdEpochs, loss: 'cw' }),
  ],
];
for (const [name, run] of attacks) {
  const t0 = performance.now();
  const r = await run(lcc);
  const ms = performance.now() - t0;
  const evasion = victim.model.accuracy(r.graph);
  const poisoning = await evaluateAttack(lcc, r.graph, { setting: 'poisoning', seed: 1 });
  push([
    `${name}, 5% (${r.flips.length}/${r.budget} flips)`,
    `evasion ${fmt(evasion)} (-${fmt(victim.testAccuracy - evasion)}); poisoning ${fmt(poisoning.attackedAccuracy)} (clean ${fmt(poisoning.cleanAccuracy)})`,
    `${fmt(ms / 1000, 1)} s`,
  ]);
  log(`${name} done`);
}
victim.model.dispose();

console.log(
  `Backend: ${backend.backend}${backend.simd ? ' (SIMD)' : ''}${backend.threads ? ' (threads)' : ''}; tensors left: ${tf.memory().numTensors}\n`,
);
console.log('| what | test accuracy | time |');
console.log('|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
