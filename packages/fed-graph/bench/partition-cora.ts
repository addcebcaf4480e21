// Partition statistics on Cora for 3, 5 and 10 clients and every method, as a Markdown table.
// Not a timing: the numbers are deterministic (seed 0) and machine independent.
// Run: npx tsx packages/fed-graph/bench/partition-cora.ts
import { loadGraphFolder, resolveDataDir } from '@lab/core';
import { type PartitionGraphOptions, partitionGraph } from '../src/index.js';

const cora = await loadGraphFolder(resolveDataDir('graphs', 'cora'));
const settings: { label: string; options: Omit<PartitionGraphOptions, 'numClients'> }[] = [
  { label: 'louvain', options: { method: 'louvain' } },
  { label: 'random', options: { method: 'random' } },
  { label: 'dirichlet alpha 0.1', options: { method: 'dirichlet', alpha: 0.1 } },
  { label: 'dirichlet alpha 0.5', options: { method: 'dirichlet', alpha: 0.5 } },
  { label: 'dirichlet alpha 100', options: { method: 'dirichlet', alpha: 100 } },
];
const rows = [
  '| clients | method | nodes per client (min / max) | train per client (min / max) | cut edges | share cut | label skew (mean TV) |',
  '|---:|---|---:|---:|---:|---:|---:|',
];
for (const numClients of [3, 5, 10]) {
  for (const s of settings) {
    const { stats } = partitionGraph(cora, { numClients, ...s.options });
    const nodes = stats.clients.map((c) => c.nodes);
    const train = stats.clients.map((c) => c.train);
    rows.push(
      `| ${numClients} | ${s.label} | ${Math.min(...nodes)} / ${Math.max(...nodes)} | ${Math.min(...train)} / ${Math.max(...train)} | ${stats.cutEdges} / ${stats.numEdges} | ${(100 * stats.cutShare).toFixed(1)}% | ${stats.labelSkew.toFixed(3)} |`,
    );
  }
}
console.log(rows.join('\n'));
