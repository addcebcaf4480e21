// `--transport nats`: the server and every client as separate OS processes (the package's
// `lab-fed-graph` CLI) that share only a NATS URL, through a private local nats-server.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createConnection, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { type RunServerResult, savePartition } from '@lab/fed-graph';
import type { FederateSpec } from './federate.js';

/** Whether `nats-server` is on PATH (Debian: `apt-get install -y nats-server`). */
export function hasNatsServer(): boolean {
  try {
    execFileSync('nats-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ host: '127.0.0.1', port });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** Starts a private nats-server on a free loopback port; `stop()` ends it. */
export async function startNatsServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nats-server did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

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
