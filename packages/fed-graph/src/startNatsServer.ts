import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

/**
 * Whether `nats-server` is on PATH (Debian: `apt-get install -y nats-server`).
 *
 * @see Wu, Zhang, Li, Yang, Li, "Graph Federated Learning with Hidden Representation Sharing", arXiv 2212.12158.
 */
export function hasNatsServer(): boolean {
  try {
    execFileSync('nats-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A running nats-server started by {@link startNatsServer}. */
export interface NatsServerHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
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

/**
 * Starts a private `nats-server -a 127.0.0.1 -p PORT` on a free loopback port (or `port`) and
 * waits until it accepts connections (Node only; for local experiments, tests and benchmarks of
 * the NATS transport; a deployment runs its own server). `stop()` ends it.
 *
 * @throws Error when nats-server is missing, exits, or does not accept connections within 10 s.
 * @see Wu, Zhang, Li, Yang, Li, "Graph Federated Learning with Hidden Representation Sharing", arXiv 2212.12158.
 * @example
 * ```ts
 * if (hasNatsServer()) {
 *   const nats = await startNatsServer();
 *   const transport = createNatsTransport(nats.url, { run: 'doc' });
 *   const client = await transport.connect(0);
 *   await transport.close();
 *   await nats.stop();
 * }
 * ```
 */
export async function startNatsServer(port?: number): Promise<NatsServerHandle> {
  const p = port ?? (await freePort());
  const child: ChildProcess = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(p)], { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + 10000;
  while (!(await accepts(p))) {
    if (exited) throw new Error(`nats-server exited before accepting connections on port ${p}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nats-server did not accept connections on port ${p} within 10 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `nats://127.0.0.1:${p}`,
    port: p,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
