import { LabFormatError, LabInputError } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { createInProcessTransport } from '../src/inProcessTransport.js';
import { encodeMessage } from '../src/messageCodec.js';
import type { Address, FedMessage } from '../src/messages.js';

function msg(from: Address, to: Address, round: number, rows: number[] = [1, 2]): FedMessage {
  return {
    type: 'repr',
    round,
    from,
    to,
    phase: 0,
    step: 0,
    payload: [{ name: 'rows', shape: [1, rows.length], data: Float32Array.from(rows) }],
  };
}

describe('createInProcessTransport', () => {
  it('delivers in FIFO order per address, as decoded copies, and counts the encoded bytes', async () => {
    const t = createInProcessTransport();
    const server = await t.connect('server');
    const c0 = await t.connect(0);
    const c1 = await t.connect(1);
    const sent = [msg(0, 'server', 0), msg(1, 'server', 1), msg(0, 'server', 2, [3, 4, 5])];
    await c0.send(sent[0]!);
    await c1.send(sent[1]!);
    await c0.send(sent[2]!);
    const got = [await server.receive(100), await server.receive(100), await server.receive(100)];
    expect(got).toEqual(sent);
    expect(got[0]?.payload[0]?.data).not.toBe(sent[0]?.payload[0]?.data);
    const size = (m: FedMessage) => encodeMessage(m).length;
    expect(c0.traffic.repr).toBe(size(sent[0]!) + size(sent[2]!));
    expect(c1.traffic.repr).toBe(size(sent[1]!));
    expect(server.traffic.repr).toBe(0);
    expect(c0.traffic.hello).toBe(0);
    await t.close();
  });

  it('a pending receive gets the next message; a timeout resolves undefined', async () => {
    const t = createInProcessTransport();
    const server = await t.connect('server');
    const c0 = await t.connect(0);
    const pending = c0.receive();
    await server.send(msg('server', 0, 4));
    expect((await pending)?.round).toBe(4);
    expect(await c0.receive(5)).toBeUndefined();
    await t.close();
  });

  it('queues messages for a party that has not connected yet', async () => {
    const t = createInProcessTransport();
    const server = await t.connect('server');
    await server.send(msg('server', 3, 1));
    const c3 = await t.connect(3);
    expect((await c3.receive(100))?.round).toBe(1);
    await t.close();
  });

  it('close resolves pending receives with undefined and later receives too', async () => {
    const t = createInProcessTransport();
    const c0 = await t.connect(0);
    const pending = c0.receive();
    await c0.close();
    expect(await pending).toBeUndefined();
    expect(await c0.receive()).toBeUndefined();
    await t.close();
  });

  it('disconnect drops everything to and from the party, and its receives end', async () => {
    const t = createInProcessTransport();
    const server = await t.connect('server');
    const c0 = await t.connect(0);
    const pending = c0.receive();
    t.disconnect(0);
    expect(await pending).toBeUndefined();
    await server.send(msg('server', 0, 1));
    await c0.send(msg(0, 'server', 1));
    expect(await server.receive(5)).toBeUndefined();
    expect(c0.traffic.repr).toBe(0);
    await t.close();
  });

  it('inspect sees every message as bytes and as decoded; undecodable messages go to onReject and are skipped', async () => {
    const seen: FedMessage[] = [];
    const rejected: unknown[] = [];
    const t = createInProcessTransport({
      inspect: (bytes, m) => {
        expect(bytes).toEqual(encodeMessage(m));
        seen.push(m);
      },
      onReject: (e) => rejected.push(e),
    });
    const server = await t.connect('server');
    const c0 = await t.connect(0);
    await c0.send(msg(0, 'server', 0, [Number.NaN, 1]));
    await c0.send(msg(0, 'server', 1));
    const got = await server.receive(100);
    expect(got?.round).toBe(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toBeInstanceOf(LabFormatError);
    expect(String(rejected[0])).toMatch(/payload 'rows'.*finite/);
    expect(seen.map((m) => m.round)).toEqual([0, 1]);
    await t.close();
  });

  it('validates its inputs', async () => {
    expect(() => createInProcessTransport({ inspekt: () => {} } as never)).toThrow(
      /options\.inspekt' is not an option/,
    );
    expect(() => createInProcessTransport({ onReject: 1 } as never)).toThrow(
      /options\.onReject' must be a function/,
    );
    const t = createInProcessTransport();
    const c0 = await t.connect(0);
    await expect(t.connect(0)).rejects.toThrow(/must not be connected already/);
    await expect(t.connect(-1)).rejects.toThrow(LabInputError);
    await expect(c0.send(msg(1, 'server', 0))).rejects.toThrow(
      /message\.from' must be this endpoint's address \(0\)/,
    );
    await expect(c0.send({ ...msg(0, 'server', 0), round: -1 })).rejects.toThrow(
      /encodeMessage: argument 'message\.round'/,
    );
    await expect(c0.receive(-1)).rejects.toThrow(/timeoutMs' must be a number >= 0/);
    await t.close();
  });
});
