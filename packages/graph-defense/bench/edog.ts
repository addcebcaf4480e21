// EDoG detection on Cora: ROC-AUC of EDoG and the baselines per attack and rate, timings, and the
// GCN accuracy clean / attacked / defended. Prints a Markdown table. 'EDoG CPU s' is the process
// CPU time of one detection (user + system), a load-independent proxy for the wall time alone.
// Run: cd packages/graph-defense && npx tsx bench/edog.ts [--attacks random,dice,pgd,metattack]
//      [--rates 0.05,0.2] [--calibrate] [--outlier-compare] [--defend] [--quick] [--seed N] [--pgd-epochs N]
//      [--label-model features|graph]
import {
  initBackend,
  resolveDataDir,
  rocAuc,
  type LabeledGraph,
  loadGraphFolder,
  stratifiedSplit,
} from '@lab/core';
import { baselineEdgeScores } from '../src/baselines.js';
import { defend } from '../src/defend.js';
import { detectAdversarialEdges, type DetectAdversarialEdgesOptions } from '../src/detectAdversarialEdges.js';
import { diceAttack } from '../src/diceAttack.js';
import { metattack } from '../src/metattack.js';
import { pgdAttack } from '../src/pgdAttack.js';
import { randomAttack } from '../src/randomAttack.js';
import type { AttackResult } from '../src/graphTypes.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 ? (args[k + 1] as string) : dflt;
};
const attacks = arg('attacks', 'random,dice,pgd,metattack').split(',');
const rates = arg('rates', '0.05').split(',').map(Number);
const seed = Number(arg('seed', '1'));
const quick = args.includes('--quick');
const calibrate = args.includes('--calibrate');
const outlierCompare = args.includes('--outlier-compare');
const doDefend = args.includes('--defend');
// --pgd-epochs N: fewer PGD epochs than the attack's default (for time on a loaded machine).
const pgdEpochs = args.includes('--pgd-epochs') ? Number(arg('pgd-epochs', '')) : undefined;
const backend = await initBackend();

// Cora's largest connected component with a 10 / 10 / 80 stratified split (the Pro-GNN setting).
const lcc = await loadGraphFolder(resolveDataDir('graphs', 'cora'), { largestComponent: true });
const { graph: clean } = stratifiedSplit(lcc, { train: 0.1, val: 0.1, seed: 15 });

async function runAttack(name: string, g: LabeledGraph, rate: number, s: number): Promise<AttackResult> {
  switch (name) {
    case 'random':
      return randomAttack(g, { rate, mode: 'add', seed: s });
    case 'dice':
      return diceAttack(g, { rate, seed: s });
    case 'pgd':
      return pgdAttack(g, {
        rate,
        seed: s,
        ...(pgdEpochs !== undefined ? { epochs: pgdEpochs } : quick ? { epochs: 50 } : {}),
      });
    case 'metattack':
      return metattack(g, { rate, seed: s, approximate: true });
    default:
      throw new Error(`bench: unknown attack ${name}`);
  }
}

function truth(edges: { source: string; target: string }[], res: AttackResult): number[] {
  const added = new Set<string>();
  for (const f of res.flips)
    if (f.op === 'add')
      added.add(f.source < f.target ? `${f.source}|${f.target}` : `${f.target}|${f.source}`);
  return edges.map((e) =>
    added.has(e.source < e.target ? `${e.source}|${e.target}` : `${e.target}|${e.source}`) ? 1 : 0,
  );
}

const labelModel = arg('label-model', 'features') as 'features' | 'graph';
const base: Omit<DetectAdversarialEdgesOptions, 'seed'> = quick
  ? { numSubgraphs: 4, linkPredictor: { epochs: 80 }, labelModel }
  : { labelModel };
const rows: string[][] = [];
const f3 = (x: number): string => x.toFixed(3);
for (const rate of rates) {
  for (const name of attacks) {
    let t = performance.now();
    const res = await runAttack(name, clean, rate, seed);
    const attackS = (performance.now() - t) / 1000;
    const adds = res.flips.filter((f) => f.op === 'add').length;
    t = performance.now();
    const cpu0 = process.cpuUsage();
    const det = await detectAdversarialEdges(res.graph, { ...base, seed });
    const edogS = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const edogCpuS = (cpu.user + cpu.system) / 1e6;
    const y = truth(det.edges, res);
    const row = [
      name,
      `${Math.round(rate * 100)}%`,
      `${res.flips.length} (${adds} add)`,
      f3(rocAuc(det.scores, y)),
      det.detailed.outlier.enabled ? 'on' : 'off',
    ];
    if (outlierCompare) {
      for (const outlier of ['off', 'on'] as const) {
        const d2 =
          outlier === (det.detailed.outlier.enabled ? 'on' : 'off')
            ? det
            : await detectAdversarialEdges(res.graph, { ...base, seed, outlier });
        row.push(f3(rocAuc(d2.scores, y)));
      }
    }
    if (calibrate) {
      const dc = await detectAdversarialEdges(res.graph, {
        ...base,
        seed,
        calibration: { attack: (g) => runAttack(name, g, rate, seed + 1000) },
      });
      row.push(f3(rocAuc(dc.scores, y)));
    }
    for (const m of ['featureJaccard', 'gaeWholeGraph', 'neighbourhoodLabelOutlier', 'degree'] as const) {
      row.push(f3(rocAuc((await baselineEdgeScores(res.graph, { method: m, seed })).scores, y)));
    }
    row.push(attackS.toFixed(0), edogS.toFixed(0), edogCpuS.toFixed(0));
    if (doDefend) {
      const flagged = (await detectAdversarialEdges(res.graph, { ...base, seed, budget: adds })).flagged;
      const acc = (await defend(res.graph, flagged, { clean, seed, runs: 3 })).accuracy;
      row.push(`${f3(acc.clean ?? Number.NaN)} / ${f3(acc.attacked)} / ${f3(acc.defended)}`);
    }
    rows.push(row);
    console.error(row.join(' | '));
  }
}
const header = ['attack', 'rate', 'flips', 'EDoG AUC', 'outlier step'];
if (outlierCompare) header.push('EDoG outlier off', 'EDoG outlier on');
if (calibrate) header.push('EDoG calibrated');
header.push('Jaccard', 'GAE whole graph', 'nbr-label outlier', 'degree', 'attack s', 'EDoG s', 'EDoG CPU s');
if (doDefend) header.push('GCN acc clean / attacked / defended');
console.log(
  `Cora LCC (${clean.order} nodes, ${clean.size} edges), backend ${backend.backend}, seed ${seed}, labelModel ${labelModel}${quick ? ', --quick' : ''}\n`,
);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
