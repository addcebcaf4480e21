// Starts a private nats-server (test/natsServer.ts) on a free loopback port. Skipped when
// nats-server is not installed: `apt-get install -y nats-server`. The child-process test imports
// the built package: build it first (`npx tsup` in packages/fed-graph).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LabInputError } from '@lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMessage } from '../src/messageCodec.js';
import type { FedMessage } from '../src/messages.js';
import { connectNats, createNatsTransport } from '../src/natsTransport.js';
import { hasNatsServer, type NatsServerHandle, startNatsServer } from '../src/startNatsServer.js';

const installed = hasNatsServer();
if (!installed)
  console.warn('natsTransport tests skipped: nats-server is not installed (apt-get install -y nats-server)');
const hasDist = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));

function msg(from: FedMessage['from'], to: FedMessage['to'], round: number): FedMessage {
  return {
    type: 'repr',
    round,
    from,
    to,
    phase: 1,
    step: 0,
    payload: [
      { name: 'rows', shape: [1, 2], data: new Float32Array([round, -0.5]) },
      { name: 'layout', shape: [1], data: new Int32Array([round]) },
    ],
  };
}

describe.skipIf(!installed)('connectNats (needs nats-server: apt-get install -y nats-server)', () => {
  let server: NatsServerHandle;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('carries messages between separate connections in order, counting the encoded bytes', async () => {
    const s = await connectNats(server.url, 'server', { run: 't1' });
    const c0 = await connectNats(server.url, 0, { run: 't1' });
    const c1 = await connectNats(server.url, 1, { run: 't1' });
    const other = await connectNats(server.url, 0, { run: 'other-run' });
    for (const r of [0, 1, 2]) await c0.send(msg(0, 'server', r));
    await c1.send(msg(1, 'server', 9));
    await s.send(msg('server', 1, 4));
    const got = [];
    for (let k = 0; k < 4; k++) got.push(await s.receive(5000));
    expect(got.filter((m) => m?.from === 0)).toEqual([0, 1, 2].map((r) => msg(0, 'server', r)));
    expect(got.filter((m) => m?.from === 1)).toEqual([msg(1, 'server', 9)]);
    expect(await c1.receive(5000)).toEqual(msg('server', 1, 4));
    expect(await other.receive(100)).toBeUndefined();
    expect(c0.traffic.repr).toBe(3 * encodeMessage(msg(0, 'server', 0)).length);
    expect(s.traffic.repr).toBe(encodeMessage(msg('server', 1, 4)).length);
    await Promise.all([s.close(), c0.close(), c1.close(), other.close()]);
  });

  it('skips undecodable bytes (reported), and receive ends after close', async () => {
    const rejected: unknown[] = [];
    const s = await connectNats(server.url, 'server', { run: 't2', onReject: (e) => rejected.push(e) });
    const c0 = await connectNats(server.url, 0, { run: 't2' });
    await c0.send({
      ...msg(0, 'server', 0),
      payload: [{ name: 'rows', shape: [1], data: new Float32Array([Number.NaN]) }],
    });
    await c0.send(msg(0, 'server', 1));
    expect((await s.receive(5000))?.round).toBe(1);
    expect(String(rejected[0])).toMatch(/decodeMessage.*payload 'rows'.*finite/);
    const pending = s.receive();
    await s.close();
    expect(await pending).toBeUndefined();
    expect(await s.receive()).toBeUndefined();
    await c0.close();
  });

  it('a lost connection does not hang receive past its timeout', async () => {
    const own = await startNatsServer();
    const c = await connectNats(own.url, 0, { run: 't3', maxReconnectAttempts: 1 });
    const pending = c.receive(300);
    await own.stop();
    expect(await pending).toBeUndefined();
    expect(await c.receive(200)).toBeUndefined();
    await c.close();
  });

  it('the Transport wrapper connects parties and closes them', async () => {
    const t = createNatsTransport(server.url, { run: 't4' });
    expect(t.kind).toBe('nats');
    const s = await t.connect('server');
    const c = await t.connect(2);
    await c.send(msg(2, 'server', 3));
    expect(await s.receive(5000)).toEqual(msg(2, 'server', 3));
    await t.close();
    expect(await s.receive()).toBeUndefined();
  });

  it.skipIf(!hasDist)(
    'talks to clients in separate OS processes (needs dist: npx tsup)',
    async () => {
      const script = fileURLToPath(new URL('./fixtures/natsEchoClient.mjs', import.meta.url));
      const s = await connectNats(server.url, 'server', { run: 't5' });
      const children = [0, 1].map((id) => {
        const child = spawn(process.execPath, [script, server.url, 't5', String(id)], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (d) => {
          out += String(d);
        });
        const ready = new Promise<void>((resolve) =>
          child.stdout.on('data', () => out.includes('ready') && resolve()),
        );
        const done = new Promise<string>((resolve) => child.once('exit', () => resolve(out)));
        return { ready, done };
      });
      await Promise.all(children.map((c) => c.ready));
      for (const id of [0, 1]) await s.send(msg('server', id, 7));
      const back = [await s.receive(10000), await s.receive(10000)].sort(
        (a, b) => (a?.from as number) - (b?.from as number),
      );
      back.forEach((m, id) => {
        expect(m?.from).toBe(id);
        expect(Array.from(m?.payload[0]?.data ?? [])).toEqual([14, -1]);
        expect(Array.from(m?.payload[1]?.data ?? [])).toEqual([8]);
      });
      for (const id of [0, 1]) await s.send({ ...msg('server', id, 8), type: 'stop', payload: [] });
      const outs = await Promise.all(children.map((c) => c.done));
      for (const out of outs) expect(out).toMatch(/echoed 1/);
      await s.close();
    },
    30000,
  );

  it('validates its inputs', async () => {
    await expect(connectNats(server.url, 'server', {} as never)).rejects.toThrow(/options\.run' is required/);
    await expect(connectNats(server.url, 'server', { run: 'a.b' })).rejects.toThrow(
      /options\.run' must be 1\.\.64/,
    );
    await expect(connectNats(server.url, -3, { run: 'x' })).rejects.toThrow(LabInputError);
    await expect(connectNats(server.url, 0, { run: 'x', rum: 1 } as never)).rejects.toThrow(
      /options\.rum' is not an option/,
    );
    await expect(
      connectNats('nats://127.0.0.1:1', 0, { run: 'x', connectTimeoutMs: 500, maxReconnectAttempts: 0 }),
    ).rejects.toThrow(/connectNats: argument 'url' must reach a NATS server/);
  });
});
