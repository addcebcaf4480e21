// The refresh period against the learning rate: Cora, random partition, 5 clients (seed 42, as
// the example's first seed), 100 rounds, 3 local steps, test accuracy of the final model for the
// corrected and naive estimators, and the rounds in which clients were left out (a diverged client
// sends non-finite rows, which the transport drops, so it times out). One seed, no timing.
// Usage: npx tsx bench/refresh-cora.ts
import { initBackend, loadGraphFolder, resolveDataDir } from '@lab/core';
import { createInProcessTransport } from '../src/inProcessTransport.js';
import { partitionGraph } from '../src/partitionGraph.js';
import type { Estimator } from '../src/protocolSettings.js';
import { runClient } from '../src/runClient.js';
import { runServer } from '../src/runServer.js';

await initBackend();
const cora = await loadGraphFolder(resolveDataDir('graphs', 'cora'));
const part = partitionGraph(cora, { numClients: 5, method: 'random', seed: 42 });
const rows = [
  '| estimator | lr | refresh every | val | test | rounds with clients left out |',
  '|---|---:|---:|---:|---:|---:|',
];
for (const estimator of ['corrected', 'naive'] as Estimator[]) {
  for (const lr of [0.5, 1]) {
    for (const refreshEvery of [1, 2, 5]) {
      const t = createInProcessTransport();
      const server = await t.connect('server');
      const eps = await Promise.all(part.clients.map((c) => t.connect(c.id)));
      const runs = part.clients.map((c, i) => runClient(eps[i]!, c, { timeoutMs: 60_000 }));
      const r = await runServer(server, {
        numClients: 5,
        rounds: 100,
        lr,
        refreshEvery,
        estimator,
        seed: 42,
        timeoutMs: 2000,
      });
      await Promise.all(runs);
      await t.close();
      const leftOut = r.rounds.filter((x) => x.leftOut.length > 0).length;
      rows.push(
        `| ${estimator} | ${lr} | ${refreshEvery} | ${r.valAccuracy.toFixed(3)} | ${r.testAccuracy.toFixed(3)} | ${leftOut} |`,
      );
      console.error(rows[rows.length - 1]);
    }
  }
}
console.log(rows.join('\n'));
