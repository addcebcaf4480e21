// Cora, 5 clients: every estimator for the same rounds and lr (a smoke run, not a tuned table).
// Usage: npx tsx bench/cora-smoke.ts [method] [rounds] [lr]
import { initBackend, loadGraphFolder, resolveDataDir } from '@lab/core';
import { createInProcessTransport } from '../src/inProcessTransport.js';
import { partitionGraph } from '../src/partitionGraph.js';
import type { Estimator } from '../src/protocolSettings.js';
import { runClient } from '../src/runClient.js';
import { runServer } from '../src/runServer.js';

await initBackend();
const method = (process.argv[2] ?? 'random') as 'random' | 'louvain';
const rounds = Number(process.argv[3] ?? 100);
const lr = Number(process.argv[4] ?? 0.5);
const cora = await loadGraphFolder(resolveDataDir('graphs', 'cora'));
const rows: string[] = ['| partition | estimator | clients | val | test | s |', '|---|---|---:|---:|---:|---:|'];
for (const numClients of process.env.ONLY_CENTRAL ? [1] : [1, 5]) {
  const part = partitionGraph(cora, { numClients, method: numClients === 1 ? 'random' : method, seed: 0 });
  const estimators: Estimator[] = numClients === 1 ? ['corrected'] : ['corrected', 'naive', 'dropped', 'local'];
  for (const estimator of estimators) {
    const t0 = performance.now();
    const transport = createInProcessTransport();
    const server = await transport.connect('server');
    const eps = await Promise.all(part.clients.map((c) => transport.connect(c.id)));
    const runs = part.clients.map((c, i) => runClient(eps[i]!, c));
    const res = await runServer(server, { numClients, rounds, lr, estimator, seed: 0 });
    await Promise.all(runs);
    await transport.close();
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    rows.push(
      `| ${numClients === 1 ? 'centralised' : method} | ${estimator} | ${numClients} | ${res.valAccuracy.toFixed(3)} | ${res.testAccuracy.toFixed(3)} | ${s} |`,
    );
    console.log(rows[rows.length - 1]);
  }
}
console.log(rows.join('\n'));
