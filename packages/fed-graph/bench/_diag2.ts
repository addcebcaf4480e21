import { initBackend, loadGraphFolder, resolveDataDir } from '@lab/core';
import { createBiasProbe } from '../src/createBiasProbe.js';
import { createInProcessTransport } from '../src/inProcessTransport.js';
import { partitionGraph } from '../src/partitionGraph.js';
import { runClient } from '../src/runClient.js';
import { runServer } from '../src/runServer.js';
await initBackend();
const cora = await loadGraphFolder(resolveDataDir('graphs', 'cora'));
const method = (process.argv[2] ?? 'random') as 'random';
const rounds = Number(process.argv[3] ?? 20);
const lr = Number(process.argv[4] ?? 0.5);
const part = partitionGraph(cora, { numClients: 5, method, seed: 0 });
for (const estimator of ['corrected', 'naive', 'dropped'] as const) {
  const t0 = performance.now();
  const probe = createBiasProbe(part.clients);
  const transport = createInProcessTransport();
  const server = await transport.connect('server');
  const eps = await Promise.all(part.clients.map((c) => transport.connect(c.id)));
  const runs = part.clients.map((c, i) => runClient(eps[i]!, c, { onLocalStep: probe.onLocalStep }));
  const res = await runServer(server, { numClients: 5, rounds, lr, estimator, seed: 0 });
  await Promise.all(runs);
  await transport.close();
  const b = probe.rounds();
  console.log(estimator, res.testAccuracy.toFixed(3), ((performance.now() - t0) / 1000).toFixed(1), 's');
  console.log(' bias', b.map((x) => x.bias.toFixed(3)).join(' '));
  console.log(' all ', b.map((x) => x.biasAllSteps.toFixed(3)).join(' '));
  probe.dispose();
}
