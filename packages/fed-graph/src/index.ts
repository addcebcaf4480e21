// Public API of @lab/fed-graph: named re-exports only, grouped by area. Each section is owned by
// one part of the package; edit only your own section.

// data and partitioning
export type { ClientData, RemoteEdges } from './clientData.js';
export { SPLIT_CODES } from './clientData.js';
export { decodeClientData } from './decodeClientData.js';
export type { DecodeClientDataOptions } from './decodeClientData.js';
export { CLIENT_DATA_VERSION, encodeClientData } from './encodeClientData.js';
export { loadClientData } from './loadClientData.js';
export type { LoadClientDataOptions } from './loadClientData.js';
export { partitionGraph } from './partitionGraph.js';
export type { GraphPartition, PartitionGraphOptions, PartitionMethod } from './partitionGraph.js';
export { partitionStats } from './partitionStats.js';
export type { ClientStats, PartitionStats } from './partitionStats.js';
export { saveClientData } from './saveClientData.js';
export { savePartition } from './savePartition.js';

// protocol and transports
export type { Address, FedMessage, MessageType, PayloadArray, PayloadEntry } from './messages.js';
export { MESSAGE_TYPES, PAYLOADS } from './messages.js';
export type { Endpoint, Transport } from './transport.js';
export { decodeMessage, encodeMessage } from './messageCodec.js';
export type { DecodeMessageOptions } from './messageCodec.js';
export { createInProcessTransport } from './inProcessTransport.js';
export type { InProcessTransport, InProcessTransportOptions } from './inProcessTransport.js';
export { createWorkerTransport } from './workerTransport.js';
export type { WorkerClientOutcome, WorkerTransport, WorkerTransportOptions } from './workerTransport.js';
export { connectWorkerParent } from './workerEndpoint.js';
export type { ConnectWorkerParentOptions } from './workerEndpoint.js';
export { connectNats, createNatsTransport } from './natsTransport.js';
export type { ConnectNatsOptions, NatsTransportOptions } from './natsTransport.js';
export { hasNatsServer, startNatsServer } from './startNatsServer.js';
export type { NatsServerHandle } from './startNatsServer.js';

// training (server and client roles, estimators, baselines)
export { runClient } from './runClient.js';
export type { LocalStep, RunClientOptions, RunClientResult } from './runClient.js';
export { runServer } from './runServer.js';
export type { RoundRecord, RunServerOptions, RunServerResult } from './runServer.js';
export type { FedModelOptions } from './modelOptions.js';
export { createBiasProbe } from './createBiasProbe.js';
export type { BiasProbe, CreateBiasProbeOptions, RoundBias } from './createBiasProbe.js';
export type { Estimator } from './protocolSettings.js';
