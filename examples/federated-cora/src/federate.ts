import {
  createBiasProbe,
  createInProcessTransport,
  createWorkerTransport,
  type Estimator,
  type GraphPartition,
  type RoundBias,
  type RoundRecord,
  type RunServerResult,
  runClient,
  runServer,
} from '@lab/fed-graph';
import { runOverNats } from './nats.js';

/** Which transport carries the federation. */
export type TransportKind = 'in-process' | 'worker' | 'nats';

/** One federated run. */
export interface FederateSpec {
  partition: GraphPartition;
  estimator: Estimator;
  rounds: number;
  localSteps: number;
  lr: number;
  seed: number;
  /** Rounds between exchanges of representations (default 1). */
  refreshEvery?: number;
  transport: TransportKind;
  /** Measure the gradient bias every n-th round (in-process only). */
  probeEvery?: number;
  /** For `nats`: the server URL and a scratch directory for the client files. */
  nats?: { url: string; workDir: string };
  onRound?: (record: RoundRecord) => void;
}

/** What a run produced. */
export interface FederateOutcome {
  result: RunServerResult;
  bias?: RoundBias[];
  seconds: number;
  /** Mean bytes on the wire per training round (all clients and the server). */
  bytesPerRound: number;
  /** Mean bytes per training round by message type. */
  bytesPerRoundByType: Record<string, number>;
  /** Rounds in which at least one client was left out (timeouts, rejected or non-finite messages). */
  roundsWithLeftOut: number;
}

/** Runs one federation with the same settings on any transport. */
export async function federate(spec: FederateSpec): Promise<FederateOutcome> {
  const t0 = performance.now();
  const clients = spec.partition.clients;
  const numClients = clients.length;
  const serverOptions = {
    numClients,
    rounds: spec.rounds,
    localSteps: spec.localSteps,
    lr: spec.lr,
    estimator: spec.estimator,
    seed: spec.seed,
    refreshEvery: spec.refreshEvery ?? 1,
    // in one process an honest client answers in milliseconds; a diverged one sends non-finite
    // rows, which the transport drops, and is left out after this wait
    ...(spec.transport === 'nats' ? {} : { timeoutMs: 5000 }),
    onRound: spec.onRound,
  };
  let result: RunServerResult;
  let bias: RoundBias[] | undefined;
  if (spec.transport === 'in-process') {
    const probe = spec.probeEvery === undefined ? undefined : createBiasProbe(clients, { every: spec.probeEvery });
    const transport = createInProcessTransport();
    try {
      const server = await transport.connect('server');
      const endpoints = await Promise.all(clients.map((c) => transport.connect(c.id)));
      const running = clients.map((c, i) =>
        runClient(endpoints[i]!, c, probe === undefined ? {} : { onLocalStep: probe.onLocalStep }),
      );
      result = await runServer(server, serverOptions);
      await Promise.all(running);
      bias = probe?.rounds();
    } finally {
      await transport.close();
      probe?.dispose();
    }
  } else if (spec.transport === 'worker') {
    const transport = createWorkerTransport({ clients: clients });
    try {
      const server = await transport.connect('server');
      result = await runServer(server, serverOptions);
      const outcomes = await transport.outcomes;
      const failed = outcomes.filter((o) => o.error !== undefined);
      if (failed.length > 0) throw new Error(`worker clients failed: ${failed.map((f) => `${f.id}: ${f.error}`).join('; ')}`);
    } finally {
      await transport.close();
    }
  } else {
    if (spec.nats === undefined) throw new Error('federate: transport nats needs spec.nats');
    result = await runOverNats(spec, spec.nats);
  }
  const training = result.rounds.filter((r) => r.round < spec.rounds);
  const byType: Record<string, number> = {};
  let total = 0;
  for (const r of training) {
    const add = (t: Partial<Record<string, number>>) => {
      for (const [k, n] of Object.entries(t)) {
        byType[k] = (byType[k] ?? 0) + (n ?? 0);
        total += n ?? 0;
      }
    };
    for (const t of Object.values(r.traffic.fromClients)) add(t);
    add(r.traffic.fromServer);
  }
  const n = Math.max(1, training.length);
  for (const k of Object.keys(byType)) byType[k] = byType[k]! / n;
  const outcome: FederateOutcome = {
    result,
    seconds: (performance.now() - t0) / 1000,
    bytesPerRound: total / n,
    bytesPerRoundByType: byType,
    roundsWithLeftOut: result.rounds.filter((r) => r.leftOut.length > 0).length,
  };
  if (bias !== undefined) outcome.bias = bias;
  return outcome;
}
