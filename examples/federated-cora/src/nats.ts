// `--transport nats`: the server and every client as separate OS processes (the package's
// `lab-fed-graph` CLI) that share only a NATS URL, through a private local nats-server.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type RunServerResult, savePartition } from '@lab/fed-graph';
import type { FederateSpec } from './federate.js';

/** `dist/cli.js` of the installed @lab/fed-graph. */
function cliPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@lab/fed-graph/package.json')), 'dist', 'cli.js');
}

function wait(child: ChildProcess, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${name} exited with ${code}: ${err.trim()}`)),
    );
  });
}

let runCounter = 0;

/** Runs `spec` as 1 + N processes over the NATS server at `nats.url`; returns the server's result. */
export async function runOverNats(
  spec: FederateSpec,
  nats: { url: string; workDir: string },
): Promise<RunServerResult> {
  const run = `fc${process.pid}x${runCounter++}`;
  const dir = join(nats.workDir, run);
  await mkdir(dir, { recursive: true });
  await savePartition(dir, spec.partition);
  const cli = cliPath();
  const out = join(dir, 'server.json');
  const server = spawn(
    process.execPath,
    [
      cli,
      'server',
      '--nats',
      nats.url,
      '--run',
      run,
      '--clients',
      String(spec.partition.clients.length),
      '--rounds',
      String(spec.rounds),
      '--local-steps',
      String(spec.localSteps),
      '--lr',
      String(spec.lr),
      '--estimator',
      spec.estimator,
      '--seed',
      String(spec.seed),
      ...(spec.refreshEvery !== undefined && spec.refreshEvery > 1 ? ['--refresh-every', String(spec.refreshEvery)] : []),
      '--out',
      out,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const clients = spec.partition.clients.map((c) =>
    spawn(process.execPath, [cli, 'client', '--id', String(c.id), '--data', dir, '--nats', nats.url, '--run', run], {
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  await Promise.all([wait(server, 'server'), ...clients.map((c, i) => wait(c, `client ${i}`))]);
  const json = JSON.parse(await readFile(out, 'utf8')) as RunServerResult & {
    params: Record<string, { shape: number[]; data: number[] }>;
  };
  await rm(dir, { recursive: true, force: true });
  const params: RunServerResult['params'] = {};
  for (const [k, p] of Object.entries(json.params)) params[k] = { shape: p.shape, data: Float32Array.from(p.data) };
  return { ...json, params };
}
