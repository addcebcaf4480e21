import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabFormatError, LabInputError } from '@lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientData } from '../src/clientData.js';
import { decodeClientData } from '../src/decodeClientData.js';
import { CLIENT_DATA_HEADER_BYTES, encodeClientData } from '../src/encodeClientData.js';
import { loadClientData } from '../src/loadClientData.js';
import { partitionGraph } from '../src/partitionGraph.js';
import { saveClientData } from '../src/saveClientData.js';
import { savePartition } from '../src/savePartition.js';
import { smallGraph } from './helpers.js';

const part = partitionGraph(smallGraph(30, 0.15, 11), { numClients: 3, method: 'random' });
const client = part.clients[1] as ClientData;

function plain(c: ClientData) {
  return {
    ...c,
    nodes: [...c.nodes],
    features: Array.from(c.features),
    labels: Array.from(c.labels),
    split: Array.from(c.split),
    localEdges: Array.from(c.localEdges),
    remoteEdges: {
      local: Array.from(c.remoteEdges.local),
      remoteNode: [...c.remoteEdges.remoteNode],
      remoteClient: Array.from(c.remoteEdges.remoteClient),
    },
  };
}

/** Header u32 slot i of a copy of `bytes`, set to v. */
function withU32(bytes: Uint8Array, i: number, v: number): Uint8Array {
  const b = Uint8Array.from(bytes);
  new DataView(b.buffer).setUint32(4 * i, v >>> 0, true);
  return b;
}

function expectFormat(bytes: Uint8Array, place: RegExp, options?: Parameters<typeof decodeClientData>[1]): void {
  let err: unknown;
  try {
    decodeClientData(bytes, options);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(LabFormatError);
  expect((err as Error).message).toMatch(/^decodeClientData: argument 'bytes'/);
  expect((err as Error).message).toMatch(place);
}

describe('encodeClientData / decodeClientData', () => {
  it('round trips every client exactly', () => {
    for (const c of part.clients) {
      const before = plain(c);
      const bytes = encodeClientData(c);
      expect(plain(decodeClientData(bytes))).toEqual(before);
      expect(plain(c)).toEqual(before);
    }
  });
  it('round trips the one-client partition (the centralised baseline as a process)', () => {
    const whole = partitionGraph(smallGraph(30, 0.15, 11), { numClients: 1, method: 'random' }).clients[0]!;
    expect(whole.remoteEdges.local).toHaveLength(0);
    expect(plain(decodeClientData(encodeClientData(whole)))).toEqual(plain(whole));
  });
  it('accepts a Buffer and an odd-offset subarray', () => {
    const bytes = encodeClientData(client);
    expect(plain(decodeClientData(Buffer.from(bytes)))).toEqual(plain(client));
    const pool = new Uint8Array(bytes.length + 3);
    pool.set(bytes, 1);
    const view = pool.subarray(1, 1 + bytes.length);
    const copy = Uint8Array.from(view);
    expect(plain(decodeClientData(view))).toEqual(plain(client));
    expect(view).toEqual(copy);
  });
  it('keeps unicode keys', () => {
    const c = { ...client, nodes: client.nodes.map((k, i) => (i === 0 ? 'nœud-é-\u{1F600}' : k)) };
    expect(decodeClientData(encodeClientData(c)).nodes[0]).toBe('nœud-é-\u{1F600}');
  });
  const bytes = encodeClientData(client);
  const n = client.nodes.length;
  const F = client.numFeatures;
  const featuresAt = CLIENT_DATA_HEADER_BYTES;
  const labelsAt = featuresAt + 4 * n * F;
  const splitAt = labelsAt + 4 * n;
  const edgesAt = splitAt + n;
  const L = client.localEdges.length / 2;
  const R = client.remoteEdges.local.length;
  const remoteLocalAt = edgesAt + 8 * L;
  const remoteClientAt = remoteLocalAt + 4 * R;
  const keysAt = remoteClientAt + 4 * R;
  const set = (at: number, f: (dv: DataView) => void): Uint8Array => {
    const b = Uint8Array.from(bytes);
    f(new DataView(b.buffer, at));
    return b;
  };
  it('rejects each malformation with a LabFormatError naming the place', () => {
    expect(L).toBeGreaterThan(0);
    expect(R).toBeGreaterThan(0);
    expectFormat(bytes.subarray(0, 10), /header/);
    expectFormat(withU32(bytes, 0, 0x12345678), /header\.magic/);
    expectFormat(withU32(bytes, 1, 2), /header\.version/);
    expectFormat(withU32(bytes, 2, 3), /header\.id/);
    expectFormat(withU32(bytes, 3, 0), /header\.numClients/);
    expectFormat(withU32(bytes, 4, 0), /header\.numFeatures/);
    expectFormat(withU32(bytes, 6, 0xffffffff), /header/);
    expectFormat(withU32(bytes, 7, 0x7fffffff), /header/);
    expectFormat(withU32(bytes, 8, 1e6), /header/);
    expectFormat(bytes.subarray(0, bytes.length - 1), /(nodes|remoteNode)/);
    expectFormat(Uint8Array.from([...bytes, 0]), /end/);
    expectFormat(set(featuresAt + 4, (d) => d.setFloat32(0, Number.NaN, true)), /features\[1\]/);
    expectFormat(set(featuresAt, (d) => d.setFloat32(0, Number.POSITIVE_INFINITY, true)), /features\[0\]/);
    expect(
      Number.isNaN(decodeClientData(set(featuresAt + 4, (d) => d.setFloat32(0, Number.NaN, true)), { allowNonFinite: true }).features[1]),
    ).toBe(true);
    expectFormat(set(labelsAt, (d) => d.setInt32(0, -2, true)), /labels\[0\]/);
    expectFormat(set(labelsAt, (d) => d.setInt32(0, client.numClasses, true)), /labels\[0\]/);
    expectFormat(set(splitAt, (d) => d.setUint8(0, 4)), /split\[0\]/);
    expectFormat(set(edgesAt, (d) => d.setInt32(0, n, true)), /localEdges\[0\]/);
    expectFormat(set(edgesAt, (d) => d.setInt32(4, d.getInt32(0, true), true)), /localEdges\[0\]/);
    expectFormat(set(remoteLocalAt, (d) => d.setInt32(0, -1, true)), /remoteEdges\.local\[0\]/);
    expectFormat(set(remoteClientAt, (d) => d.setInt32(0, client.id, true)), /remoteEdges\.remoteClient\[0\]/);
    expectFormat(set(remoteClientAt, (d) => d.setInt32(0, 3, true)), /remoteEdges\.remoteClient\[0\]/);
    expectFormat(set(keysAt, (d) => d.setUint32(0, 1 << 30, true)), /nodes\[0\] length/);
    expectFormat(set(keysAt + 4, (d) => d.setUint8(0, 0xff)), /nodes\[0\].*UTF-8/);
    expectFormat(set(keysAt + 4, (d) => d.setUint8(0, 0x01)), /nodes\[0\].*control/);
    // Second key made equal to the first: both 'n…' keys; rebuild with a duplicate instead.
    const dup = { ...client, nodes: client.nodes.map((k, i) => (i === 1 ? (client.nodes[0] as string) : k)) };
    expect(() => encodeClientData(dup)).toThrow(LabInputError);
  });
  it('rejects a prototype-name key and a remote key that is an own node', () => {
    const proto = { ...client, nodes: client.nodes.map((k, i) => (i === 0 ? '__proto__' : k)) };
    expect(() => encodeClientData(proto)).toThrow(/__proto__/);
    const own = {
      ...client,
      remoteEdges: { ...client.remoteEdges, remoteNode: client.remoteEdges.remoteNode.map((k, i) => (i === 0 ? (client.nodes[0] as string) : k)) },
    };
    expect(() => encodeClientData(own)).toThrow(LabInputError);
  });
  it('rejects bad arguments with LabInputError', () => {
    expect(() => decodeClientData('x' as never)).toThrow(LabInputError);
    expect(() => decodeClientData(bytes, { allowNonFinite: 1 } as never)).toThrow(LabInputError);
    expect(() => decodeClientData(bytes, { nonFinite: true } as never)).toThrow(LabInputError);
    expect(() => encodeClientData(null as never)).toThrow(LabInputError);
    expect(() => encodeClientData({ ...client, labels: new Int32Array(1) })).toThrow(/labels/);
    expect(() => encodeClientData({ ...client, id: 5 })).toThrow(/id/);
  });
});

describe('saveClientData / loadClientData / savePartition', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fed-graph-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  it('round trips through a file', async () => {
    const p = join(dir, 'c.lfgc');
    await saveClientData(p, client);
    expect(plain(await loadClientData(p))).toEqual(plain(client));
  });
  it('savePartition writes one file per client and partition.json', async () => {
    const out = join(dir, 'part');
    const paths = await savePartition(out, part);
    expect(paths.map((p) => p.slice(out.length + 1))).toEqual(['client-0.lfgc', 'client-1.lfgc', 'client-2.lfgc', 'partition.json']);
    for (const c of part.clients) expect(plain(await loadClientData(join(out, `client-${c.id}.lfgc`)))).toEqual(plain(c));
    const meta = JSON.parse(await readFile(join(out, 'partition.json'), 'utf8'));
    expect(meta).toMatchObject({ format: 'lfgc', version: 1, numClients: 3, method: 'random' });
    expect(meta.stats).toEqual(JSON.parse(JSON.stringify(part.stats)));
  });
  it('load errors: missing file, too large, malformed (naming the path)', async () => {
    await expect(loadClientData(join(dir, 'missing.lfgc'))).rejects.toThrow(LabInputError);
    const p = join(dir, 'c.lfgc');
    await expect(loadClientData(p, { maxBytes: 10 })).rejects.toThrow(LabFormatError);
    const bad = join(dir, 'bad.lfgc');
    await writeFile(bad, withU32(encodeClientData(client), 1, 9));
    await expect(loadClientData(bad)).rejects.toThrow(/loadClientData: argument 'path' \(.*bad\.lfgc, column 'header\.version'\)/);
    await expect(loadClientData(p, { maxbytes: 1 } as never)).rejects.toThrow(LabInputError);
    await expect(saveClientData('', client)).rejects.toThrow(LabInputError);
    await expect(savePartition('', part)).rejects.toThrow(LabInputError);
  });
});
