// The workers import the built package (`dist/`), not the vitest alias: build it first with
// `npx tsup` in packages/fed-graph. Without dist the tests are skipped with that message.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LabFormatError, LabInputError } from '@lab/core';
import { describe, expect, it } from 'vitest';
import type { ClientData } from '../src/clientData.js';
import { encodeMessage } from '../src/messageCodec.js';
import type { FedMessage } from '../src/messages.js';
import { createWorkerTransport } from '../src/workerTransport.js';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const hasDist =
  existsSync(dist) && existsSync(fileURLToPath(new URL('../dist/workerClient.js', import.meta.url)));
const echo = new URL('./fixtures/echoWorker.mjs', import.meta.url);
if (!hasDist)
  console.warn('workerTransport tests skipped: build the package first (cd packages/fed-graph && npx tsup)');

/** A minimal ClientData (the echo worker ignores it; the real client gets it structured-cloned). */
function client(id: number, extra: object = {}): ClientData {
  return {
    id,
    numClients: 3,
    numFeatures: 1,
    numClasses: 2,
    nodes: [`n${id}`],
    features: new Float32Array([id]),
    labels: new Int32Array([0]),
    split: new Uint8Array([1]),
    localEdges: new Int32Array(0),
    remoteEdges: { local: new Int32Array(0), remoteNode: [], remoteClient: new Int32Array(0) },
    ...extra,
  };
}

function toClient(id: number, round: number): FedMessage {
  return {
    type: 'round',
    round,
    from: 'server',
    to: id,
    phase: 2,
    step: 0,
    payload: [
      { name: 'W1', shape: [2], data: new Float32Array([id, 0.25]) },
      { name: 'trainCount', shape: [1], data: new Int32Array([id * 10]) },
    ],
  };
}

describe.skipIf(!hasDist)('createWorkerTransport (needs dist: npx tsup in packages/fed-graph)', () => {
  it('routes bytes between the server endpoint and one worker per client, counting bytes both sides', async () => {
    const seen: FedMessage[] = [];
    const t = createWorkerTransport({
      clients: [client(0), client(1), client(2)],
      workerScript: echo,
      inspect: (_b, m) => seen.push(m),
    });
    expect(t.kind).toBe('worker');
    const server = await t.connect('server');
    for (const round of [0, 1]) {
      for (const id of [0, 1, 2]) await server.send(toClient(id, round));
      const got: FedMessage[] = [];
      for (let k = 0; k < 3; k++) {
        const m = await server.receive(10000);
        expect(m).toBeDefined();
        got.push(m as FedMessage);
      }
      got.sort((a, b) => (a.from as number) - (b.from as number));
      got.forEach((m, id) => {
        expect(m).toEqual({
          ...toClient(id, round),
          from: id,
          to: 'server',
          payload: [
            { name: 'W1', shape: [2], data: new Float32Array([2 * id, 0.5]) },
            { name: 'trainCount', shape: [1], data: new Int32Array([id * 10 + 1]) },
          ],
        });
      });
    }
    const size = encodeMessage(toClient(0, 0)).length;
    expect(server.traffic.round).toBe(6 * size);
    for (const id of [0, 1, 2]) expect(t.trafficOf(id).round).toBe(2 * size);
    expect(seen).toHaveLength(12);
    for (const id of [0, 1, 2]) await server.send({ ...toClient(id, 2), type: 'stop', payload: [] });
    const outcomes = await t.outcomes;
    expect(outcomes).toEqual([0, 1, 2].map((id) => ({ id, result: { roundsTrained: 2 } })));
    await t.close();
  });

  it('rejects bytes that are not a message or claim another sender, and goes on', async () => {
    const rejected: unknown[] = [];
    const t = createWorkerTransport({
      clients: [client(0, { spoof: true })],
      workerScript: echo,
      onReject: (e) => rejected.push(e),
    });
    const server = await t.connect('server');
    await server.send(toClient(0, 5));
    const m = await server.receive(10000);
    expect(m?.from).toBe(0);
    expect(m?.round).toBe(5);
    expect(rejected).toHaveLength(2);
    expect(String(rejected[0])).toMatch(/router.*must carry its sender's address 0 as 'from'; got 77/);
    expect(rejected[1]).toBeInstanceOf(LabFormatError);
    expect(String(rejected[1])).toMatch(/decodeMessage.*header/);
    await t.close();
  });

  it('close terminates the workers; a pending server receive ends', async () => {
    const t = createWorkerTransport({ clients: [client(0)], workerScript: echo });
    const server = await t.connect('server');
    const pending = server.receive();
    await t.close();
    expect(await pending).toBeUndefined();
    expect((await t.outcomes)[0]?.id).toBe(0);
  });

  it('the default script runs runClient in the worker and reports its outcome', async () => {
    // runClient is the lead's; whatever it does with no server, the worker reports an outcome.
    const t = createWorkerTransport({
      clients: [client(0)],
      workerScript: new URL('../dist/workerClient.js', import.meta.url),
      clientOptions: { timeoutMs: 50 },
    });
    const [outcome] = await t.outcomes;
    expect(outcome?.id).toBe(0);
    expect(outcome?.result !== undefined || typeof outcome?.error === 'string').toBe(true);
    await t.close();
  });

  it('validates its options', () => {
    expect(() => createWorkerTransport({ clients: [] })).toThrow(
      /options\.clients' must be a non-empty array/,
    );
    expect(() => createWorkerTransport({ clients: [client(0), client(0)] })).toThrow(
      /must have distinct ids/,
    );
    expect(() => createWorkerTransport({ clients: [client(0)], workerScript: 3 } as never)).toThrow(
      LabInputError,
    );
    expect(() => createWorkerTransport({ clients: [client(0)], workers: 2 } as never)).toThrow(
      /options\.workers' is not an option/,
    );
  });
});
