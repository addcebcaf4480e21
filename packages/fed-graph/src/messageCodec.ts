import { checkBytes, LabFormatError, LabInputError, readOptions } from '@lab/core';
import {
  type Address,
  type FedMessage,
  MESSAGE_TYPES,
  type PayloadArray,
  type PayloadEntry,
} from './messages.js';

/** Options of {@link decodeMessage}. */
export interface DecodeMessageOptions {
  /** Largest message accepted, bytes (default 64 MiB). */
  maxBytes?: number;
  /** Accept NaN and +-Infinity in float32 payloads (default false: they are a `LabFormatError`). */
  allowNonFinite?: boolean;
}

/** The four magic bytes `LFGM` that open every encoded message. */
const MAGIC = [0x4c, 0x46, 0x47, 0x4d] as const;
/** Format version written by {@link encodeMessage}. */
const VERSION = 1;
/** magic 4, version 1, type 1, round 4, from 4, to 4, phase 2, step 2, entry count 2. */
const HEADER_BYTES = 24;
const MAX_ENTRIES = 64;
const MAX_RANK = 4;
const MAX_NAME = 64;
const DTYPE_FLOAT32 = 1;
const DTYPE_INT32 = 2;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const NAME_RE = /^[A-Za-z0-9_:.-]{1,64}$/;
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_CLIENT = 0x7fffffff;

function addressToInt(fn: string, arg: string, a: unknown): number {
  if (a === 'server') return -1;
  if (typeof a === 'number' && Number.isInteger(a) && a >= 0 && a <= MAX_CLIENT) return a;
  throw new LabInputError(fn, arg, `must be 'server' or an integer client id in [0, ${MAX_CLIENT}]`, a);
}

function checkUint(fn: string, arg: string, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new LabInputError(fn, arg, `must be an integer in [0, ${max}]`, v);
  }
  return v;
}

/**
 * Encodes a protocol message to the one binary format every transport carries (version 1,
 * little-endian): magic `LFGM`, version u8, type u8 (index in {@link MESSAGE_TYPES}), round u32,
 * from i32 and to i32 (server = -1), phase u16, step u16, entry count u16 (at most 64); then per
 * payload entry: name length u8 and ASCII name (`[A-Za-z0-9_:.-]`, 1..64 chars), dtype u8
 * (1 float32, 2 int32), rank u8 (0..4), each dim as u32, then the elements (4 bytes each).
 *
 * The message is validated first (a `LabInputError` names the field): type, addresses, header
 * integers, entry names (unique), dtypes and `data.length === product(shape)`. Non-finite float32
 * values are encoded as given (the decoder rejects them by default), so a test can build a
 * hostile message. The message is not modified.
 *
 * @param message - the message to encode.
 * @returns a fresh byte array.
 * @example
 * ```ts
 * const bytes = encodeMessage({
 *   type: 'repr', round: 2, from: 0, to: 1, phase: 0, step: 0,
 *   payload: [{ name: 'rows', shape: [1, 2], data: new Float32Array([0.5, -1]) }],
 * });
 * const back = decodeMessage(bytes);
 * if (back.to !== 1 || back.payload[0]?.data[1] !== -1) throw new Error('round trip');
 * ```
 */
export function encodeMessage(message: FedMessage): Uint8Array {
  const fn = 'encodeMessage';
  if (message === null || typeof message !== 'object') {
    throw new LabInputError(fn, 'message', 'must be a FedMessage object', message);
  }
  const typeIndex = MESSAGE_TYPES.indexOf(message.type);
  if (typeIndex < 0) {
    throw new LabInputError(fn, 'message.type', `must be one of ${MESSAGE_TYPES.join(', ')}`, message.type);
  }
  const round = checkUint(fn, 'message.round', message.round, 0xffffffff);
  const from = addressToInt(fn, 'message.from', message.from);
  const to = addressToInt(fn, 'message.to', message.to);
  const phase = checkUint(fn, 'message.phase', message.phase, 0xffff);
  const step = checkUint(fn, 'message.step', message.step, 0xffff);
  const payload = message.payload;
  if (!Array.isArray(payload)) throw new LabInputError(fn, 'message.payload', 'must be an array', payload);
  if (payload.length > MAX_ENTRIES) {
    throw new LabInputError(
      fn,
      'message.payload',
      `must have at most ${MAX_ENTRIES} entries`,
      payload.length,
    );
  }
  let size = HEADER_BYTES;
  const seen = new Set<string>();
  payload.forEach((entry: PayloadEntry, i: number) => {
    const arg = `message.payload[${i}]`;
    if (entry === null || typeof entry !== 'object')
      throw new LabInputError(fn, arg, 'must be a PayloadEntry', entry);
    const { name, shape, data } = entry;
    if (typeof name !== 'string' || !NAME_RE.test(name) || FORBIDDEN_NAMES.has(name)) {
      throw new LabInputError(
        fn,
        `${arg}.name`,
        'must be 1..64 characters of [A-Za-z0-9_:.-], not __proto__/constructor/prototype',
        name,
      );
    }
    if (seen.has(name)) throw new LabInputError(fn, `${arg}.name`, 'must be unique within the message', name);
    seen.add(name);
    if (!(data instanceof Float32Array) && !(data instanceof Int32Array)) {
      throw new LabInputError(fn, `${arg}.data`, 'must be a Float32Array or an Int32Array', data);
    }
    if (!Array.isArray(shape) || shape.length > MAX_RANK) {
      throw new LabInputError(fn, `${arg}.shape`, `must be an array of at most ${MAX_RANK} dims`, shape);
    }
    let count = 1;
    shape.forEach((d: unknown, k: number) => {
      count *= checkUint(fn, `${arg}.shape[${k}]`, d, 0xffffffff);
    });
    if (count !== data.length) {
      throw new LabInputError(
        fn,
        `${arg}.data`,
        `must have length ${count} (the product of shape [${shape.join(', ')}])`,
        data.length,
      );
    }
    size += 1 + name.length + 2 + 4 * shape.length + 4 * data.length;
  });
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint8(4, VERSION);
  view.setUint8(5, typeIndex);
  view.setUint32(6, round, true);
  view.setInt32(10, from, true);
  view.setInt32(14, to, true);
  view.setUint16(18, phase, true);
  view.setUint16(20, step, true);
  view.setUint16(22, payload.length, true);
  let at = HEADER_BYTES;
  for (const { name, shape, data } of payload) {
    view.setUint8(at++, name.length);
    for (let k = 0; k < name.length; k++) out[at++] = name.charCodeAt(k);
    view.setUint8(at++, data instanceof Float32Array ? DTYPE_FLOAT32 : DTYPE_INT32);
    view.setUint8(at++, shape.length);
    for (const d of shape) {
      view.setUint32(at, d, true);
      at += 4;
    }
    if (data instanceof Float32Array) {
      for (let k = 0; k < data.length; k++, at += 4) view.setFloat32(at, data[k] as number, true);
    } else {
      for (let k = 0; k < data.length; k++, at += 4) view.setInt32(at, data[k] as number, true);
    }
  }
  return out;
}

function intToAddress(v: number, place: string, fn: string): Address {
  if (v === -1) return 'server';
  if (v < 0)
    throw new LabFormatError(fn, 'bytes', { source: place }, 'must be -1 (server) or a client id >= 0', v);
  return v;
}

/**
 * Decodes bytes written by {@link encodeMessage}. Every count and size is checked against the
 * bytes present (and `maxBytes`) before anything is allocated; a short, long (trailing bytes),
 * wrongly versioned or otherwise malformed message is a `LabFormatError` naming `decodeMessage`,
 * the place (`header`, `payload 'rows'` ...) and what was expected. Float32 NaN/Inf are rejected
 * unless `allowNonFinite`. Payload arrays are fresh copies (the input is only read).
 *
 * @param bytes - any `Uint8Array` view (a `Buffer`, a subarray at any offset).
 * @param options - {@link DecodeMessageOptions}.
 * @returns the message.
 * @example
 * ```ts
 * const bytes = encodeMessage({ type: 'stop', round: 3, from: 'server', to: 0, phase: 0, step: 0, payload: [] });
 * if (decodeMessage(bytes).from !== 'server') throw new Error('server is -1 on the wire');
 * ```
 */
export function decodeMessage(bytes: Uint8Array, options?: DecodeMessageOptions): FedMessage {
  const fn = 'decodeMessage';
  const o = readOptions(fn, options, ['maxBytes', 'allowNonFinite']);
  const maxBytes = o.integer('maxBytes', DEFAULT_MAX_BYTES, { min: HEADER_BYTES });
  const allowNonFinite = o.boolean('allowNonFinite', false);
  const b = checkBytes(fn, 'bytes', bytes);
  const fail = (place: string, expected: string, actual?: unknown): never => {
    throw new LabFormatError(fn, 'bytes', { source: place }, expected, actual);
  };
  if (b.length > maxBytes) fail('message', `must be at most ${maxBytes} bytes (options.maxBytes)`, b.length);
  if (b.length < HEADER_BYTES) fail('header', `must be at least ${HEADER_BYTES} bytes`, b.length);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let k = 0; k < 4; k++) {
    if (b[k] !== MAGIC[k])
      fail('header', "must start with the magic bytes 'LFGM'", Array.from(b.subarray(0, 4)));
  }
  const version = view.getUint8(4);
  if (version !== VERSION) fail('header', `must have format version ${VERSION}`, version);
  const typeIndex = view.getUint8(5);
  const type = MESSAGE_TYPES[typeIndex];
  if (type === undefined)
    fail('header', `must have a message type in [0, ${MESSAGE_TYPES.length - 1}]`, typeIndex);
  const round = view.getUint32(6, true);
  const from = intToAddress(view.getInt32(10, true), 'header from', fn);
  const to = intToAddress(view.getInt32(14, true), 'header to', fn);
  const phase = view.getUint16(18, true);
  const step = view.getUint16(20, true);
  const n = view.getUint16(22, true);
  if (n > MAX_ENTRIES) fail('header', `must have at most ${MAX_ENTRIES} payload entries`, n);
  const payload: PayloadEntry[] = [];
  const seen = new Set<string>();
  let at = HEADER_BYTES;
  for (let i = 0; i < n; i++) {
    let place = `payload entry ${i}`;
    if (at + 1 > b.length) fail(place, 'must have a name length byte (message truncated)');
    const nameLength = view.getUint8(at++);
    if (nameLength < 1 || nameLength > MAX_NAME)
      fail(place, `must have a name of 1..${MAX_NAME} characters`, nameLength);
    if (at + nameLength + 2 > b.length) fail(place, 'must have its name, dtype and rank (message truncated)');
    const name = String.fromCharCode(...b.subarray(at, at + nameLength));
    at += nameLength;
    if (!NAME_RE.test(name) || FORBIDDEN_NAMES.has(name)) {
      fail(place, 'must have a name of [A-Za-z0-9_:.-], not __proto__/constructor/prototype', name);
    }
    place = `payload '${name}'`;
    if (seen.has(name)) fail(place, 'must not repeat an earlier entry name');
    seen.add(name);
    const dtype = view.getUint8(at++);
    if (dtype !== DTYPE_FLOAT32 && dtype !== DTYPE_INT32)
      fail(place, 'must have dtype 1 (float32) or 2 (int32)', dtype);
    const rank = view.getUint8(at++);
    if (rank > MAX_RANK) fail(place, `must have rank in [0, ${MAX_RANK}]`, rank);
    if (at + 4 * rank > b.length) fail(place, `must have ${rank} dims (message truncated)`);
    const shape: number[] = [];
    for (let k = 0; k < rank; k++, at += 4) shape.push(view.getUint32(at, true));
    // With no zero dim the partial products only grow, so stop as soon as one exceeds the room.
    const room = (b.length - at) / 4;
    let count = shape.includes(0) ? 0 : 1;
    for (let k = 0; k < rank && count > 0; k++) {
      count *= shape[k] as number;
      if (count > room)
        fail(place, `must have shape [${shape.join(', ')}] fitting the ${b.length - at} bytes left`);
    }
    if (at + 4 * count > b.length) {
      fail(place, `must have ${count} elements (${4 * count} bytes); only ${b.length - at} bytes left`);
    }
    let data: PayloadArray;
    if (dtype === DTYPE_FLOAT32) {
      const f = new Float32Array(count);
      for (let k = 0; k < count; k++, at += 4) {
        const v = view.getFloat32(at, true);
        if (!allowNonFinite && !Number.isFinite(v)) {
          fail(
            place,
            'must hold finite values (options.allowNonFinite: true to accept NaN/Inf)',
            `${v} at element ${k}`,
          );
        }
        f[k] = v;
      }
      data = f;
    } else {
      const a = new Int32Array(count);
      for (let k = 0; k < count; k++, at += 4) a[k] = view.getInt32(at, true);
      data = a;
    }
    payload.push({ name, shape, data });
  }
  if (at !== b.length)
    fail(
      'message',
      `must end after its ${n} payload entries (${at} bytes)`,
      `${b.length - at} trailing bytes`,
    );
  return { type: type as (typeof MESSAGE_TYPES)[number], round, from, to, phase, step, payload };
}
