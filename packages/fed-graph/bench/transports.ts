// The three transports on Cora: seconds per round and bytes per round (summed over the server's
// and every client's endpoint, by message type), random partition, estimator corrected, GCN with
// runServer's defaults (16 hidden, E = 3). Prints a Markdown table; JSON goes to
// bench/results/transports.json only with --out.
//   npx tsx bench/transports.ts [--quick] [--out]     (cd packages/fed-graph)
// Full: 3, 5, 10, 20 clients, 5 rounds; --quick: 3 and 5 clients, 3 rounds. The worker transport
// runs the built worker script (npx tsup first) and the NATS one a nats-server it starts on a free
// loopback port; either is skipped with a message when missing. Round 0 (join, worker start-up,
// first wasm kernels) is reported apart; "s/round" is the mean of rounds 1..R-1.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend, loadGraphFolder, resolveDataDir } from '@lab/core';
import type { ClientData } from '../src/clientData.js';
import { createInProcessTransport } from '../src/inProcessTransport.js';
import { MESSAGE_TYPES, type MessageType } from '../src/messages.js';
import { createNatsTransport } from '../src/natsTransport.js';
import { partitionGraph } from '../src/partitionGraph.js';
import { runClient } from '../src/runClient.js';
import { type RunServerOptions, runServer } from '../src/runServer.js';
import { hasNatsServer, startNatsServer } from '../src/startNatsServer.js';
import type { Endpoint, Transport } from '../src/transport.js';
import { createWorkerTransport } from '../src/workerTransport.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a, i) => !(a === '--' && i === 0)),
  options: { quick: { type: 'boolean' }, out: { type: 'boolean' } },
  strict: true,
});
const quick = values.quick === true;
const clientCounts = quick ? [3, 5] : [3, 5, 10, 20];
const rounds = quick ? 3 : 5;
const timeoutMs = 300_000;
const log = (s: string) => process.stderr.write(`${s}\n`);

type Traffic = Record<MessageType, number>;
const zero = (): Traffic => Object.fromEntries(MESSAGE_TYPES.map((t) => [t, 0])) as Traffic;
const sum = (ts: readonly Readonly<Traffic>[]): Traffic => {
  const s = zero();
  for (const t of ts) for (const k of MESSAGE_TYPES) s[k] += t[k];
  return s;
};

interface Row {
  transport: string;
  clients: number;
  rounds: number;
  firstRoundSeconds: number;
  secondsPerRound: number;
  /** Mean bytes of rounds 1..R-1 by type (every party's sends). */
  bytesPerRound: Traffic;
  testAccuracy: number;
}

/** Runs the server on `server`, timing rounds and snapshotting `traffic()` after each. */
async function measure(
  transport: string,
  numClients: number,
  server: Endpoint,
  traffic: () => Traffic,
  clientsDone: Promise<unknown>,
): Promise<Row> {
  const settings: RunServerOptions = { numClients, rounds, estimator: 'corrected', seed: 0, timeoutMs };
  const times: number[] = [];
  const snaps: Traffic[] = [];
  const t0 = performance.now();
  const result = await runServer(server, {
    ...settings,
    onRound: () => {
      times.push(performance.now());
      snaps.push(traffic());
    },
  });
  await clientsDone;
  const bytes = zero();
  for (let r = 1; r < rounds; r++)
    for (const k of MESSAGE_TYPES) bytes[k] += (snaps[r]![k] - snaps[r - 1]![k]) / (rounds - 1);
  const perRound = [];
  for (let r = 1; r < rounds; r++) perRound.push((times[r]! - times[r - 1]!) / 1000);
  if (result.rejected.length > 0) log(`  ${transport}: ${result.rejected.length} rejected messages`);
  return {
    transport,
    clients: numClients,
    rounds,
    firstRoundSeconds: (times[0]! - t0) / 1000,
    secondsPerRound: perRound.reduce((a, b) => a + b, 0) / perRound.length,
    bytesPerRound: bytes,
    testAccuracy: result.testAccuracy,
  };
}

/** In-process and NATS parties all run in this thread: connect every party, run, measure. */
async function sameThread(kind: 'in-process' | 'nats', t: Transport, clients: ClientData[]): Promise<Row> {
  const server = await t.connect('server');
  const eps = await Promise.all(clients.map((c) => t.connect(c.id)));
  const runs = Promise.all(clients.map((c, i) => runClient(eps[i]!, c, { timeoutMs })));
  const row = await measure(
    kind,
    clients.length,
    server,
    () => sum([server, ...eps].map((e) => e.traffic)),
    runs,
  );
  await t.close();
  return row;
}

const inProcess = (clients: ClientData[]) => sameThread('in-process', createInProcessTransport(), clients);
const nats = (url: string, clients: ClientData[]) =>
  sameThread('nats', createNatsTransport(url, { run: `bench-${clients.length}` }), clients);

const workerScript = new URL('../dist/workerClient.js', import.meta.url);
async function worker(clients: ClientData[]): Promise<Row> {
  const t = createWorkerTransport({ clients, workerScript, clientOptions: { timeoutMs } });
  const server = await t.connect('server');
  const traffic = () => sum([server.traffic, ...clients.map((c) => t.trafficOf(c.id))]);
  const row = await measure('worker', clients.length, server, traffic, t.outcomes);
  for (const o of await t.outcomes) if (o.error !== undefined) log(`  worker client ${o.id}: ${o.error}`);
  await t.close();
  return row;
}

const backend = await initBackend();
const cora = await loadGraphFolder(resolveDataDir('graphs', 'cora'));
const hasWorker = existsSync(fileURLToPath(workerScript));
if (!hasWorker) log('worker transport skipped: build first (cd packages/fed-graph && npx tsup)');
const natsServer = hasNatsServer() ? await startNatsServer() : undefined;
if (natsServer === undefined)
  log('NATS transport skipped: nats-server missing (apt-get install -y nats-server)');
const machine = `${cpus().length} x ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, backend ${backend.backend}${backend.simd ? ' (SIMD)' : ''}, load average at start ${loadavg()
  .map((x) => x.toFixed(2))
  .join(' ')}`;
log(machine);

const rows: Row[] = [];
try {
  for (const n of clientCounts) {
    const { clients } = partitionGraph(cora, { numClients: n, method: 'random', seed: 0 });
    const runs: [string, () => Promise<Row>][] = [['in-process', () => inProcess(clients)]];
    if (hasWorker) runs.push(['worker', () => worker(clients)]);
    if (natsServer !== undefined) runs.push(['nats', () => nats(natsServer.url, clients)]);
    for (const [name, go] of runs) {
      const row = await go();
      rows.push(row);
      log(
        `${name} ${n} clients: ${row.secondsPerRound.toFixed(3)} s/round, test ${row.testAccuracy.toFixed(3)}`,
      );
    }
  }
} finally {
  await natsServer?.stop();
}

const kb = (b: number) => (b / 1024).toFixed(1);
const shown: MessageType[] = ['round', 'repr', 'grad', 'update', 'metrics'];
const lines = [
  `Cora, random partition (seed 0), estimator corrected, GCN 16 hidden, E = 3, ${rounds} rounds; ${machine}.`,
  '',
  `| transport | clients | first round s | s/round | KiB/round | ${shown.map((t) => `${t} KiB`).join(' | ')} |`,
  `|---|---:|---:|---:|---:|${shown.map(() => '---:').join('|')}|`,
  ...rows.map((r) => {
    const total = MESSAGE_TYPES.reduce((s, t) => s + r.bytesPerRound[t], 0);
    return `| ${r.transport} | ${r.clients} | ${r.firstRoundSeconds.toFixed(2)} | ${r.secondsPerRound.toFixed(3)} | ${kb(total)} | ${shown.map((t) => kb(r.bytesPerRound[t])).join(' | ')} |`;
  }),
];
// every transport carries the same bytes: say so, or say where not
for (const n of clientCounts) {
  const same = rows.filter((r) => r.clients === n);
  const differ = same.some((r) =>
    MESSAGE_TYPES.some((t) => r.bytesPerRound[t] !== same[0]!.bytesPerRound[t]),
  );
  if (differ) lines.push('', `Note: bytes per round differ between transports at ${n} clients.`);
}
console.log(lines.join('\n'));

if (values.out === true) {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  await mkdir(dir, { recursive: true });
  const path = `${dir}transports.json`;
  await writeFile(
    path,
    `${JSON.stringify({ command: `npx tsx bench/transports.ts${quick ? ' --quick' : ''} --out`, machine, rows }, null, 2)}\n`,
  );
  log(`wrote ${path}`);
}
