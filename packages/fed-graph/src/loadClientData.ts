import { LabInputError, loadBinaryFile, readOptions } from '@lab/core';
import type { ClientData } from './clientData.js';
import { decodeClientDataAs } from './decodeClientData.js';

/** Options of {@link loadClientData}. */
export interface LoadClientDataOptions {
  /** Accept NaN and +-Infinity features (default `false`). */
  allowNonFinite?: boolean;
  /** Largest file accepted, bytes, checked before reading (default 2 GiB - 1). */
  maxBytes?: number;
}

/**
 * Reads one client's data from a file written by `saveClientData` (Node only): the size is
 * checked before reading, then the bytes are decoded as `decodeClientData` does (every count
 * checked against the bytes present, finite features, ranges, keys).
 *
 * @param path - a `client-<id>.lfgc` file.
 * @param options - `allowNonFinite`, `maxBytes`.
 * @returns the client's {@link ClientData}.
 * @throws LabInputError for a missing or unreadable file (`cause` set); LabFormatError naming the
 *   path and place for a too large or malformed file.
 * @see Wu et al., "Graph Federated Learning with Hidden Representation Sharing", arXiv 2212.12158.
 */
export async function loadClientData(path: string, options?: LoadClientDataOptions): Promise<ClientData> {
  const fn = 'loadClientData';
  const o = readOptions(fn, options, ['allowNonFinite', 'maxBytes']);
  const allowNonFinite = o.boolean('allowNonFinite', false);
  const maxBytes = o.integer('maxBytes', 2 ** 31 - 1, { min: 0 });
  if (typeof path !== 'string' || path === '') throw new LabInputError(fn, 'path', 'must be a non-empty path string', path);
  const bytes = await loadBinaryFile(fn, 'path', path, { maxBytes, what: 'client-data file' });
  return decodeClientDataAs(fn, 'path', bytes, { allowNonFinite, source: path });
}
