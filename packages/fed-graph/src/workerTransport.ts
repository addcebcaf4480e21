import { Worker } from 'node:worker_threads';
import { type InitBackendOptions, LabFormatError, LabInputError, readOptions } from '@lab/core';
import type { ClientData } from './clientData.js';
import { MailboxEndpoint, optionalFunction, type RejectHandler } from './mailboxEndpoint.js';
import { decodeMessage } from './messageCodec.js';
import { type Address, type FedMessage, MESSAGE_TYPES, type MessageType } from './messages.js';
import type { RunClientOptions, RunClientResult } from './runClient.js';
import type { Endpoint, Transport } from './transport.js';

// In the CommonJS build `import.meta` is empty and the module wrapper's `__dirname` is set.
declare const __dirname: string | undefined;

/** `workerClient` of the same build as this module (ESM `.js` or CommonJS `.cjs`). */
function defaultWorkerScript(): string | URL {
  const url = (import.meta as { url?: string }).url;
  if (typeof url === 'string') return new URL('./workerClient.js', url);
  return `${typeof __dirname === 'string' ? __dirname : '.'}/workerClient.cjs`;
}

/** Options of {@link createWorkerTransport}. */
export interface WorkerTransportOptions {
  /** One worker per entry; the worker's address is `clients[i].id`. */
  clients: readonly ClientData[];
  /** Passed to `runClient` in every worker (structured-cloned). */
  clientOptions?: RunClientOptions;
  /** Backend each worker initialises with `initBackend` before `runClient` (default `{}`: auto, wasm in Node). */
  backend?: InitBackendOptions;
  /**
   * The worker script (default: `dist/workerClient.js`, or `.cjs` from the CommonJS build, next
   * to this module, which runs `runClient`). Tests pass their own.
   */
  workerScript?: string | URL;
  /** Called with the error and bytes of every message that failed to route or decode (it is skipped). */
  onReject?: (error: unknown, bytes: Uint8Array) => void;
  /** Called for every message routed through the main thread, with its bytes and decoded form. */
  inspect?: (bytes: Uint8Array, message: FedMessage) => void;
  /** Largest message accepted, bytes (default 64 MiB). */
  maxBytes?: number;
  /** The server endpoint accepts NaN/Inf payload values (default false). */
  allowNonFinite?: boolean;
}

/** How one worker's client ended. */
export interface WorkerClientOutcome {
  /** Client id. */
  id: number;
  /** `runClient`'s result, when it finished. */
  result?: RunClientResult;
  /** The error message, when it threw or the worker died. */
  error?: string;
}

/** The {@link Transport} of {@link createWorkerTransport}. */
export interface WorkerTransport extends Transport {
  readonly kind: 'worker';
  /** Resolves when every worker has reported (or exited), in `clients` order. */
  readonly outcomes: Promise<WorkerClientOutcome[]>;
  /** Bytes each client has sent through the router, by message type. */
  trafficOf(id: number): Readonly<Record<MessageType, number>>;
}

/**
 * Runs every client in its own `node:worker_threads` Worker (each executing `runClient` over
 * the worker-side endpoint, see `connectWorkerParent`); the server endpoint lives in the calling
 * thread and is the only one `connect` hands out (`connect('server')`). Messages cross threads as
 * encoded bytes whose buffer is transferred; the main thread routes them by the header's `to`,
 * after checking that a worker's messages carry its own id as `from` (anything else goes to
 * `onReject`). `close()` terminates the workers.
 *
 * @param options - {@link WorkerTransportOptions}.
 * @returns the transport.
 */
export function createWorkerTransport(options: WorkerTransportOptions): WorkerTransport {
  const fn = 'createWorkerTransport';
  const o = readOptions(fn, options, [
    'clients',
    'clientOptions',
    'backend',
    'workerScript',
    'onReject',
    'inspect',
    'maxBytes',
    'allowNonFinite',
  ]);
  const clients = o.raw('clients');
  if (!Array.isArray(clients) || clients.length === 0) {
    throw new LabInputError(fn, 'options.clients', 'must be a non-empty array of ClientData', clients);
  }
  const ids = clients.map((c: ClientData, i: number) => {
    const id = (c as { id?: unknown } | null)?.id;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new LabInputError(fn, `options.clients[${i}].id`, 'must be an integer >= 0', id);
    }
    return id;
  });
  if (new Set(ids).size !== ids.length)
    throw new LabInputError(fn, 'options.clients', 'must have distinct ids', ids);
  const scriptRaw = o.raw('workerScript');
  if (scriptRaw !== undefined && typeof scriptRaw !== 'string' && !(scriptRaw instanceof URL)) {
    throw new LabInputError(fn, 'options.workerScript', 'must be a path or a file URL', scriptRaw);
  }
  const script = (scriptRaw as string | URL | undefined) ?? defaultWorkerScript();
  const onReject = optionalFunction(fn, 'options.onReject', o.raw('onReject')) as RejectHandler | undefined;
  const inspect = optionalFunction(
    fn,
    'options.inspect',
    o.raw('inspect'),
  ) as WorkerTransportOptions['inspect'];
  const settings = {
    maxBytes: o.integer('maxBytes', 64 * 1024 * 1024, { min: 24 }),
    allowNonFinite: o.boolean('allowNonFinite', false),
    onReject,
  };
  const clientOptions = o.raw('clientOptions');
  const backend = o.raw('backend');

  const traffic = new Map<number, Record<MessageType, number>>(
    ids.map((id) => [
      id,
      Object.fromEntries(MESSAGE_TYPES.map((t) => [t, 0])) as Record<MessageType, number>,
    ]),
  );
  const workers = new Map<number, Worker>();
  const early: Uint8Array[] = [];
  let server: MailboxEndpoint | undefined;

  const reject = (bytes: Uint8Array, expected: string, actual?: unknown) =>
    onReject?.(new LabFormatError(fn, 'message', { source: 'router' }, expected, actual), bytes);

  const route = (bytes: Uint8Array, sender: Address) => {
    let message: FedMessage;
    try {
      message = decodeMessage(bytes, { maxBytes: settings.maxBytes, allowNonFinite: true });
    } catch (error) {
      onReject?.(error, bytes);
      return;
    }
    if (message.from !== sender) {
      reject(bytes, `must carry its sender's address ${String(sender)} as 'from'`, message.from);
      return;
    }
    if (typeof sender === 'number') {
      const t = traffic.get(sender);
      if (t !== undefined) t[message.type] += bytes.length;
    }
    inspect?.(bytes, message);
    if (message.to === 'server') {
      if (server !== undefined) server.push(bytes);
      else early.push(bytes);
      return;
    }
    const w = workers.get(message.to);
    if (w === undefined) {
      reject(bytes, 'must be addressed to the server or a running client', message.to);
      return;
    }
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const out = own ? bytes : bytes.slice();
    w.postMessage(out, [out.buffer as ArrayBuffer]);
  };

  const outcomes = Promise.all(
    clients.map(
      (data: ClientData, i: number) =>
        new Promise<WorkerClientOutcome>((resolve) => {
          const id = ids[i] as number;
          const w = new Worker(script, { workerData: { address: id, data, clientOptions, backend } });
          workers.set(id, w);
          let outcome: WorkerClientOutcome | undefined;
          w.on('message', (value: unknown) => {
            if (value instanceof Uint8Array) route(value, id);
            else if (value !== null && typeof value === 'object' && 'kind' in value) {
              const v = value as { kind: string; result?: RunClientResult; message?: string };
              outcome =
                v.kind === 'done'
                  ? { id, result: v.result as RunClientResult }
                  : { id, error: String(v.message) };
            }
          });
          w.on('error', (error) => {
            outcome = { id, error: error instanceof Error ? error.message : String(error) };
          });
          w.on('exit', (code) => {
            workers.delete(id);
            resolve(outcome ?? (code === 0 ? { id } : { id, error: `worker exited with code ${code}` }));
          });
        }),
    ),
  );

  return {
    kind: 'worker',
    outcomes,
    trafficOf(id: number) {
      const t = traffic.get(id);
      if (t === undefined)
        throw new LabInputError(`${fn} trafficOf`, 'id', `must be one of ${ids.join(', ')}`, id);
      return t;
    },
    async connect(address: Address): Promise<Endpoint> {
      if (address !== 'server') {
        throw new LabInputError(
          `${fn} connect`,
          'address',
          "must be 'server' (client endpoints live in their workers)",
          address,
        );
      }
      if (server !== undefined)
        throw new LabInputError(`${fn} connect`, 'address', 'must not be connected already', address);
      const s = new MailboxEndpoint(fn, 'server', (bytes) => route(bytes, 'server'), settings);
      server = s;
      for (const b of early.splice(0)) s.push(b);
      return s;
    },
    async close(): Promise<void> {
      server?.shut();
      await Promise.all([...workers.values()].map((w) => w.terminate()));
      await outcomes;
    },
  };
}
