// Worker entry of `createWorkerTransport` (a separate build entry, dist/workerClient.js): runs the
// client role of the party named in workerData over the worker-side endpoint and reports the
// outcome to the main thread as a plain object (protocol traffic is bytes only).
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, type InitBackendOptions } from '@lab/core';
import type { ClientData } from './clientData.js';
import { runClient, type RunClientOptions } from './runClient.js';
import { connectWorkerParent } from './workerEndpoint.js';

/** Runs the client and reports its outcome (no top-level await: the CJS build has none). */
async function main(): Promise<void> {
  const { data, clientOptions, backend } = workerData as {
    data: ClientData;
    clientOptions?: RunClientOptions;
    backend?: InitBackendOptions;
  };
  const endpoint = connectWorkerParent();
  try {
    // a worker has its own tfjs registry: set up the backend the main thread asked for
    await initBackend(backend ?? {});
    const result = await runClient(endpoint, data, clientOptions);
    parentPort?.postMessage({ kind: 'done', result });
  } catch (error) {
    parentPort?.postMessage({
      kind: 'error',
      message: error instanceof Error ? error.message : String(error),
    });
  } finally {
    await endpoint.close();
  }
}

void main();
