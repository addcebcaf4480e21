import { LabInputError } from '@lab/core';
import { decodeMessage, encodeMessage } from './messageCodec.js';
import { type Address, type FedMessage, MESSAGE_TYPES, type MessageType } from './messages.js';
import type { Endpoint } from './transport.js';

/** Called with the error and the bytes of every received message that failed to decode. */
export type RejectHandler = (error: unknown, bytes: Uint8Array) => void;

/** Checks an address (`'server'` or an integer client id >= 0) and returns it. */
export function checkAddress(fn: string, arg: string, address: unknown): Address {
  if (address === 'server') return address;
  if (typeof address === 'number' && Number.isInteger(address) && address >= 0 && address <= 0x7fffffff) {
    return address;
  }
  throw new LabInputError(fn, arg, "must be 'server' or an integer client id >= 0", address);
}

/** Settings shared by the endpoints of every transport. */
export interface MailboxSettings {
  maxBytes: number;
  allowNonFinite: boolean;
  onReject: RejectHandler | undefined;
}

/**
 * The endpoint machinery every transport shares (internal): a FIFO of received byte strings with
 * waiting `receive` calls, decoding on receive (failures go to `onReject` and are skipped), and
 * traffic counting on send. `deliver` puts the encoded bytes on the wire.
 */
export class MailboxEndpoint implements Endpoint {
  readonly address: Address;
  readonly traffic: Record<MessageType, number>;
  #queue: Uint8Array[] = [];
  #waiters: ((bytes: Uint8Array | undefined) => void)[] = [];
  #closed = false;
  readonly #deliver: (bytes: Uint8Array, message: FedMessage) => void | Promise<void>;
  readonly #settings: MailboxSettings;
  readonly #onClose: (() => void | Promise<void>) | undefined;
  readonly #fn: string;

  constructor(
    fn: string,
    address: Address,
    deliver: (bytes: Uint8Array, message: FedMessage) => void | Promise<void>,
    settings: MailboxSettings,
    onClose?: () => void | Promise<void>,
  ) {
    this.#fn = fn;
    this.address = address;
    this.#deliver = deliver;
    this.#settings = settings;
    this.#onClose = onClose;
    this.traffic = Object.fromEntries(MESSAGE_TYPES.map((t) => [t, 0])) as Record<MessageType, number>;
  }

  /** True once closed (or disconnected). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Puts received bytes in the queue (dropped when closed). */
  push(bytes: Uint8Array): void {
    if (this.#closed) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter(bytes);
    else this.#queue.push(bytes);
  }

  async send(message: FedMessage): Promise<void> {
    const bytes = encodeMessage(message);
    if (message.from !== this.address) {
      throw new LabInputError(
        `${this.#fn} endpoint.send`,
        'message.from',
        `must be this endpoint's address (${String(this.address)})`,
        message.from,
      );
    }
    if (this.#closed) return;
    this.traffic[message.type] += bytes.length;
    await this.#deliver(bytes, message);
  }

  async receive(timeoutMs?: number): Promise<FedMessage | undefined> {
    if (
      timeoutMs !== undefined &&
      (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0)
    ) {
      throw new LabInputError(
        `${this.#fn} endpoint.receive`,
        'timeoutMs',
        'must be a number >= 0 (or undefined)',
        timeoutMs,
      );
    }
    const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
    for (;;) {
      const bytes = await this.#take(deadline);
      if (bytes === undefined) return undefined;
      try {
        return decodeMessage(bytes, {
          maxBytes: this.#settings.maxBytes,
          allowNonFinite: this.#settings.allowNonFinite,
        });
      } catch (error) {
        this.#settings.onReject?.(error, bytes);
      }
    }
  }

  #take(deadline: number): Promise<Uint8Array | undefined> {
    const ready = this.#queue.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter = (bytes: Uint8Array | undefined) => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(bytes);
      };
      this.#waiters.push(waiter);
      if (Number.isFinite(deadline)) {
        timer = setTimeout(
          () => {
            const i = this.#waiters.indexOf(waiter);
            if (i >= 0) this.#waiters.splice(i, 1);
            resolve(undefined);
          },
          Math.max(0, deadline - Date.now()),
        );
      }
    });
  }

  /** Drops the queue and resolves pending receives with `undefined`, without the close hook. */
  shut(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    for (const w of this.#waiters.splice(0)) w(undefined);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.shut();
    await this.#onClose?.();
  }
}

/** A function option, or undefined. */
export function optionalFunction(
  fn: string,
  arg: string,
  v: unknown,
): ((...args: never[]) => unknown) | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'function') throw new LabInputError(fn, arg, 'must be a function', v);
  return v as (...args: never[]) => unknown;
}
