import { LabInputError } from '@lab/core';
import type { ClientData } from './clientData.js';
import { SPLIT_CODES } from './clientData.js';

/** Statistics of one client of a partition (see {@link partitionStats}). */
export interface ClientStats {
  id: number;
  /** Own nodes. */
  nodes: number;
  train: number;
  val: number;
  test: number;
  /** Own nodes per class (`numClasses` entries); nodes with unknown label (-1) are not counted. */
  labelHistogram: number[];
  /** Edges with both endpoints on this client. */
  localEdges: number;
  /** Edges with one endpoint on this client and the other on another client. */
  cutEdges: number;
}

/** Statistics of a whole partition (see {@link partitionStats}). */
export interface PartitionStats {
  numClients: number;
  numNodes: number;
  /** All edges of the partitioned graph: local edges of every client plus cut edges. */
  numEdges: number;
  /** Edges whose endpoints are on different clients (each counted once). */
  cutEdges: number;
  /** `cutEdges / numEdges` (0 for a graph without edges). A random split into N parts cuts ~ `1 - 1/N`. */
  cutShare: number;
  /**
   * Label skew: the mean, over clients with at least one labelled node, of the total-variation
   * distance `0.5 * sum_c |p_k(c) - p(c)|` between the client's label distribution and the global
   * one (0 = every client has the global mix, near 1 = disjoint classes).
   */
  labelSkew: number;
  clients: ClientStats[];
}

function clientList(fn: string, input: unknown): readonly ClientData[] {
  const clients = Array.isArray(input)
    ? input
    : input !== null && typeof input === 'object' && Array.isArray((input as { clients?: unknown }).clients)
      ? (input as { clients: unknown[] }).clients
      : undefined;
  if (clients === undefined || clients.length === 0) {
    throw new LabInputError(
      fn,
      'partition',
      'must be a GraphPartition or a non-empty array of ClientData',
      input,
    );
  }
  for (let k = 0; k < clients.length; k++) {
    const c = clients[k] as Partial<ClientData> | null;
    if (
      c === null ||
      typeof c !== 'object' ||
      !(c.labels instanceof Int32Array) ||
      !(c.split instanceof Uint8Array) ||
      !(c.localEdges instanceof Int32Array) ||
      !(c.remoteEdges?.local instanceof Int32Array) ||
      typeof c.numClasses !== 'number'
    ) {
      throw new LabInputError(fn, `partition client ${k}`, 'must be a ClientData', c);
    }
    if (c.id !== k || c.numClients !== clients.length) {
      throw new LabInputError(
        fn,
        `partition client ${k}`,
        `must have id ${k} and numClients ${clients.length} (clients in id order)`,
        `id ${String(c.id)}, numClients ${String(c.numClients)}`,
      );
    }
  }
  return clients as ClientData[];
}

/**
 * Statistics of a graph partition: per client the node count, train / val / test counts, label
 * histogram, local and cut edges; in total the share of edges cut and a label-skew measure
 * (mean total-variation distance of the clients' label distributions from the global one).
 *
 * @param partition - a `GraphPartition` (from `partitionGraph`) or its clients in id order; not modified.
 * @returns the statistics (plain numbers).
 * @example
 * ```ts
 * const cora = await loadGraphFolder(resolveDataDir('graphs', 'cora'));
 * const stats = partitionStats(partitionGraph(cora, { numClients: 5, method: 'random' }));
 * stats.cutShare; // ~0.8 = 1 - 1/5
 * ```
 * @see Wu et al., "Graph Federated Learning with Hidden Representation Sharing", arXiv 2212.12158.
 */
export function partitionStats(
  partition: { readonly clients: readonly ClientData[] } | readonly ClientData[],
): PartitionStats {
  const fn = 'partitionStats';
  const clients = clientList(fn, partition);
  const numClasses = Math.max(0, ...clients.map((c) => c.numClasses));
  const global = new Array<number>(numClasses).fill(0);
  let numNodes = 0;
  let local = 0;
  let remote = 0;
  const out: ClientStats[] = clients.map((c) => {
    const labelHistogram = new Array<number>(numClasses).fill(0);
    for (const l of c.labels)
      if (l >= 0 && l < numClasses) labelHistogram[l] = (labelHistogram[l] as number) + 1;
    for (let j = 0; j < numClasses; j++) global[j] = (global[j] as number) + (labelHistogram[j] as number);
    let train = 0;
    let val = 0;
    let test = 0;
    for (const s of c.split) {
      if (s === SPLIT_CODES.train) train++;
      else if (s === SPLIT_CODES.val) val++;
      else if (s === SPLIT_CODES.test) test++;
    }
    const localEdges = c.localEdges.length / 2;
    const cutEdges = c.remoteEdges.local.length;
    numNodes += c.labels.length;
    local += localEdges;
    remote += cutEdges;
    return { id: c.id, nodes: c.labels.length, train, val, test, labelHistogram, localEdges, cutEdges };
  });
  // Every cut edge appears once on each of its two clients.
  const cutEdges = remote / 2;
  const numEdges = local + cutEdges;
  const totalLabelled = global.reduce((a, b) => a + b, 0);
  let skew = 0;
  let counted = 0;
  for (const s of out) {
    const n = s.labelHistogram.reduce((a, b) => a + b, 0);
    if (n === 0 || totalLabelled === 0) continue;
    let tv = 0;
    for (let j = 0; j < numClasses; j++) {
      tv += Math.abs((s.labelHistogram[j] as number) / n - (global[j] as number) / totalLabelled);
    }
    skew += tv / 2;
    counted++;
  }
  return {
    numClients: clients.length,
    numNodes,
    numEdges,
    cutEdges,
    cutShare: numEdges === 0 ? 0 : cutEdges / numEdges,
    labelSkew: counted === 0 ? 0 : skew / counted,
    clients: out,
  };
}
