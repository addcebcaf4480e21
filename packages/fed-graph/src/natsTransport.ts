import { LabInputError, readOptions } from '@lab/core';
import { connect, type NatsConnection } from 'nats';
import { checkAddress, MailboxEndpoint, optionalFunction, type RejectHandler } from './mailboxEndpoint.js';
import type { Address } from './messages.js';
import type { Endpoint, Transport } from './transport.js';

/** Options of {@link connectNats}. */
export interface ConnectNatsOptions {
  /** Run id: every party of one federation uses the same (`[A-Za-z0-9_-]`, 1..64 chars). */
  run: string;
  /** Connect timeout, ms (default 10000). */
  connectTimeoutMs?: number;
  /** Reconnect attempts after a lost connection (default 10; -1 forever). */
  maxReconnectAttempts?: number;
  /** Called with the error and bytes of every received message that failed to decode (it is skipped). */
  onReject?: (error: unknown, bytes: Uint8Array) => void;
  /** Largest message accepted, bytes (default 64 MiB; the NATS server's `max_payload`, 1 MiB by default, also bounds what can be sent). */
  maxBytes?: number;
  /** Accept NaN/Inf payload values (default false). */
  allowNonFinite?: boolean;
}

/** How long close waits for queued messages to be flushed, ms. */
const CLOSE_GRACE_MS = 1000;

const RUN_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** The NATS subject a party listens on: `lab.fedgraph.<run>.<address>`. */
function subjectOf(run: string, address: Address): string {
  return `lab.fedgraph.${run}.${String(address)}`;
}

/**
 * Connects one party (the server or a client) to a NATS server: it subscribes to
 * `lab.fedgraph.<run>.<address>` and publishes each message, encoded with `encodeMessage`, to
 * the receiver's subject. Parties need to share only the URL and the run id, so they can be
 * separate processes on separate machines. Traffic counts the encoded bytes. When the connection
 * closes (by `close()`, or lost for good) pending and later `receive` calls resolve `undefined`;
 * while it is down, `receive` still returns after its timeout.
 *
 * NATS does not authenticate senders: the header's `from` is what the sender wrote (run the
 * server on a private NATS account or with NATS authorisation when that matters).
 *
 * @param url - NATS server URL, e.g. `nats://127.0.0.1:4222`.
 * @param address - this party: `'server'` or a client id.
 * @param options - {@link ConnectNatsOptions} (`run` is required).
 * @returns the connected endpoint.
 */
export async function connectNats(
  url: string,
  address: Address,
  options: ConnectNatsOptions,
): Promise<Endpoint> {
  const fn = 'connectNats';
  if (typeof url !== 'string' || url.length === 0)
    throw new LabInputError(fn, 'url', 'must be a NATS URL string', url);
  const a = checkAddress(fn, 'address', address);
  const o = readOptions(fn, options, [
    'run',
    'connectTimeoutMs',
    'maxReconnectAttempts',
    'onReject',
    'maxBytes',
    'allowNonFinite',
  ]);
  const run = o.string('run');
  if (!RUN_RE.test(run))
    throw new LabInputError(fn, 'options.run', 'must be 1..64 characters of [A-Za-z0-9_-]', run);
  const connectTimeoutMs = o.integer('connectTimeoutMs', 10000, { min: 1 });
  const maxReconnectAttempts = o.integer('maxReconnectAttempts', 10, { min: -1 });
  const settings = {
    maxBytes: o.integer('maxBytes', 64 * 1024 * 1024, { min: 24 }),
    allowNonFinite: o.boolean('allowNonFinite', false),
    onReject: optionalFunction(fn, 'options.onReject', o.raw('onReject')) as RejectHandler | undefined,
  };
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: url,
      timeout: connectTimeoutMs,
      maxReconnectAttempts,
      name: `fed-graph ${run} ${String(a)}`,
    });
  } catch (error) {
    throw new LabInputError(fn, 'url', `must reach a NATS server (${(error as Error).message})`, url, {
      cause: error,
    });
  }
  const endpoint = new MailboxEndpoint(
    fn,
    a,
    (bytes, message) => {
      try {
        nc.publish(subjectOf(run, message.to), bytes);
      } catch (error) {
        throw new LabInputError(
          `${fn} endpoint.send`,
          'message',
          `must be publishable (${(error as Error).message})`,
          bytes.length,
          {
            cause: error,
          },
        );
      }
    },
    settings,
    async () => {
      // drain flushes what was published; on a lost connection it would wait for a reconnect,
      // so it gets a bounded time before a plain close
      if (nc.isClosed()) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        nc.drain().catch(() => undefined),
        new Promise((r) => {
          timer = setTimeout(r, CLOSE_GRACE_MS);
        }),
      ]);
      clearTimeout(timer);
      if (!nc.isClosed()) await nc.close().catch(() => undefined);
    },
  );
  const sub = nc.subscribe(subjectOf(run, a));
  void (async () => {
    for await (const m of sub) endpoint.push(m.data);
  })().catch(() => undefined);
  void nc.closed().then(() => endpoint.shut());
  // make sure the subscription is registered before anyone sends to us
  await nc.flush();
  return endpoint;
}

/** Options of {@link createNatsTransport}: those of {@link connectNats}, shared by every party. */
export type NatsTransportOptions = ConnectNatsOptions;

/**
 * A {@link Transport} over one NATS server for parties in this process (tests, benchmarks): each
 * `connect(address)` is its own NATS connection through {@link connectNats}; `close()` closes them.
 *
 * @param url - NATS server URL.
 * @param options - {@link NatsTransportOptions} (`run` is required).
 * @returns the transport.
 */
export function createNatsTransport(url: string, options: NatsTransportOptions): Transport {
  readOptions('createNatsTransport', options, [
    'run',
    'connectTimeoutMs',
    'maxReconnectAttempts',
    'onReject',
    'maxBytes',
    'allowNonFinite',
  ]).string('run');
  const open: Endpoint[] = [];
  return {
    kind: 'nats',
    async connect(address: Address): Promise<Endpoint> {
      const e = await connectNats(url, address, options);
      open.push(e);
      return e;
    },
    async close(): Promise<void> {
      await Promise.all(open.splice(0).map((e) => e.close()));
    },
  };
}
