// The same federation (seed, graph, partition) over the three transports gives bit-identical
// parameters and accuracies: transports only move bytes. The worker run imports the built
// package (`npx tsup` in packages/fed-graph first); the NATS run needs nats-server
// (`apt-get install -y nats-server`). Missing either skips that comparison with this message.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRng, initBackend } from '@lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientData } from '../src/clientData.js';
import { createInProcessTransport } from '../src/inProcessTransport.js';
import { createNatsTransport } from '../src/natsTransport.js';
import { runClient } from '../src/runClient.js';
import { type RunServerOptions, type RunServerResult, runServer } from '../src/runServer.js';
import type { Transport } from '../src/transport.js';
import { createWorkerTransport } from '../src/workerTransport.js';
import { hasNatsServer, type NatsServerHandle, startNatsServer } from '../src/startNatsServer.js';
import { clientsOf, toyGraph } from './toyGraph.js';

const workerScript = new URL('../dist/workerClient.js', import.meta.url);
const hasDist = existsSync(fileURLToPath(workerScript));
const hasNats = hasNatsServer();
if (!hasDist) console.warn('worker equivalence skipped: build first (cd packages/fed-graph && npx tsup)');
if (!hasNats) console.warn('NATS equivalence skipped: nats-server missing (apt-get install -y nats-server)');

const NUM_CLIENTS = 3;
const SETTINGS: Omit<RunServerOptions, 'numClients'> = {
  rounds: 2,
  localSteps: 2,
  seed: 4,
  timeoutMs: 20_000,
  model: { kind: 'gcn', hidden: 4, hops: 2 },
};

function clients(): ClientData[] {
  const g = toyGraph(5);
  const rng = createRng(11);
  return clientsOf(
    g,
    Int32Array.from({ length: g.n }, () => rng.int(NUM_CLIENTS)),
    NUM_CLIENTS,
  );
}

/** Server and clients in this thread, over any transport that hands out every endpoint. */
async function federateOver(transport: Transport): Promise<RunServerResult> {
  const cs = clients();
  const server = await transport.connect('server');
  const endpoints = await Promise.all(cs.map((c) => transport.connect(c.id)));
  const runs = cs.map((c, i) => runClient(endpoints[i]!, c, { timeoutMs: 20_000 }));
  const result = await runServer(server, { numClients: NUM_CLIENTS, ...SETTINGS });
  await Promise.all(runs);
  await transport.close();
  return result;
}

function expectIdentical(a: RunServerResult, b: RunServerResult) {
  expect(Object.keys(b.params)).toEqual(Object.keys(a.params));
  for (const k of Object.keys(a.params)) {
    expect(b.params[k]!.shape).toEqual(a.params[k]!.shape);
    expect(Buffer.from(b.params[k]!.data.buffer)).toEqual(Buffer.from(a.params[k]!.data.buffer));
  }
  expect(b.testAccuracy).toBe(a.testAccuracy);
  expect(b.valAccuracy).toBe(a.valAccuracy);
  expect(b.rejected).toEqual([]);
}

describe('the three transports give bit-identical runs', () => {
  let reference: RunServerResult;
  let nats: NatsServerHandle | undefined;
  beforeAll(async () => {
    await initBackend();
    reference = await federateOver(createInProcessTransport());
    if (hasNats) nats = await startNatsServer();
  });
  afterAll(async () => {
    await nats?.stop();
  });

  it.skipIf(!hasDist)(
    'worker threads (needs dist: npx tsup)',
    async () => {
      const t = createWorkerTransport({
        clients: clients(),
        workerScript,
        clientOptions: { timeoutMs: 20_000 },
      });
      const server = await t.connect('server');
      const result = await runServer(server, { numClients: NUM_CLIENTS, ...SETTINGS });
      const outcomes = await t.outcomes;
      await t.close();
      for (const o of outcomes) expect(o.error).toBeUndefined();
      expectIdentical(reference, result);
    },
    60_000,
  );

  it.skipIf(!hasNats)(
    'NATS (needs nats-server: apt-get install -y nats-server)',
    async () => {
      const result = await federateOver(createNatsTransport(nats!.url, { run: 'equivalence' }));
      expectIdentical(reference, result);
    },
    60_000,
  );
});
