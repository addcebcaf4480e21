/**
 * The messages of the fed-graph protocol, as objects. Every transport carries them as bytes in
 * one versioned binary format (`encodeMessage` / `decodeMessage`), so the in-process, worker and
 * NATS transports move exactly the same bytes and count the same traffic.
 *
 * A message is a header (type, round, sender, receiver, phase, step) and a list of named
 * payload arrays. Payloads carry only model parameters, hidden representations of boundary
 * nodes, gradients with respect to those representations, and counts: never a raw feature row
 * or a label (the server's guard checks every payload name against {@link PAYLOADS}).
 */

/** Who sends or receives: the server, or a client id `>= 0`. */
export type Address = 'server' | number;

/** Message kinds, in protocol order (the byte value is the index in this list). */
export const MESSAGE_TYPES = [
  /** client -> server: joins; payload `layout` (int32 boundary counts, see below) and `counts`. */
  'hello',
  /** server -> client: the global parameters at the start of a round (payload: parameters). */
  'round',
  /** client -> server -> client: hidden representations of boundary nodes for one propagation hop. */
  'repr',
  /** client -> server -> client: gradients of the receiver's loss w.r.t. the representations it got. */
  'grad',
  /** client -> server: parameters after the local steps, and the train-node count. */
  'update',
  /** client -> server: correct-prediction counts of the round's global model per split. */
  'metrics',
  /** server -> client: the run is over (or the client is dropped); payload empty. */
  'stop',
] as const;

/** One of {@link MESSAGE_TYPES}. */
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Element types a payload array may have. */
export type PayloadArray = Float32Array | Int32Array;

/** One named payload array with its shape (`shape.reduce(*) === data.length`). */
export interface PayloadEntry {
  /** Name: a parameter name (`W1`), `rows`, `layout`, `counts` ... (see {@link PAYLOADS}). */
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: PayloadArray;
}

/** A protocol message. */
export interface FedMessage {
  readonly type: MessageType;
  /** Round number (0-based); `hello` uses 0. */
  readonly round: number;
  readonly from: Address;
  readonly to: Address;
  /**
   * For `repr`/`grad`: the propagation hop (0-based) the rows belong to. For `round`: the
   * number of local steps. Otherwise 0.
   */
  readonly phase: number;
  /** For `repr`/`grad`: the refresh index within the round (0-based). Otherwise 0. */
  readonly step: number;
  readonly payload: readonly PayloadEntry[];
}

/**
 * Payload names each message type may carry (the privacy guard's allow-list; `runServer` rejects
 * a client message with any other name). `param:*` means any model parameter name (`W1`, `b1`,
 * `W2`, `b2`); `rows:*` means `rows:` and a client id (a client sends `rows:<receiver>`, the
 * server relays it as `rows:<sender>`); `settings` is the float32 settings vector of a `round`.
 * `repr`/`grad` rows are `[boundary nodes, width]` with the width of the hop's representation
 * (never the raw feature width F for the first hop of a model whose first stage is a
 * projection); `layout` is the int32 `[numClients, 2]` table of how many own nodes each other
 * client needs (column 0) and how many of its nodes this client needs (column 1); `counts` is
 * int32 `[numNodes, numTrain, numFeatures, numClasses]` (hello) or `[correct, total]` per split
 * (metrics, shape `[3, 2]`: train, val, test); `trainCount` is int32 `[1]`.
 */
export const PAYLOADS: Readonly<Record<MessageType, readonly string[]>> = {
  hello: ['layout', 'counts'],
  round: ['param:*', 'settings'],
  repr: ['rows:*'],
  grad: ['rows:*'],
  update: ['param:*', 'trainCount'],
  metrics: ['counts', 'loss'],
  stop: [],
};
