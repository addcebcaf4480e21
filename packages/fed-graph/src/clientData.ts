/**
 * What one client of a graph federation holds: its own nodes' features, labels and splits, the
 * edges among its own nodes, and its cross-client edges, of which it knows only the identity of
 * the remote endpoint (its node key and owning client), never the remote node's data.
 *
 * Node order is the order of `nodes` (ascending global index in the partitioned graph); every
 * per-node array is in that order. Built by `partitionGraph`, written and read by
 * `saveClientData` / `loadClientData` for clients that run as their own process.
 */
export interface ClientData {
  /** Client id, `0 <= id < numClients`. */
  readonly id: number;
  /** Number of clients in the federation. */
  readonly numClients: number;
  /** Feature dimension F (the same on every client). */
  readonly numFeatures: number;
  /** Number of classes C (the same on every client). */
  readonly numClasses: number;
  /** Global node keys of the nodes this client owns, in local order. */
  readonly nodes: readonly string[];
  /** Row-major `nodes.length x numFeatures` features. */
  readonly features: Float32Array;
  /** Class index per node, -1 where unknown. */
  readonly labels: Int32Array;
  /** Split per node: 0 none, 1 train, 2 val, 3 test (see {@link SPLIT_CODES}). */
  readonly split: Uint8Array;
  /** Undirected edges among own nodes, as local index pairs `[u0, v0, u1, v1, ...]`, `u < v`, each once. */
  readonly localEdges: Int32Array;
  /** Cross-client edges, one entry per edge (parallel arrays). */
  readonly remoteEdges: RemoteEdges;
}

/** Cross-client edges of a {@link ClientData}: own endpoint, remote node key, remote owner. */
export interface RemoteEdges {
  /** Local index of the own endpoint. */
  readonly local: Int32Array;
  /** Global key of the remote endpoint. */
  readonly remoteNode: readonly string[];
  /** Client that owns the remote endpoint (never `id`). */
  readonly remoteClient: Int32Array;
}

/** Codes of {@link ClientData.split}. */
export const SPLIT_CODES = { none: 0, train: 1, val: 2, test: 3 } as const;
