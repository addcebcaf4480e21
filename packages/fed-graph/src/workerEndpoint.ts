import { parentPort, workerData } from 'node:worker_threads';
import { LabInputError, readOptions } from '@lab/core';
import { checkAddress, MailboxEndpoint, optionalFunction, type RejectHandler } from './mailboxEndpoint.js';
import type { Address } from './messages.js';
import type { Endpoint } from './transport.js';

/** Options of {@link connectWorkerParent}. */
export interface ConnectWorkerParentOptions {
  /** This party's address (default `workerData.address`, set by `createWorkerTransport`). */
  address?: Address;
  /** Called with the error and bytes of every received message that failed to decode. */
  onReject?: (error: unknown, bytes: Uint8Array) => void;
  /** Largest message accepted, bytes (default 64 MiB). */
  maxBytes?: number;
  /** Accept NaN/Inf payload values (default false). */
  allowNonFinite?: boolean;
}

/**
 * The worker-side endpoint of `createWorkerTransport`: call it inside a worker thread started by
 * that transport. Messages cross to the main thread (which routes them) as encoded bytes whose
 * `ArrayBuffer` is transferred, not copied. Closing the endpoint stops listening, so the worker
 * can exit.
 *
 * @param options - {@link ConnectWorkerParentOptions}.
 * @returns the endpoint of this worker's party.
 */
export function connectWorkerParent(options?: ConnectWorkerParentOptions): Endpoint {
  const fn = 'connectWorkerParent';
  const o = readOptions(fn, options, ['address', 'onReject', 'maxBytes', 'allowNonFinite']);
  const port = parentPort;
  if (port === null)
    throw new LabInputError(fn, 'parentPort', 'must exist: call this inside a worker thread');
  const data = workerData as { address?: unknown } | null | undefined;
  const address = checkAddress(fn, 'options.address', o.has('address') ? o.raw('address') : data?.address);
  const settings = {
    maxBytes: o.integer('maxBytes', 64 * 1024 * 1024, { min: 24 }),
    allowNonFinite: o.boolean('allowNonFinite', false),
    onReject: optionalFunction(fn, 'options.onReject', o.raw('onReject')) as RejectHandler | undefined,
  };
  const listener = (value: unknown) => {
    if (value instanceof Uint8Array) endpoint.push(value);
  };
  const endpoint = new MailboxEndpoint(
    fn,
    address,
    (bytes) => port.postMessage(bytes, [bytes.buffer as ArrayBuffer]),
    settings,
    () => {
      port.off('message', listener);
    },
  );
  port.on('message', listener);
  return endpoint;
}
