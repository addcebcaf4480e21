import { parseArgs } from 'node:util';
import { LabInputError } from '@lab/core';
import type { PartitionGraphOptions, PartitionMethod } from './partitionGraph.js';
import type { Estimator } from './protocolSettings.js';
import type { RunServerOptions } from './runServer.js';

/** `lab-fed-graph server ...`: the server role over NATS. */
export interface CliServerCommand {
  command: 'server';
  /** NATS server URL. */
  nats: string;
  /** Run id shared by every party (the NATS subjects are `lab.fedgraph.<run>.<address>`). */
  run: string;
  /** Where the JSON result goes; `undefined`: stdout. */
  out?: string;
  /** The settings for `runServer` (only the flags given; the rest are `runServer`'s defaults). */
  options: Omit<RunServerOptions, 'onRound' | 'rng'>;
}

/** `lab-fed-graph client ...`: one client role over NATS. */
export interface CliClientCommand {
  command: 'client';
  nats: string;
  run: string;
  /** Client id (required when `data` is a folder). */
  id?: number;
  /** A folder written by `savePartition`, or one `client-<id>.lfgc` file. */
  data: string;
  /** `runClient`'s `timeoutMs` (also how long to wait for the server to come up). */
  timeoutMs?: number;
  backend: 'wasm' | 'cpu';
}

/** `lab-fed-graph partition ...`: split a graph folder into client files. */
export interface CliPartitionCommand {
  command: 'partition';
  /** Graph folder (`loadGraphFolder` format). */
  graph: string;
  /** Destination folder for `savePartition`. */
  out: string;
  options: PartitionGraphOptions;
}

/** `--help` of the tool or of one command: print `text` and exit 0. */
interface CliHelp {
  command: 'help';
  text: string;
}

/** What {@link parseCli} understood. */
export type CliCommand = CliServerCommand | CliClientCommand | CliPartitionCommand | CliHelp;

type Kind =
  | { type: 'int'; min: number; max?: number }
  | { type: 'num'; min: number; max?: number; openMin?: boolean; openMax?: boolean }
  | { type: 'enum'; choices: readonly string[] }
  | { type: 'str' }
  | { type: 'url' }
  | { type: 'run' };

interface Flag {
  name: string;
  kind: Kind;
  meta: string;
  help: string;
  required?: boolean;
}

const TOOL = 'lab-fed-graph';
const RUN_RE = /^[A-Za-z0-9_-]{1,64}$/;
const DEFAULT_RUN = 'default';

const NATS: Flag = {
  name: 'nats',
  kind: { type: 'url' },
  meta: 'URL',
  help: 'NATS server URL, e.g. nats://127.0.0.1:4222',
  required: true,
};
const RUN: Flag = {
  name: 'run',
  kind: { type: 'run' },
  meta: 'ID',
  help: `run id shared by the server and its clients ([A-Za-z0-9_-], 1..64; default '${DEFAULT_RUN}')`,
};
const SEED: Flag = {
  name: 'seed',
  kind: { type: 'int', min: -(2 ** 52), max: 2 ** 52 },
  meta: 'S',
  help: 'seed (decimal integer; default 0)',
};

const FLAGS = {
  server: [
    NATS,
    {
      name: 'clients',
      kind: { type: 'int', min: 1 },
      meta: 'N',
      help: 'clients that will join',
      required: true,
    },
    { name: 'rounds', kind: { type: 'int', min: 0 }, meta: 'R', help: 'communication rounds (default 100)' },
    {
      name: 'local-steps',
      kind: { type: 'int', min: 1 },
      meta: 'E',
      help: 'local SGD steps per round (default 3)',
    },
    {
      name: 'refresh-every',
      kind: { type: 'int', min: 1 },
      meta: 'P',
      help: 'rounds between exchanges of representations (default 1)',
    },
    {
      name: 'lr',
      kind: { type: 'num', min: 0, openMin: true },
      meta: 'X',
      help: 'SGD learning rate (default 0.5)',
    },
    {
      name: 'weight-decay',
      kind: { type: 'num', min: 0 },
      meta: 'X',
      help: 'L2 penalty on W1 (default 5e-4)',
    },
    {
      name: 'dropout',
      kind: { type: 'num', min: 0, max: 1, openMax: true },
      meta: 'X',
      help: 'hidden-layer dropout (default 0.5)',
    },
    {
      name: 'model',
      kind: { type: 'enum', choices: ['gcn', 'appnp'] },
      meta: 'gcn|appnp',
      help: 'default gcn',
    },
    { name: 'hidden', kind: { type: 'int', min: 1 }, meta: 'H', help: 'hidden units (default 16)' },
    {
      name: 'hops',
      kind: { type: 'int', min: 1, max: 64 },
      meta: 'K',
      help: 'APPNP propagation steps (default 10)',
    },
    {
      name: 'alpha',
      kind: { type: 'num', min: 0, max: 1, openMin: true },
      meta: 'A',
      help: 'APPNP teleport probability (default 0.1)',
    },
    {
      name: 'estimator',
      kind: { type: 'enum', choices: ['corrected', 'naive', 'dropped', 'local'] },
      meta: 'corrected|naive|dropped|local',
      help: 'default corrected',
    },
    {
      name: 'client-fraction',
      kind: { type: 'num', min: 0, max: 1, openMin: true },
      meta: 'F',
      help: 'share of clients sampled to train each round (default 1)',
    },
    {
      name: 'timeout-ms',
      kind: { type: 'int', min: 1 },
      meta: 'T',
      help: 'wait per phase, including the join (default 30000)',
    },
    SEED,
    {
      name: 'out',
      kind: { type: 'str' },
      meta: 'FILE.json',
      help: 'write the result here (default: stdout)',
    },
    RUN,
  ],
  client: [
    {
      name: 'id',
      kind: { type: 'int', min: 0 },
      meta: 'K',
      help: 'client id (required when --data is a folder)',
    },
    {
      name: 'data',
      kind: { type: 'str' },
      meta: 'DIR|FILE',
      help: 'folder written by `partition` (then client-<K>.lfgc is read) or one .lfgc file',
      required: true,
    },
    NATS,
    {
      name: 'timeout-ms',
      kind: { type: 'int', min: 1 },
      meta: 'T',
      help: 'wait for the server, and for each of its messages (default 600000)',
    },
    {
      name: 'backend',
      kind: { type: 'enum', choices: ['wasm', 'cpu'] },
      meta: 'wasm|cpu',
      help: 'default wasm',
    },
    RUN,
  ],
  partition: [
    {
      name: 'graph',
      kind: { type: 'str' },
      meta: 'DIR',
      help: 'graph folder (nodes.csv, edges.csv, features.txt)',
      required: true,
    },
    { name: 'clients', kind: { type: 'int', min: 1 }, meta: 'N', help: 'number of clients (1: the centralised baseline)', required: true },
    {
      name: 'method',
      kind: { type: 'enum', choices: ['louvain', 'random', 'dirichlet'] },
      meta: 'louvain|random|dirichlet',
      help: 'how nodes are assigned',
      required: true,
    },
    {
      name: 'alpha',
      kind: { type: 'num', min: 0, openMin: true },
      meta: 'A',
      help: 'Dirichlet concentration (dirichlet only; default 0.5)',
    },
    SEED,
    { name: 'out', kind: { type: 'str' }, meta: 'DIR', help: 'destination folder', required: true },
  ],
} satisfies Record<string, Flag[]>;

type CommandName = keyof typeof FLAGS;

const SUMMARY: Record<CommandName, string> = {
  server: 'run the server role over NATS; one progress line per round on stderr, the result as JSON',
  client: "run one client role over NATS with that client's data file",
  partition: 'split a graph folder into one client-<id>.lfgc file per client (savePartition)',
};

function usage(): string {
  const lines = [
    `usage: ${TOOL} <command> [flags]    (${TOOL} <command> --help for its flags)`,
    '',
    'commands:',
  ];
  for (const c of Object.keys(FLAGS) as CommandName[]) lines.push(`  ${c.padEnd(10)} ${SUMMARY[c]}`);
  return `${lines.join('\n')}\n`;
}

function commandUsage(c: CommandName): string {
  const flags = FLAGS[c] as Flag[];
  const synopsis = flags
    .map((f) => (f.required ? `--${f.name} ${f.meta}` : `[--${f.name} ${f.meta}]`))
    .join(' ');
  const lines = [`usage: ${TOOL} ${c} ${synopsis}`, '', SUMMARY[c], '', 'flags:'];
  for (const f of flags) lines.push(`  --${`${f.name} ${f.meta}`.padEnd(26)} ${f.help}`);
  lines.push(`  --${'help'.padEnd(26)} this text`);
  return `${lines.join('\n')}\n`;
}

function describeKind(k: Kind): string {
  switch (k.type) {
    case 'int':
      return k.max === undefined
        ? `must be an integer >= ${k.min}`
        : `must be an integer in [${k.min}, ${k.max}]`;
    case 'num': {
      if (k.max === undefined) return `must be a number ${k.openMin ? '>' : '>='} ${k.min}`;
      return `must be a number in ${k.openMin ? '(' : '['}${k.min}, ${k.max}${k.openMax ? ')' : ']'}`;
    }
    case 'enum':
      return `must be one of ${k.choices.join(', ')}`;
    case 'str':
      return 'must be a non-empty string';
    case 'url':
      return 'must be a nats:// (or tls://, ws://) URL';
    case 'run':
      return 'must be 1..64 characters of [A-Za-z0-9_-]';
  }
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function convert(fn: string, f: Flag, text: string): string | number {
  const k = f.kind;
  const bad = () => new LabInputError(fn, `--${f.name}`, describeKind(k), text);
  switch (k.type) {
    case 'int': {
      const x = Number(text);
      if (
        !/^[+-]?\d+$/.test(text) ||
        !Number.isSafeInteger(x) ||
        x < k.min ||
        (k.max !== undefined && x > k.max)
      )
        throw bad();
      return x;
    }
    case 'num': {
      const x = Number(text);
      const tooLow = k.openMin ? x <= k.min : x < k.min;
      const tooHigh = k.max !== undefined && (k.openMax ? x >= k.max : x > k.max);
      if (!DECIMAL.test(text) || !Number.isFinite(x) || tooLow || tooHigh) throw bad();
      return x;
    }
    case 'enum':
      if (!k.choices.includes(text)) throw bad();
      return text;
    case 'str':
      if (text === '') throw bad();
      return text;
    case 'url':
      if (!/^(nats|tls|ws|wss):\/\/[^\s]+$/.test(text)) throw bad();
      return text;
    case 'run':
      if (!RUN_RE.test(text)) throw bad();
      return text;
  }
}

/** Flag values by name, converted and checked; `help` when `--help` was given. */
function readFlags(c: CommandName, args: string[]): Map<string, string | number> | 'help' {
  const fn = `${TOOL} ${c}`;
  const flags = FLAGS[c] as Flag[];
  const byName = new Map(flags.map((f) => [f.name, f]));
  // non-strict parse, so every mistake is reported here, naming the flag
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const f of flags) options[f.name] = { type: 'string' };
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const values = new Map<string, string | number>();
  // --help wins over any other mistake on the line
  if (
    tokens.some(
      (t) => t.kind === 'option' && (t.rawName === '--help' || t.rawName === '-h') && t.value === undefined,
    )
  )
    return 'help';
  const known = `one of ${flags.map((f) => `--${f.name}`).join(', ')}, --help`;
  for (const t of tokens) {
    if (t.kind === 'option-terminator')
      throw new LabInputError(fn, 'argv', 'must not contain a bare --', '--');
    if (t.kind === 'positional') {
      throw new LabInputError(fn, 'argv', `must contain flags only (${known})`, t.value);
    }
    if (t.name === 'help' && t.rawName === '--help') {
      throw new LabInputError(fn, '--help', 'takes no value', t.value);
    }
    const f = t.rawName.startsWith('--') ? byName.get(t.name) : undefined;
    if (f === undefined) throw new LabInputError(fn, t.rawName, `is not a flag of '${fn}': must be ${known}`);
    if (values.has(f.name)) throw new LabInputError(fn, `--${f.name}`, 'must be given at most once');
    if (t.value === undefined) {
      throw new LabInputError(
        fn,
        `--${f.name}`,
        `must be followed by a value (${f.meta}): ${describeKind(f.kind)}`,
      );
    }
    values.set(f.name, convert(fn, f, t.value));
  }
  for (const f of flags) {
    if (f.required && !values.has(f.name))
      throw new LabInputError(fn, `--${f.name}`, `is required (${f.meta}): ${f.help}`);
  }
  return values;
}

/**
 * Parses the command line of the `lab-fed-graph` tool (`process.argv.slice(2)`) without side
 * effects: the command (`server`, `client`, `partition`) and its flags, converted and range
 * checked, or `help` with the text to print. A leading `--` (as pnpm forwards) is dropped.
 *
 * @param argv - the arguments after the script name.
 * @returns the command to run.
 * @throws LabInputError naming the flag and what it must be: an unknown command or flag, a missing
 *   required flag or value, a repeated flag, a positional argument, or a value out of range.
 */
export function parseCli(argv: readonly string[]): CliCommand {
  if (!Array.isArray(argv) || argv.some((a) => typeof a !== 'string'))
    throw new LabInputError('parseCli', 'argv', 'must be an array of strings', argv);
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const [first, ...rest] = args;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    if (first === undefined)
      throw new LabInputError(TOOL, 'command', `must be one of ${Object.keys(FLAGS).join(', ')}`);
    return { command: 'help', text: usage() };
  }
  if (!Object.hasOwn(FLAGS, first))
    throw new LabInputError(
      TOOL,
      'command',
      `must be one of ${Object.keys(FLAGS).join(', ')} (or --help)`,
      first,
    );
  const c = first as CommandName;
  const v = readFlags(c, rest);
  if (v === 'help') return { command: 'help', text: commandUsage(c) };
  const str = (name: string) => v.get(name) as string;
  const num = (name: string) => v.get(name) as number;
  if (c === 'server') {
    const options: CliServerCommand['options'] = { numClients: num('clients') };
    const plain: [
      string,
      'rounds' | 'localSteps' | 'refreshEvery' | 'lr' | 'weightDecay' | 'dropout' | 'clientFraction' | 'timeoutMs' | 'seed',
    ][] = [
      ['rounds', 'rounds'],
      ['local-steps', 'localSteps'],
      ['refresh-every', 'refreshEvery'],
      ['lr', 'lr'],
      ['weight-decay', 'weightDecay'],
      ['dropout', 'dropout'],
      ['client-fraction', 'clientFraction'],
      ['timeout-ms', 'timeoutMs'],
      ['seed', 'seed'],
    ];
    for (const [flag, key] of plain) if (v.has(flag)) options[key] = num(flag);
    if (v.has('estimator')) options.estimator = str('estimator') as Estimator;
    const model: NonNullable<RunServerOptions['model']> = {};
    if (v.has('model')) model.kind = str('model') as 'gcn' | 'appnp';
    if (v.has('hidden')) model.hidden = num('hidden');
    if (v.has('hops')) model.hops = num('hops');
    if (v.has('alpha')) model.alpha = num('alpha');
    if (Object.keys(model).length > 0) options.model = model;
    return {
      command: 'server',
      nats: str('nats'),
      run: v.has('run') ? str('run') : DEFAULT_RUN,
      ...(v.has('out') ? { out: str('out') } : {}),
      options,
    };
  }
  if (c === 'client') {
    return {
      command: 'client',
      nats: str('nats'),
      run: v.has('run') ? str('run') : DEFAULT_RUN,
      ...(v.has('id') ? { id: num('id') } : {}),
      data: str('data'),
      ...(v.has('timeout-ms') ? { timeoutMs: num('timeout-ms') } : {}),
      backend: v.has('backend') ? (str('backend') as 'wasm' | 'cpu') : 'wasm',
    };
  }
  const method = str('method') as PartitionMethod;
  if (v.has('alpha') && method !== 'dirichlet')
    throw new LabInputError(`${TOOL} partition`, '--alpha', 'applies to --method dirichlet only', method);
  return {
    command: 'partition',
    graph: str('graph'),
    out: str('out'),
    options: {
      numClients: num('clients'),
      method,
      ...(v.has('alpha') ? { alpha: num('alpha') } : {}),
      seed: v.has('seed') ? num('seed') : 0,
    },
  };
}
