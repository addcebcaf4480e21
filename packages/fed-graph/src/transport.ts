import type { Address, FedMessage, MessageType } from './messages.js';

/**
 * One party's connection to the federation: sends messages to an address and receives the
 * messages addressed to it, in arrival order. Implementations encode every message to bytes with
 * `encodeMessage` and decode with `decodeMessage` (so all transports carry the same bytes), and
 * count the bytes they send in {@link Endpoint.traffic}.
 */
export interface Endpoint {
  readonly address: Address;
  /** Sends `message` (whose `from` must be this endpoint's address). */
  send(message: FedMessage): Promise<void>;
  /**
   * The next message addressed to this endpoint, or `undefined` when none arrives within
   * `timeoutMs` (default: wait forever) or the endpoint is closed. A message that does not
   * decode is not returned: it is reported through `onReject` of the transport and skipped.
   */
  receive(timeoutMs?: number): Promise<FedMessage | undefined>;
  /** Bytes this endpoint has sent so far, by message type. */
  readonly traffic: Readonly<Record<MessageType, number>>;
  /** Leaves the federation; pending `receive` calls resolve `undefined`. */
  close(): Promise<void>;
}

/**
 * Something that connects the server and the clients: in-process queues, worker threads, or a
 * NATS server. `connect('server')` and `connect(clientId)` each return that party's endpoint.
 */
export interface Transport {
  /** Short name for reports: `'in-process'`, `'worker'`, `'nats'`. */
  readonly kind: string;
  connect(address: Address): Promise<Endpoint>;
  /** Closes every endpoint and frees the transport's resources. */
  close(): Promise<void>;
}
