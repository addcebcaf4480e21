import type { ClientData } from './clientData.js';
import type { Endpoint } from './transport.js';

/** Options of {@link runClient}. */
export interface RunClientOptions {
  /** How long to wait for the server's next message before giving up, ms (default 600000). */
  timeoutMs?: number;
}

/** What a client did in a run. */
export interface RunClientResult {
  /** Rounds this client trained in. */
  roundsTrained: number;
}

/**
 * The client role: joins through `endpoint`, then follows the server's rounds (representation
 * exchange, local steps, update) until the server sends `stop`. All training settings come from
 * the server, so a client needs only its data and a connection.
 *
 * @see Wu, Zhang, Li, Yang, Li, "Graph Federated Learning with Hidden Representation Sharing", arXiv 2212.12158.
 */
export async function runClient(
  endpoint: Endpoint,
  data: ClientData,
  options: RunClientOptions = {},
): Promise<RunClientResult> {
  void endpoint;
  void data;
  void options;
  throw new Error('runClient: in progress (lead)');
}
