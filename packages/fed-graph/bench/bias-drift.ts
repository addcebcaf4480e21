// The correction is first order in the local drift: the all-steps gradient bias of `corrected`
// and `naive` on the tests' 40-node toy graph (4 random clients, GCN 8 hidden, no dropout) over
// learning rates and local steps. Deterministic (no timing). Usage: npx tsx bench/bias-drift.ts
import { createRng, initBackend } from '@lab/core';
import { createBiasProbe } from '../src/createBiasProbe.js';
import { createInProcessTransport } from '../src/inProcessTransport.js';
import type { Estimator } from '../src/protocolSettings.js';
import { runClient } from '../src/runClient.js';
import { runServer } from '../src/runServer.js';
import { clientsOf, toyGraph } from '../test/toyGraph.js';

await initBackend();
const MODEL = { kind: 'gcn' as const, hidden: 8 };

async function biasOf(estimator: Estimator, lr: number, localSteps: number): Promise<number[]> {
  const g = toyGraph(5);
  const rng = createRng(9);
  const assignment = Int32Array.from({ length: g.n }, () => rng.int(4));
  const clients = clientsOf(g, assignment, 4);
  const probe = createBiasProbe(clients, { model: MODEL });
  const transport = createInProcessTransport();
  const server = await transport.connect('server');
  const endpoints = await Promise.all(clients.map((c) => transport.connect(c.id)));
  const runs = clients.map((c, i) => runClient(endpoints[i]!, c, { onLocalStep: probe.onLocalStep }));
  await runServer(server, { numClients: 4, model: MODEL, seed: 2, rounds: 4, localSteps, lr, dropout: 0, estimator });
  await Promise.all(runs);
  await transport.close();
  const out = probe.rounds().map((r) => r.biasAllSteps);
  probe.dispose();
  return out;
}

const span = (xs: number[]) => `${Math.min(...xs).toFixed(3)}-${Math.max(...xs).toFixed(3)}`;
const rows = ['| lr | local steps | corrected (rounds 0-3) | naive (rounds 0-3) |', '|---:|---:|---|---|'];
for (const lr of [0.05, 0.2, 0.5, 1]) {
  for (const steps of [2, 4]) {
    const c = await biasOf('corrected', lr, steps);
    const n = await biasOf('naive', lr, steps);
    rows.push(`| ${lr} | ${steps} | ${span(c)} | ${span(n)} |`);
  }
}
console.log(rows.join('\n'));
