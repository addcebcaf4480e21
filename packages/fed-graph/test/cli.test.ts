// The lab-fed-graph command line: parseCli (pure) and, end to end, `partition`, one `server` and
// three `client` processes over a private nats-server, whose result must be bit-identical to the
// same federation in process. The end-to-end tests run the built CLI (`npx tsup` in
// packages/fed-graph first) and need nats-server (`apt-get install -y nats-server`); missing
// either skips them with this message.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng, initBackend, LabInputError, loadGraphFolder } from '@lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessTransport } from '../src/inProcessTransport.js';
import { parseCli } from '../src/parseCli.js';
import { partitionGraph } from '../src/partitionGraph.js';
import { runClient } from '../src/runClient.js';
import { type RunServerOptions, type RunServerResult, runServer } from '../src/runServer.js';
import { hasNatsServer, type NatsServerHandle, startNatsServer } from '../src/startNatsServer.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const cli = join(pkgDir, 'dist', 'cli.js');
const hasCli = existsSync(cli);
const hasNats = hasNatsServer();
if (!hasCli) console.warn('CLI process tests skipped: build first (cd packages/fed-graph && npx tsup)');
if (!hasNats)
  console.warn('CLI federation test skipped: nats-server missing (apt-get install -y nats-server)');

function inputError(argv: string[]): LabInputError {
  try {
    parseCli(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(LabInputError);
    return error as LabInputError;
  }
  throw new Error(`parseCli accepted ${JSON.stringify(argv)}`);
}

describe('parseCli', () => {
  const base = ['--nats', 'nats://127.0.0.1:4222', '--clients', '3'];

  it('reads the server flags into runServer options, leaving unset ones to its defaults', () => {
    expect(parseCli(['server', ...base])).toEqual({
      command: 'server',
      nats: 'nats://127.0.0.1:4222',
      run: 'default',
      options: { numClients: 3 },
    });
    const full = parseCli([
      '--',
      'server',
      ...base,
      '--rounds=7',
      '--local-steps',
      '2',
      '--refresh-every',
      '3',
      '--lr',
      '0.25',
      '--weight-decay',
      '0',
      '--dropout',
      '0.1',
      '--model',
      'appnp',
      '--hidden',
      '8',
      '--hops',
      '5',
      '--alpha',
      '0.2',
      '--estimator',
      'naive',
      '--client-fraction',
      '0.5',
      '--timeout-ms',
      '1000',
      '--seed',
      '-3',
      '--out',
      'r.json',
      '--run',
      'exp_1',
    ]);
    expect(full).toEqual({
      command: 'server',
      nats: 'nats://127.0.0.1:4222',
      run: 'exp_1',
      out: 'r.json',
      options: {
        numClients: 3,
        rounds: 7,
        localSteps: 2,
        refreshEvery: 3,
        lr: 0.25,
        weightDecay: 0,
        dropout: 0.1,
        estimator: 'naive',
        clientFraction: 0.5,
        timeoutMs: 1000,
        seed: -3,
        model: { kind: 'appnp', hidden: 8, hops: 5, alpha: 0.2 },
      },
    });
  });

  it('reads the client and partition flags', () => {
    expect(parseCli(['client', '--id', '2', '--data', 'parts', '--nats', 'nats://h:1'])).toEqual({
      command: 'client',
      nats: 'nats://h:1',
      run: 'default',
      id: 2,
      data: 'parts',
      backend: 'wasm',
    });
    expect(
      parseCli([
        'client',
        '--data',
        'p/client-1.lfgc',
        '--nats',
        'nats://h:1',
        '--backend',
        'cpu',
        '--timeout-ms',
        '5',
      ]),
    ).toEqual({
      command: 'client',
      nats: 'nats://h:1',
      run: 'default',
      data: 'p/client-1.lfgc',
      timeoutMs: 5,
      backend: 'cpu',
    });
    expect(
      parseCli([
        'partition',
        '--graph',
        'g',
        '--clients',
        '4',
        '--method',
        'dirichlet',
        '--alpha',
        '0.3',
        '--out',
        'o',
      ]),
    ).toEqual({
      command: 'partition',
      graph: 'g',
      out: 'o',
      options: { numClients: 4, method: 'dirichlet', alpha: 0.3, seed: 0 },
    });
  });

  it('returns the help text of the tool and of each command', () => {
    for (const argv of [['--help'], ['help'], ['-h']]) {
      const h = parseCli(argv);
      expect(h.command).toBe('help');
      expect(h.command === 'help' && h.text).toMatch(/server[\s\S]*client[\s\S]*partition/);
    }
    for (const c of ['server', 'client', 'partition']) {
      const h = parseCli([c, '--help']);
      expect(h.command === 'help' && h.text).toContain(`usage: lab-fed-graph ${c} `);
    }
    // --help wins over flags that would be rejected
    expect(parseCli(['server', '--rounds', 'x', '--help']).command).toBe('help');
    expect(parseCli(['partition', '-h']).command).toBe('help');
  });

  it('rejects every kind of bad argument with a LabInputError naming the flag', () => {
    const cases: [string[], string, RegExp][] = [
      [[], 'command', /must be one of server, client, partition/],
      [['serve'], 'command', /must be one of/],
      [['server', ...base, '--round', '3'], '--round', /is not a flag of 'lab-fed-graph server'/],
      [['server', ...base, '-r', '3'], '-r', /is not a flag/],
      [['server', '--clients', '3'], '--nats', /is required/],
      [
        ['server', '--nats', 'localhost:4222', '--clients', '3'],
        '--nats',
        /nats:\/\/.*; got "localhost:4222"/,
      ],
      [['server', ...base, '--rounds'], '--rounds', /must be followed by a value/],
      [['server', ...base, '--rounds', '2.5'], '--rounds', /integer >= 0; got "2.5"/],
      [['server', ...base, '--rounds', '1e3'], '--rounds', /integer/],
      [['server', ...base, '--rounds', '3', '--rounds', '4'], '--rounds', /at most once/],
      [['server', '--nats', 'nats://h:1', '--clients', '0'], '--clients', /integer >= 1; got "0"/],
      [['server', ...base, '--lr', '0'], '--lr', /number > 0; got "0"/],
      [['server', ...base, '--lr', 'abc'], '--lr', /number > 0/],
      [['server', ...base, '--lr', '0x10'], '--lr', /number > 0/],
      [['server', ...base, '--dropout', '1'], '--dropout', /in \[0, 1\); got "1"/],
      [['server', ...base, '--alpha', '0'], '--alpha', /in \(0, 1\]/],
      [['server', ...base, '--hops', '65'], '--hops', /in \[1, 64\]/],
      [['server', ...base, '--model', 'gat'], '--model', /one of gcn, appnp; got "gat"/],
      [
        ['server', ...base, '--estimator', 'fedavg'],
        '--estimator',
        /one of corrected, naive, dropped, local/,
      ],
      [['server', ...base, '--client-fraction', '1.5'], '--client-fraction', /in \(0, 1\]/],
      [['server', ...base, '--seed', 'abc'], '--seed', /integer/],
      [['server', ...base, '--run', 'a.b'], '--run', /\[A-Za-z0-9_-\]/],
      [['server', ...base, '--out', ''], '--out', /non-empty/],
      [['server', ...base, 'extra'], 'argv', /flags only.*; got "extra"/],
      [['server', ...base, '--help=yes'], '--help', /takes no value/],
      [['client', '--nats', 'nats://h:1'], '--data', /is required/],
      [['client', '--data', 'd', '--nats', 'nats://h:1', '--id', '-1'], '--id', /integer >= 0/],
      [
        ['client', '--data', 'd', '--nats', 'nats://h:1', '--backend', 'webgl'],
        '--backend',
        /one of wasm, cpu/,
      ],
      [
        ['partition', '--graph', 'g', '--clients', '0', '--method', 'random', '--out', 'o'],
        '--clients',
        />= 1/,
      ],
      [['partition', '--graph', 'g', '--clients', '2', '--out', 'o'], '--method', /is required/],
      [
        ['partition', '--graph', 'g', '--clients', '2', '--method', 'metis', '--out', 'o'],
        '--method',
        /louvain/,
      ],
      [
        ['partition', '--graph', 'g', '--clients', '2', '--method', 'random', '--alpha', '1', '--out', 'o'],
        '--alpha',
        /dirichlet only/,
      ],
      [
        [
          'partition',
          '--graph',
          'g',
          '--clients',
          '2',
          '--method',
          'dirichlet',
          '--alpha',
          '0',
          '--out',
          'o',
        ],
        '--alpha',
        /> 0/,
      ],
    ];
    for (const [argv, arg, message] of cases) {
      const e = inputError(argv);
      expect(e.arg, JSON.stringify(argv)).toBe(arg);
      expect(e.message, JSON.stringify(argv)).toContain(`argument '${arg}'`);
      expect(e.message, JSON.stringify(argv)).toMatch(message);
      expect(e.message).not.toContain('\n');
    }
    expect(inputError(['server', ...base, '--rounds', 'x']).fn).toBe('lab-fed-graph server');
  });
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], timeoutMs = 30_000): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: pkgDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lab-fed-graph ${args.join(' ')} timed out; stderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(!hasCli)('lab-fed-graph process (needs dist: npx tsup)', () => {
  it('exits 2 with one line naming the flag on bad input, 0 on --help', async () => {
    const bad = await run(['server', '--nats', 'nats://127.0.0.1:4222', '--clients', '3', '--lr', 'fast']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`lab-fed-graph server: argument '--lr' must be a number > 0; got "fast"\n`);
    const missing = await run([
      'client',
      '--data',
      join(pkgDir, 'no-such-dir'),
      '--nats',
      'nats://127.0.0.1:4222',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain("argument '--data'");
    const help = await run(['client', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: lab-fed-graph client');
  });
});

/** A small labelled graph in the graph-folder format (nodes.csv, edges.csv, features.txt, meta.json). */
async function writeToyFolder(dir: string): Promise<void> {
  const rng = createRng(21);
  const n = 45;
  const f = 10;
  const splits = ['train', 'val', 'test'];
  const nodes = ['id,label,split'];
  const features: string[] = [];
  for (let i = 0; i < n; i++) {
    nodes.push(`v${i},${rng.int(3)},${splits[i % 3]}`);
    const row: string[] = [];
    for (let j = 0; j < f; j++) if (rng.next() < 0.3) row.push(`${j}:${(rng.int(8) + 1) / 4}`);
    features.push(row.join(' '));
  }
  const edges = ['source,target'];
  const seen = new Set<string>();
  while (seen.size < 100) {
    const u = rng.int(n);
    const v = rng.int(n);
    if (u === v || seen.has(`${Math.min(u, v)},${Math.max(u, v)}`)) continue;
    seen.add(`${Math.min(u, v)},${Math.max(u, v)}`);
    edges.push(`v${Math.min(u, v)},v${Math.max(u, v)}`);
  }
  await writeFile(join(dir, 'nodes.csv'), `${nodes.join('\n')}\n`);
  await writeFile(join(dir, 'edges.csv'), `${edges.join('\n')}\n`);
  await writeFile(join(dir, 'features.txt'), `${features.join('\n')}\n`);
  await writeFile(join(dir, 'meta.json'), JSON.stringify({ name: 'toy', features: f, classes: 3 }));
}

const NUM_CLIENTS = 3;
const SETTINGS = {
  rounds: 2,
  localSteps: 2,
  seed: 4,
  timeoutMs: 20_000,
  model: { kind: 'gcn', hidden: 4 },
} satisfies Omit<RunServerOptions, 'numClients'>;

describe.skipIf(!hasCli || !hasNats)('N+1 processes over nats-server (needs dist and nats-server)', () => {
  let nats: NatsServerHandle;
  let dir: string;
  beforeAll(async () => {
    nats = await startNatsServer();
    dir = await mkdtemp(join(tmpdir(), 'lab-fed-graph-cli-'));
  });
  afterAll(async () => {
    await nats?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('partition, one server and three client processes give the in-process run bit for bit', async () => {
    const graphDir = join(dir, 'graph');
    const parts = join(dir, 'parts');
    const out = join(dir, 'result.json');
    await mkdir(graphDir);
    await writeToyFolder(graphDir);

    const p = await run([
      'partition',
      '--graph',
      graphDir,
      '--clients',
      '3',
      '--method',
      'random',
      '--seed',
      '5',
      '--out',
      parts,
    ]);
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/45 nodes, 100 edges/);

    // every process at once: the clients wait for the server's readiness answer
    const url = nats.url;
    const common = ['--nats', url, '--run', 'cli-e2e', '--timeout-ms', '20000'];
    const serverRun = run([
      'server',
      ...common,
      '--clients',
      '3',
      '--rounds',
      '2',
      '--local-steps',
      '2',
      '--seed',
      '4',
      '--model',
      'gcn',
      '--hidden',
      '4',
      '--out',
      out,
    ]);
    const clientRuns = [
      run(['client', '--id', '0', '--data', parts, ...common]),
      run(['client', '--data', join(parts, 'client-1.lfgc'), ...common]),
      run(['client', '--id', '2', '--data', join(parts, 'client-2.lfgc'), ...common, '--backend', 'wasm']),
    ];
    const [s, ...cs] = await Promise.all([serverRun, ...clientRuns]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).toMatch(/round 0\/2: val \d\.\d{4} test \d\.\d{4}/);
    expect(s.stderr).toMatch(/round 1\/2: /);
    expect(s.stderr).toMatch(/final: /);
    cs.forEach((c, k) => {
      expect(c.code, c.stderr).toBe(0);
      expect(c.stdout).toMatch(new RegExp(`^client ${k}/3: .*2 rounds trained, 0 messages rejected`));
    });

    const got = JSON.parse(await readFile(out, 'utf8')) as {
      rounds: RunServerResult['rounds'];
      testAccuracy: number;
      valAccuracy: number;
      rejected: RunServerResult['rejected'];
      params: Record<string, { shape: number[]; data: number[] }>;
      traffic: Record<string, number>;
    };

    // the same federation in this process
    await initBackend();
    const graph = await loadGraphFolder(graphDir);
    const { clients } = partitionGraph(graph, { numClients: NUM_CLIENTS, method: 'random', seed: 5 });
    const transport = createInProcessTransport();
    const server = await transport.connect('server');
    const endpoints = await Promise.all(clients.map((c) => transport.connect(c.id)));
    const runs = clients.map((c, i) => runClient(endpoints[i]!, c, { timeoutMs: 20_000 }));
    const reference = await runServer(server, { numClients: NUM_CLIENTS, ...SETTINGS });
    await Promise.all(runs);
    const traffic = { ...server.traffic };
    await transport.close();

    expect(got.rejected).toEqual([]);
    expect(got.rounds).toEqual(reference.rounds);
    expect(got.testAccuracy).toBe(reference.testAccuracy);
    expect(got.valAccuracy).toBe(reference.valAccuracy);
    expect(Object.keys(got.params)).toEqual(Object.keys(reference.params));
    for (const [k, ref] of Object.entries(reference.params)) {
      expect(got.params[k]!.shape).toEqual(ref.shape);
      const data = Float32Array.from(got.params[k]!.data);
      expect(Buffer.from(data.buffer)).toEqual(Buffer.from(ref.data.buffer));
    }
    // same bytes on the wire, whatever carries them
    expect(got.traffic).toEqual(traffic);
  }, 40_000);
});
