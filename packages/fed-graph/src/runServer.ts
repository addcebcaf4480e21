import type { Endpoint } from './transport.js';

/** Options of {@link runServer} (the training settings, sent to every client). */
export interface RunServerOptions {
  /** Number of clients that will join. */
  numClients: number;
  /** Communication rounds (default 100). */
  rounds?: number;
  /** How long to wait for a client's message in each phase, ms (default 30000). */
  timeoutMs?: number;
}

/** What the server measured in a run. */
export interface RunServerResult {
  /** Test accuracy of the global model after each round. */
  testAccuracy: number[];
}

/**
 * The server role: waits for `numClients` hellos, then runs the rounds: sends the global
 * parameters, relays representations and gradients among clients, aggregates the updates that
 * arrive in time, and finally sends `stop`.
 *
 * @see Wu, Zhang, Li, Yang, Li, "Graph Federated Learning with Hidden Representation Sharing", arXiv 2212.12158.
 */
export async function runServer(endpoint: Endpoint, options: RunServerOptions): Promise<RunServerResult> {
  void endpoint;
  void options;
  throw new Error('runServer: in progress (lead)');
}
