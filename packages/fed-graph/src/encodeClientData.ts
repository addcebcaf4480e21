import { LabInputError } from '@lab/core';
import type { ClientData } from './clientData.js';

/** File magic of the client-data format: ASCII `LFGC` (Lab Fed-Graph Client). */
export const CLIENT_DATA_MAGIC = 0x4347464c; // 'L' 'F' 'G' 'C' read as a little-endian u32
/** Version of the client-data format written by {@link encodeClientData}. */
export const CLIENT_DATA_VERSION = 1;
/** Header bytes: magic, version, id, numClients, numFeatures, numClasses, numNodes, numLocalEdges, numRemoteEdges (u32 each). */
export const CLIENT_DATA_HEADER_BYTES = 36;
/** Longest node key accepted, UTF-8 bytes. */
export const MAX_NODE_KEY_BYTES = 1024;
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Why `key` is not a valid node key (empty, too long, a control character, a prototype name),
 * or `undefined` when it is. Shared by the encoder and the decoder. Internal.
 */
export function nodeKeyProblem(key: string, utf8Length: number): string | undefined {
  if (key.length === 0) return 'must not be empty';
  if (utf8Length > MAX_NODE_KEY_BYTES) return `must be at most ${MAX_NODE_KEY_BYTES} UTF-8 bytes`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'must not contain control characters';
  if (RESERVED_KEYS.has(key)) return "must not be '__proto__', 'constructor' or 'prototype'";
  return undefined;
}

function fail(arg: string, expected: string, actual: unknown): never {
  throw new LabInputError('encodeClientData', arg, expected, actual);
}

function isUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

/**
 * Encodes one client's data in the versioned binary client-data format (`.lfgc`), for a client
 * that runs as its own process. Layout, little-endian: a 36-byte header (magic `LFGC`, version,
 * id, numClients, numFeatures, numClasses, numNodes, numLocalEdges, numRemoteEdges, u32 each),
 * then features (float32, row-major), labels (int32), split (uint8), local edges (int32 pairs),
 * remote-edge local index and owner (int32 each), then the node keys and the remote node keys,
 * each a u32 byte length and UTF-8. Read back by `decodeClientData`.
 *
 * @param data - a {@link ClientData} (from `partitionGraph`); not modified. It is checked as the
 *   decoder would check it (shapes, ranges, keys), so every encoding decodes.
 * @returns the bytes.
 * @throws LabInputError for an inconsistent `data`.
 * @example
 * ```ts
 * const graph = await loadGraphFolder(resolveDataDir('graphs', 'cora'));
 * const part = partitionGraph(graph, { numClients: 3, method: 'random' });
 * const bytes = encodeClientData(part.clients[0]!);
 * decodeClientData(bytes).nodes.length; // part.clients[0].nodes.length
 * ```
 * @see Wu et al., "Graph Federated Learning with Hidden Representation Sharing", arXiv 2212.12158.
 */
export function encodeClientData(data: ClientData): Uint8Array {
  if (data === null || typeof data !== 'object') fail('data', 'must be a ClientData object', data);
  const { id, numClients, numFeatures, numClasses, nodes, features, labels, split, localEdges, remoteEdges } = data;
  if (!isUint(numClients) || numClients < 1) fail('data.numClients', 'must be an integer >= 1', numClients);
  if (!isUint(id) || id >= numClients) fail('data.id', `must be an integer in [0, ${numClients})`, id);
  if (!isUint(numFeatures) || numFeatures < 1) fail('data.numFeatures', 'must be an integer >= 1', numFeatures);
  if (!isUint(numClasses)) fail('data.numClasses', 'must be an integer >= 0', numClasses);
  if (!Array.isArray(nodes)) fail('data.nodes', 'must be an array of node keys', nodes);
  const n = nodes.length;
  if (!(features instanceof Float32Array) || features.length !== n * numFeatures)
    fail('data.features', `must be a Float32Array of length ${n * numFeatures}`, features);
  if (!(labels instanceof Int32Array) || labels.length !== n) fail('data.labels', `must be an Int32Array of length ${n}`, labels);
  if (!(split instanceof Uint8Array) || split.length !== n) fail('data.split', `must be a Uint8Array of length ${n}`, split);
  if (!(localEdges instanceof Int32Array) || localEdges.length % 2 !== 0)
    fail('data.localEdges', 'must be an Int32Array of even length', localEdges);
  const r = remoteEdges;
  if (
    r === null ||
    typeof r !== 'object' ||
    !(r.local instanceof Int32Array) ||
    !(r.remoteClient instanceof Int32Array) ||
    !Array.isArray(r.remoteNode) ||
    r.remoteClient.length !== r.local.length ||
    r.remoteNode.length !== r.local.length
  ) {
    fail('data.remoteEdges', 'must hold parallel arrays local (Int32Array), remoteNode (string[]), remoteClient (Int32Array)', r);
  }
  for (let i = 0; i < n; i++) {
    const l = labels[i] as number;
    if (l < -1 || l >= numClasses) fail(`data.labels[${i}]`, `must be in [-1, ${numClasses})`, l);
    if ((split[i] as number) > 3) fail(`data.split[${i}]`, 'must be 0, 1, 2 or 3', split[i]);
  }
  for (let e = 0; e < localEdges.length; e += 2) {
    const u = localEdges[e] as number;
    const v = localEdges[e + 1] as number;
    if (!(u >= 0 && u < v && v < n)) fail(`data.localEdges[${e}]`, `must be a pair u < v of indices below ${n}`, [u, v]);
  }
  for (let e = 0; e < r.local.length; e++) {
    const u = r.local[e] as number;
    const c = r.remoteClient[e] as number;
    if (!(u >= 0 && u < n)) fail(`data.remoteEdges.local[${e}]`, `must be an index below ${n}`, u);
    if (!(c >= 0 && c < numClients) || c === id)
      fail(`data.remoteEdges.remoteClient[${e}]`, `must be a client id in [0, ${numClients}) other than ${id}`, c);
  }
  const utf8 = new TextEncoder();
  const own = new Set<string>();
  const encodeKeys = (keys: readonly unknown[], where: string, owned: boolean): Uint8Array[] =>
    keys.map((k, i) => {
      if (typeof k !== 'string') fail(`${where}[${i}]`, 'must be a string', k);
      const b = utf8.encode(k);
      const problem = nodeKeyProblem(k, b.length);
      if (problem !== undefined) fail(`${where}[${i}]`, problem, k);
      if (owned) {
        if (own.has(k)) fail(`${where}[${i}]`, 'must be unique', k);
        own.add(k);
      } else if (own.has(k)) fail(`${where}[${i}]`, 'must not be one of the own nodes', k);
      return b;
    });
  const nodeBytes = encodeKeys(nodes, 'data.nodes', true);
  const remoteBytes = encodeKeys(r.remoteNode, 'data.remoteEdges.remoteNode', false);
  const L = localEdges.length / 2;
  const R = r.local.length;
  let size = CLIENT_DATA_HEADER_BYTES + 4 * features.length + 4 * n + n + 8 * L + 8 * R;
  for (const b of nodeBytes) size += 4 + b.length;
  for (const b of remoteBytes) size += 4 + b.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let off = 0;
  for (const v of [CLIENT_DATA_MAGIC, CLIENT_DATA_VERSION, id, numClients, numFeatures, numClasses, n, L, R]) {
    dv.setUint32(off, v, true);
    off += 4;
  }
  for (const v of features) {
    dv.setFloat32(off, v, true);
    off += 4;
  }
  for (const arr of [labels, split, localEdges, r.local, r.remoteClient]) {
    for (const v of arr) {
      if (arr === split) dv.setUint8(off++, v);
      else {
        dv.setInt32(off, v, true);
        off += 4;
      }
    }
  }
  for (const b of [...nodeBytes, ...remoteBytes]) {
    dv.setUint32(off, b.length, true);
    out.set(b, off + 4);
    off += 4 + b.length;
  }
  return out;
}
