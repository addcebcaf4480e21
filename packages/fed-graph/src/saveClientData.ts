import { LabInputError } from '@lab/core';
import type { ClientData } from './clientData.js';
import { encodeClientData } from './encodeClientData.js';

/** Writes `bytes` to `path` (Node only), wrapping I/O failures as a LabInputError. Internal. */
export async function writeBytes(fn: string, path: string, bytes: Uint8Array | string): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  try {
    await writeFile(path, bytes);
  } catch (err) {
    throw new LabInputError(fn, 'path', 'must be a writable file path', path, { cause: err });
  }
}

/**
 * Writes one client's data to a file (Node only) in the format of {@link encodeClientData}
 * (conventionally `client-<id>.lfgc`), for a client that runs as its own process; read it back
 * with `loadClientData`.
 *
 * @param path - destination file (overwritten).
 * @param data - the client's data; not modified.
 * @throws LabInputError for an empty path, an inconsistent `data` or a failed write (`cause` set).
 * @see Wu et al., "Graph Federated Learning with Hidden Representation Sharing", arXiv 2212.12158.
 */
export async function saveClientData(path: string, data: ClientData): Promise<void> {
  const fn = 'saveClientData';
  if (typeof path !== 'string' || path === '') throw new LabInputError(fn, 'path', 'must be a non-empty path string', path);
  await writeBytes(fn, path, encodeClientData(data));
}
