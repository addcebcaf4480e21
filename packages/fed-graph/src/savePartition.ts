import { LabInputError } from '@lab/core';
import { CLIENT_DATA_VERSION, encodeClientData } from './encodeClientData.js';
import type { GraphPartition } from './partitionGraph.js';
import { writeBytes } from './saveClientData.js';

/**
 * Writes a partition for clients that run as separate processes (Node only): `client-<id>.lfgc`
 * per client ({@link encodeClientData} format, read with `loadClientData`) and `partition.json`
 * (`format`, `version`, `numClients`, `method`, `stats`). The folder is created if missing.
 *
 * @param dir - destination folder.
 * @param partition - from `partitionGraph`; not modified.
 * @returns the paths written, client files in id order, then `partition.json`.
 * @throws LabInputError for an empty path, an inconsistent partition or a failed write.
 * @see Wu et al., "Graph Federated Learning with Hidden Representation Sharing", arXiv 2212.12158.
 */
export async function savePartition(dir: string, partition: GraphPartition): Promise<string[]> {
  const fn = 'savePartition';
  if (typeof dir !== 'string' || dir === '') throw new LabInputError(fn, 'dir', 'must be a non-empty path string', dir);
  if (partition === null || typeof partition !== 'object' || !Array.isArray(partition.clients))
    throw new LabInputError(fn, 'partition', 'must be a GraphPartition from partitionGraph', partition);
  const encoded = partition.clients.map((c, k) => {
    if (c?.id !== k) throw new LabInputError(fn, `partition.clients[${k}]`, `must have id ${k}`, c?.id);
    return encodeClientData(c);
  });
  const { mkdir } = await import('node:fs/promises');
  const { join } = await import('node:path');
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new LabInputError(fn, 'dir', 'must be a folder that can be created', dir, { cause: err });
  }
  const paths: string[] = [];
  for (let k = 0; k < encoded.length; k++) {
    const p = join(dir, `client-${k}.lfgc`);
    await writeBytes(fn, p, encoded[k] as Uint8Array);
    paths.push(p);
  }
  const meta = {
    format: 'lfgc',
    version: CLIENT_DATA_VERSION,
    numClients: partition.numClients,
    method: partition.method,
    stats: partition.stats,
  };
  const metaPath = join(dir, 'partition.json');
  await writeBytes(fn, metaPath, `${JSON.stringify(meta, null, 2)}\n`);
  paths.push(metaPath);
  return paths;
}
