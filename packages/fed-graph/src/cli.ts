#!/usr/bin/env node
// The `lab-fed-graph` command line (bin of the package, built as dist/cli.js): `server`, `client`
// and `partition`, so a NATS federation can run as N+1 separate processes. Parsing is in
// parseCli.ts (pure, unit-tested); this file does the I/O. Bad input exits 2 with one line.
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend, LabFormatError, LabInputError, loadGraphFolder } from '@lab/core';
import { connect, type NatsConnection } from 'nats';
import { loadClientData } from './loadClientData.js';
import { connectNats } from './natsTransport.js';
import {
  type CliClientCommand,
  type CliPartitionCommand,
  type CliServerCommand,
  parseCli,
} from './parseCli.js';
import { partitionGraph } from './partitionGraph.js';
import { runClient } from './runClient.js';
import { runServer } from './runServer.js';
import { savePartition } from './savePartition.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Resolves once `text` is handed to the OS (so `process.exit` does not cut a piped stdout short). */
function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/**
 * Readiness handshake (CLI only, outside the fed-graph protocol): NATS drops messages nobody is
 * subscribed to, so a client that said hello before the server listened would be lost. The server
 * answers requests on `lab.fedgraph.<run>.ready` once its endpoint is subscribed; clients ask
 * until it answers, then start.
 */
const readySubject = (run: string) => `lab.fedgraph.${run}.ready`;

async function natsConnection(fn: string, url: string, name: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: url, name, timeout: 10_000 });
  } catch (error) {
    throw new LabInputError(fn, '--nats', `must reach a NATS server (${(error as Error).message})`, url, {
      cause: error,
    });
  }
}

async function waitForServer(fn: string, url: string, run: string, timeoutMs: number): Promise<void> {
  const nc = await natsConnection(fn, url, `fed-graph ${run} ready-probe`);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await nc.request(readySubject(run), new Uint8Array(0), { timeout: 1000 });
        return;
      } catch {
        if (Date.now() > deadline)
          throw new LabInputError(fn, '--nats', `must have a '${run}' server within ${timeoutMs} ms`, url);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await nc.close();
  }
}

/** `RunServerResult` plus the server endpoint's traffic, with plain arrays for JSON. */
async function server(cmd: CliServerCommand): Promise<void> {
  const fn = 'lab-fed-graph server';
  const endpoint = await connectNats(cmd.nats, 'server', { run: cmd.run });
  const ready = await natsConnection(fn, cmd.nats, `fed-graph ${cmd.run} ready`);
  ready.subscribe(readySubject(cmd.run), { callback: (_err, m) => m.respond() });
  await ready.flush();
  const total = cmd.options.rounds ?? 100;
  log(`${fn}: run '${cmd.run}' on ${cmd.nats}, waiting for ${cmd.options.numClients} clients`);
  const t0 = performance.now();
  try {
    const result = await runServer(endpoint, {
      ...cmd.options,
      onRound: (r) => {
        const tag = r.round === total ? 'final' : `round ${r.round}/${total}`;
        log(
          `${tag}: val ${r.valAccuracy.toFixed(4)} test ${r.testAccuracy.toFixed(4)}` +
            ` aggregated [${r.aggregated.join(',')}] left out [${r.leftOut.join(',')}]`,
        );
      },
    });
    const json = {
      rounds: result.rounds,
      testAccuracy: result.testAccuracy,
      valAccuracy: result.valAccuracy,
      rejected: result.rejected,
      params: Object.fromEntries(
        Object.entries(result.params).map(([k, p]) => [k, { shape: p.shape, data: Array.from(p.data) }]),
      ),
      traffic: { ...endpoint.traffic },
      seconds: (performance.now() - t0) / 1000,
    };
    const text = `${JSON.stringify(json)}\n`;
    if (cmd.out === undefined) await writeStdout(text);
    else {
      try {
        await writeFile(cmd.out, text);
      } catch (error) {
        throw new LabInputError(fn, '--out', 'must be a writable file path', cmd.out, { cause: error });
      }
      log(`${fn}: wrote ${cmd.out}`);
    }
    log(
      `${fn}: test ${result.testAccuracy.toFixed(4)} val ${result.valAccuracy.toFixed(4)}, ${result.rejected.length} rejected`,
    );
  } finally {
    await ready.close();
    await endpoint.close();
  }
}

async function clientFile(fn: string, data: string, id: number | undefined): Promise<string> {
  let isDir: boolean;
  try {
    isDir = (await stat(data)).isDirectory();
  } catch (error) {
    throw new LabInputError(fn, '--data', 'must be an existing folder or .lfgc file', data, { cause: error });
  }
  if (!isDir) return data;
  if (id === undefined) throw new LabInputError(fn, '--id', 'is required when --data is a folder', data);
  return join(data, `client-${id}.lfgc`);
}

async function client(cmd: CliClientCommand): Promise<void> {
  const fn = 'lab-fed-graph client';
  const path = await clientFile(fn, cmd.data, cmd.id);
  const data = await loadClientData(path);
  if (cmd.id !== undefined && data.id !== cmd.id)
    throw new LabInputError(fn, '--id', `must match the id in ${path} (${data.id})`, cmd.id);
  const backend = await initBackend({ backend: cmd.backend });
  const endpoint = await connectNats(cmd.nats, data.id, { run: cmd.run });
  const t0 = performance.now();
  try {
    await waitForServer(fn, cmd.nats, cmd.run, cmd.timeoutMs ?? 600_000);
    const result = await runClient(
      endpoint,
      data,
      cmd.timeoutMs !== undefined ? { timeoutMs: cmd.timeoutMs } : {},
    );
    const sent = Object.entries(endpoint.traffic)
      .filter(([, b]) => b > 0)
      .map(([t, b]) => `${t} ${b}`)
      .join(', ');
    await writeStdout(
      `client ${data.id}/${data.numClients}: ${data.nodes.length} nodes, backend ${backend.backend}, ` +
        `${result.roundsTrained} rounds trained, ${result.rejected} messages rejected, ` +
        `bytes sent: ${sent}, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
  } finally {
    await endpoint.close();
  }
}

async function partition(cmd: CliPartitionCommand): Promise<void> {
  const graph = await loadGraphFolder(cmd.graph);
  const p = partitionGraph(graph, cmd.options);
  const paths = await savePartition(cmd.out, p);
  const s = p.stats;
  const rows = [
    '| client | nodes | train | val | test | local edges | cut edges |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...s.clients.map(
      (c) => `| ${c.id} | ${c.nodes} | ${c.train} | ${c.val} | ${c.test} | ${c.localEdges} | ${c.cutEdges} |`,
    ),
  ];
  await writeStdout(
    `${rows.join('\n')}\n\n${s.numNodes} nodes, ${s.numEdges} edges, ${s.cutEdges} cut ` +
      `(${(100 * s.cutShare).toFixed(1)}%), label skew ${s.labelSkew.toFixed(3)}; ` +
      `wrote ${paths.length - 1} client files and partition.json to ${cmd.out}\n`,
  );
}

async function main(argv: string[]): Promise<void> {
  const cmd = parseCli(argv);
  if (cmd.command === 'help') await writeStdout(cmd.text);
  else if (cmd.command === 'server') await server(cmd);
  else if (cmd.command === 'client') await client(cmd);
  else await partition(cmd);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof LabInputError || error instanceof LabFormatError) {
      log(error.message.split('\n')[0]!);
      process.exit(2);
    }
    log(`lab-fed-graph: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
