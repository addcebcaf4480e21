// Metattack / Nettack on Cora (LCC, 10/10/80 stratified split as Pro-GNN): timings and poisoned
// GCN accuracy. Run: cd packages/graph-defense && npx tsx bench/metattack-cora.ts [--exact] [--seeds N]
// Prints a Markdown table. Long: the exact attack takes minutes.
import {
  createRng,
  initBackend,
  resolveDataDir,
  type LabeledGraph,
  loadGraphFolder,
  stratifiedSplit,
} from '@lab/core';
import { applyEdgeFlips } from '../src/applyEdgeFlips.js';
import { metattack } from '../src/metattack.js';
import { nettackTargets } from '../src/nettack.js';
import type { EdgeFlip } from '../src/graphTypes.js';
import { fitGcnVictim } from '../src/victims.js';

const trainGcn = async (g: LabeledGraph, o: { seed: number }) => {
  const { model, result } = await fitGcnVictim('bench', g, undefined, o.seed);
  return { ...result, model };
};

const args = process.argv.slice(2);
const exact = args.includes('--exact');
const seedsArg = args.indexOf('--seeds');
const seeds = seedsArg >= 0 ? Number(args[seedsArg + 1]) : 3;
const backend = await initBackend();

const lcc = await loadGraphFolder(resolveDataDir('graphs', 'cora'), { largestComponent: true });
const { graph } = stratifiedSplit(lcc, { train: 0.1, val: 0.1, seed: 15 });
const rate = 0.05;
const budget = Math.floor(rate * graph.size);

async function gcnAccuracy(g: LabeledGraph): Promise<{ mean: number; std: number }> {
  const accs: number[] = [];
  for (let s = 0; s < seeds; s++) {
    const r = await trainGcn(g, { seed: 100 + s });
    accs.push(r.testAccuracy);
    r.model.dispose();
  }
  const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
  const std = Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / accs.length);
  return { mean, std };
}

/** Uniform random flips of distinct pairs that leave no node without edges. */
function randomFlips(g: LabeledGraph, k: number, seed: number): EdgeFlip[] {
  const rng = createRng(seed);
  const nodes = g.nodes();
  const deg = new Map(nodes.map((v) => [v, g.degree(v)]));
  const seen = new Set<string>();
  const flips: EdgeFlip[] = [];
  while (flips.length < k) {
    const a = nodes[rng.int(nodes.length)] as string;
    const b = nodes[rng.int(nodes.length)] as string;
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    if (a === b || seen.has(key)) continue;
    const present = g.hasEdge(a, b);
    if (present && ((deg.get(a) as number) <= 1 || (deg.get(b) as number) <= 1)) continue;
    seen.add(key);
    deg.set(a, (deg.get(a) as number) + (present ? -1 : 1));
    deg.set(b, (deg.get(b) as number) + (present ? -1 : 1));
    flips.push({ source: a, target: b, op: present ? 'remove' : 'add' });
  }
  return flips;
}

const fmt = (x: { mean: number; std: number }) =>
  `${(100 * x.mean).toFixed(1)} ± ${(100 * x.std).toFixed(1)}`;
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
console.log(
  `Cora LCC (${graph.order} nodes, ${graph.size} edges), 10/10/80 stratified split (seed 15), budget 5 % = ${budget}; backend ${backend.backend} (simd ${backend.simd}, threads ${backend.threads}); poisoned GCN test accuracy, mean ± std over ${seeds} training seeds. Times: wall seconds and process CPU seconds (the machine is shared).\n`,
);
console.log(
  '| attack | flips | CPU s / meta-gradient | wall s / meta-gradient | total wall s (CPU s) | poisoned GCN test acc. % |',
);
console.log('|---|---|---|---|---|---|');
const row = (cells: string[]) => console.log(`| ${cells.join(' | ')} |`);
row(['clean', '0', '-', '-', '-', fmt(await gcnAccuracy(graph))]);
row([
  'random flips',
  String(budget),
  '-',
  '-',
  '-',
  fmt(await gcnAccuracy(applyEdgeFlips(graph, randomFlips(graph, budget, 1)))),
]);

const variants: Array<[string, Parameters<typeof metattack>[1]]> = [
  ['Meta-Self approx. (20 meta-gradients)', { rate, seed: 1, approximate: true }],
];
if (exact) variants.unshift(['Meta-Self exact (1 flip / meta-gradient)', { rate, seed: 1 }]);
for (const [name, opts] of variants) {
  const t0 = performance.now();
  const c0 = cpuSeconds();
  let last = t0;
  let lastCpu = c0;
  const stepMs: number[] = [];
  const stepCpu: number[] = [];
  const r = metattack(graph, {
    ...opts,
    onProgress: (p) => {
      const now = performance.now();
      const cpu = cpuSeconds();
      stepMs.push(now - last);
      stepCpu.push(cpu - lastCpu);
      last = now;
      lastCpu = cpu;
      if (p.step % 10 === 0 || p.step === p.steps)
        process.stderr.write(`${name}: step ${p.step}/${p.steps}\n`);
    },
  });
  const total = (performance.now() - t0) / 1000;
  const totalCpu = cpuSeconds() - c0;
  // The first step also trains the surrogate; average the others.
  const mean = (xs: number[]) =>
    (xs.length > 1 ? xs.slice(1) : xs).reduce((a, b) => a + b, 0) /
    Math.max(1, xs.length > 1 ? xs.length - 1 : xs.length);
  const adds = r.flips.filter((f) => f.op === 'add').length;
  row([
    name,
    `${r.flips.length} (${adds} add)`,
    mean(stepCpu).toFixed(2),
    (mean(stepMs) / 1000).toFixed(2),
    `${total.toFixed(0)} (${totalCpu.toFixed(0)})`,
    fmt(await gcnAccuracy(r.graph)),
  ]);
}

// Nettack: 20 test targets, budget degree + 2, surrogate margins and poisoned-GCN misclassification.
const testNodes = graph.filterNodes((_v, a) => a.split === 'test');
const rng = createRng(3);
const targets = Array.from(rng.sample(testNodes.length, 20), (i) => testNodes[i] as string);
const t0 = performance.now();
const nt = nettackTargets(graph, { targets, seed: 1 });
const ntSeconds = (performance.now() - t0) / 1000;
let poisonedWrong = 0;
let cleanWrong = 0;
const cleanModel = await trainGcn(graph, { seed: 7 });
const cleanPred = cleanModel.model.predict(graph);
for (const o of nt.outcomes) {
  const idx = graph.nodes().indexOf(o.target);
  if (cleanPred[idx] !== o.label) cleanWrong++;
  const g2 = applyEdgeFlips(graph, o.flips);
  const m = await trainGcn(g2, { seed: 7 });
  const pred = m.model.predict(g2);
  if (pred[idx] !== o.label) poisonedWrong++;
  m.model.dispose();
}
cleanModel.model.dispose();

console.log(
  `\nNettack (direct, budget degree + 2, degree LR test on), ${targets.length} random test targets: ${ntSeconds.toFixed(1)} s in all; surrogate margin < 0 for ${(100 * nt.successRate).toFixed(0)} %; poisoned GCN (retrained, seed 7) misclassifies ${poisonedWrong}/${targets.length} targets (clean GCN: ${cleanWrong}/${targets.length}).`,
);
