import { LabInputError, readOptions } from '@lab/core';
import { checkAddress, MailboxEndpoint, optionalFunction, type RejectHandler } from './mailboxEndpoint.js';
import { decodeMessage } from './messageCodec.js';
import type { Address, FedMessage } from './messages.js';
import type { Endpoint, Transport } from './transport.js';

/** Options of {@link createInProcessTransport}. */
export interface InProcessTransportOptions {
  /** Called with the error and bytes of every received message that failed to decode (it is skipped). */
  onReject?: (error: unknown, bytes: Uint8Array) => void;
  /**
   * Called for every message put on the wire, with its bytes and the message decoded from those
   * bytes (what the receiver will see): the privacy test's tap.
   */
  inspect?: (bytes: Uint8Array, message: FedMessage) => void;
  /** Largest message a receiver accepts, bytes (default 64 MiB; see `decodeMessage`). */
  maxBytes?: number;
  /** Receivers accept NaN/Inf payload values (default false). */
  allowNonFinite?: boolean;
}

/** The {@link Transport} of {@link createInProcessTransport}, with a test hook to lose a party. */
export interface InProcessTransport extends Transport {
  readonly kind: 'in-process';
  /**
   * Makes the endpoint at `address` vanish (a client that disconnects mid-round): it drops every
   * message sent to it or by it from now on, and its pending `receive` calls resolve `undefined`.
   */
  disconnect(address: Address): void;
}

/**
 * A transport whose parties live in one thread: one FIFO queue per address. Every message is
 * encoded with `encodeMessage` and the bytes are delivered (so traffic counts are real bytes and
 * a message that would not survive the wire fails here too); receivers decode them. Deterministic:
 * delivery is synchronous and no timer runs except `receive` timeouts.
 *
 * @param options - {@link InProcessTransportOptions}.
 * @returns the transport; `connect(address)` once per party.
 * @example
 * ```ts
 * const transport = createInProcessTransport();
 * const server = await transport.connect('server');
 * const client = await transport.connect(0);
 * await client.send({ type: 'hello', round: 0, from: 0, to: 'server', phase: 0, step: 0, payload: [] });
 * const m = await server.receive(1000);
 * if (m?.type !== 'hello' || client.traffic.hello !== 24) throw new Error('delivered, 24 bytes');
 * await transport.close();
 * ```
 */
export function createInProcessTransport(options?: InProcessTransportOptions): InProcessTransport {
  const fn = 'createInProcessTransport';
  const o = readOptions(fn, options, ['onReject', 'inspect', 'maxBytes', 'allowNonFinite']);
  const onReject = optionalFunction(fn, 'options.onReject', o.raw('onReject')) as RejectHandler | undefined;
  const inspect = optionalFunction(
    fn,
    'options.inspect',
    o.raw('inspect'),
  ) as InProcessTransportOptions['inspect'];
  const settings = {
    maxBytes: o.integer('maxBytes', 64 * 1024 * 1024, { min: 24 }),
    allowNonFinite: o.boolean('allowNonFinite', false),
    onReject,
  };
  const endpoints = new Map<Address, MailboxEndpoint>();
  /** Bytes sent to an address that has not connected yet wait here. */
  const early = new Map<Address, Uint8Array[]>();
  const gone = new Set<Address>();

  const deliver = (bytes: Uint8Array, message: FedMessage) => {
    if (inspect !== undefined)
      inspect(bytes, decodeMessage(bytes, { maxBytes: Number.MAX_SAFE_INTEGER, allowNonFinite: true }));
    const to = message.to;
    if (gone.has(to)) return;
    const target = endpoints.get(to);
    if (target !== undefined) target.push(bytes);
    else {
      const list = early.get(to) ?? [];
      list.push(bytes);
      early.set(to, list);
    }
  };

  return {
    kind: 'in-process',
    async connect(address: Address): Promise<Endpoint> {
      const a = checkAddress(fn, 'address', address);
      if (endpoints.has(a) || gone.has(a)) {
        throw new LabInputError(`${fn} connect`, 'address', 'must not be connected already', a);
      }
      const endpoint = new MailboxEndpoint(fn, a, deliver, settings, () => {
        endpoints.delete(a);
        gone.add(a);
      });
      endpoints.set(a, endpoint);
      for (const bytes of early.get(a) ?? []) endpoint.push(bytes);
      early.delete(a);
      return endpoint;
    },
    disconnect(address: Address): void {
      const a = checkAddress(fn, 'address', address);
      gone.add(a);
      early.delete(a);
      endpoints.get(a)?.shut();
    },
    async close(): Promise<void> {
      for (const e of [...endpoints.values()]) await e.close();
      early.clear();
    },
  };
}
