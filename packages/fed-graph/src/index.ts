// Public API of @lab/fed-graph: named re-exports only, grouped by area. Each section is owned by
// one part of the package; edit only your own section.

// data and partitioning
export type { ClientData, RemoteEdges } from './clientData.js';
export { SPLIT_CODES } from './clientData.js';

// protocol and transports
export type { Address, FedMessage, MessageType, PayloadArray, PayloadEntry } from './messages.js';
export { MESSAGE_TYPES, PAYLOADS } from './messages.js';
export type { Endpoint, Transport } from './transport.js';

// training (server and client roles, estimators, baselines)
// (in progress: the server and client roles land with the protocol; the local computation and
// the fresh exchange that define the estimators are internal for now)
