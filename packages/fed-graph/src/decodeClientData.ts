import { checkBytes, LabFormatError, readOptions } from '@lab/core';
import type { ClientData } from './clientData.js';
import {
  CLIENT_DATA_HEADER_BYTES,
  CLIENT_DATA_MAGIC,
  CLIENT_DATA_VERSION,
  MAX_NODE_KEY_BYTES,
  nodeKeyProblem,
} from './encodeClientData.js';

/** Options of {@link decodeClientData} and `loadClientData`. */
export interface DecodeClientDataOptions {
  /** Accept NaN and +-Infinity features (default `false`: a `LabFormatError`). */
  allowNonFinite?: boolean;
  /** Label of the input in error messages (default `'<bytes>'`; `loadClientData` passes the path). */
  source?: string;
}

/** Decodes with a given function name (so `loadClientData`'s errors name it). Internal. */
export function decodeClientDataAs(fn: string, arg: string, value: unknown, options: DecodeClientDataOptions | undefined): ClientData {
  const o = readOptions(fn, options, ['allowNonFinite', 'source']);
  const allowNonFinite = o.boolean('allowNonFinite', false);
  const source = o.string('source', '<bytes>');
  const bytes = checkBytes(fn, arg, value);
  const bad = (place: string, expected: string, actual?: unknown): never => {
    throw new LabFormatError(fn, arg, { source, column: place }, expected, actual);
  };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = bytes.length;
  if (size < CLIENT_DATA_HEADER_BYTES)
    bad('header', `must hold a ${CLIENT_DATA_HEADER_BYTES}-byte client-data header`, `${size} bytes`);
  const u32 = (i: number): number => dv.getUint32(4 * i, true);
  if (u32(0) !== CLIENT_DATA_MAGIC) bad('header.magic', "must be 'LFGC' (a fed-graph client-data file)", u32(0));
  if (u32(1) !== CLIENT_DATA_VERSION) bad('header.version', `must be ${CLIENT_DATA_VERSION}`, u32(1));
  const id = u32(2);
  const numClients = u32(3);
  const numFeatures = u32(4);
  const numClasses = u32(5);
  const n = u32(6);
  const L = u32(7);
  const R = u32(8);
  if (numClients < 1) bad('header.numClients', 'must be >= 1', numClients);
  if (id >= numClients) bad('header.id', `must be below numClients (${numClients})`, id);
  if (numFeatures < 1) bad('header.numFeatures', 'must be >= 1', numFeatures);
  if (numClasses > 0x7fffffff) bad('header.numClasses', 'must be below 2^31', numClasses);
  // Every count against the bytes present (each key takes at least 5 bytes) before allocating.
  const fixed = CLIENT_DATA_HEADER_BYTES + 4 * n * numFeatures + 4 * n + n + 8 * L + 8 * R;
  const minimum = fixed + 5 * n + 5 * R;
  if (minimum > size) {
    bad(
      'header',
      `must describe at most the ${size} bytes present (numNodes ${n}, numFeatures ${numFeatures}, numLocalEdges ${L}, numRemoteEdges ${R} need at least ${minimum})`,
      `${size} bytes`,
    );
  }
  let off = CLIENT_DATA_HEADER_BYTES;
  const features = new Float32Array(n * numFeatures);
  for (let i = 0; i < features.length; i++, off += 4) {
    const v = dv.getFloat32(off, true);
    if (!allowNonFinite && !Number.isFinite(v)) bad(`features[${i}]`, 'must be finite (or pass allowNonFinite: true)', v);
    features[i] = v;
  }
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++, off += 4) {
    const l = dv.getInt32(off, true);
    if (l < -1 || l >= numClasses) bad(`labels[${i}]`, `must be in [-1, ${numClasses})`, l);
    labels[i] = l;
  }
  const split = new Uint8Array(n);
  for (let i = 0; i < n; i++, off++) {
    const s = dv.getUint8(off);
    if (s > 3) bad(`split[${i}]`, 'must be 0 (none), 1 (train), 2 (val) or 3 (test)', s);
    split[i] = s;
  }
  const localEdges = new Int32Array(2 * L);
  for (let e = 0; e < L; e++, off += 8) {
    const u = dv.getInt32(off, true);
    const v = dv.getInt32(off + 4, true);
    if (!(u >= 0 && u < v && v < n)) bad(`localEdges[${e}]`, `must be a pair u < v of node indices below ${n}`, [u, v]);
    localEdges[2 * e] = u;
    localEdges[2 * e + 1] = v;
  }
  const local = new Int32Array(R);
  for (let e = 0; e < R; e++, off += 4) {
    const u = dv.getInt32(off, true);
    if (!(u >= 0 && u < n)) bad(`remoteEdges.local[${e}]`, `must be a node index below ${n}`, u);
    local[e] = u;
  }
  const remoteClient = new Int32Array(R);
  for (let e = 0; e < R; e++, off += 4) {
    const c = dv.getInt32(off, true);
    if (!(c >= 0 && c < numClients) || c === id)
      bad(`remoteEdges.remoteClient[${e}]`, `must be a client id in [0, ${numClients}) other than ${id}`, c);
    remoteClient[e] = c;
  }
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const readKeys = (count: number, where: string): string[] => {
    const keys: string[] = [];
    for (let i = 0; i < count; i++) {
      if (off + 4 > size) bad(`${where}[${i}]`, 'must be present (file truncated)', `${size - off} bytes left`);
      const len = dv.getUint32(off, true);
      if (len > MAX_NODE_KEY_BYTES || off + 4 + len > size)
        bad(`${where}[${i}] length`, `must be at most ${MAX_NODE_KEY_BYTES} and fit in the ${size - off - 4} bytes left`, len);
      let key = '';
      try {
        key = utf8.decode(bytes.subarray(off + 4, off + 4 + len));
      } catch {
        bad(`${where}[${i}]`, 'must be valid UTF-8');
      }
      const problem = nodeKeyProblem(key, len);
      if (problem !== undefined) bad(`${where}[${i}]`, problem, key);
      keys.push(key);
      off += 4 + len;
    }
    return keys;
  };
  const nodes = readKeys(n, 'nodes');
  const own = new Set<string>();
  nodes.forEach((k, i) => {
    if (own.has(k)) bad(`nodes[${i}]`, 'must be unique', k);
    own.add(k);
  });
  const remoteNode = readKeys(R, 'remoteEdges.remoteNode');
  remoteNode.forEach((k, i) => {
    if (own.has(k)) bad(`remoteEdges.remoteNode[${i}]`, 'must not be one of the own nodes', k);
  });
  if (off !== size) bad('end', `must end after ${off} bytes`, `${size} bytes`);
  return { id, numClients, numFeatures, numClasses, nodes, features, labels, split, localEdges, remoteEdges: { local, remoteNode, remoteClient } };
}

/**
 * Decodes one client's data from the binary client-data format written by `encodeClientData`.
 * Every count is checked against the bytes present before anything is allocated; features must
 * be finite (unless `allowNonFinite`), labels in `[-1, numClasses)`, split codes 0..3, edge
 * indices in range (local pairs `u < v`), remote owners in range and not this client, node keys
 * valid UTF-8, non-empty, without control characters or prototype names, own keys unique.
 *
 * @param bytes - any `Uint8Array` view (a `Buffer`, an odd-offset `subarray`); not modified.
 * @param options - `allowNonFinite`, `source` (label for errors).
 * @returns a fresh {@link ClientData} (no views into `bytes`).
 * @throws LabFormatError naming the place (`header.numNodes`, `labels[3]`, ...) for malformed bytes.
 * @example
 * ```ts
 * const graph = await loadGraphFolder(resolveDataDir('graphs', 'cora'));
 * const part = partitionGraph(graph, { numClients: 3, method: 'louvain' });
 * const back = decodeClientData(encodeClientData(part.clients[1]!));
 * back.id; // 1
 * ```
 * @see Wu et al., "Graph Federated Learning with Hidden Representation Sharing", arXiv 2212.12158.
 */
export function decodeClientData(bytes: Uint8Array, options?: DecodeClientDataOptions): ClientData {
  return decodeClientDataAs('decodeClientData', 'bytes', bytes, options);
}
