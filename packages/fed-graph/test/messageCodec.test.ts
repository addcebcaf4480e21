import { LabFormatError, LabInputError } from '@lab/core';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../src/messageCodec.js';
import { type FedMessage, MESSAGE_TYPES } from '../src/messages.js';

const base: FedMessage = {
  type: 'repr',
  round: 7,
  from: 2,
  to: 'server',
  phase: 1,
  step: 3,
  payload: [
    { name: 'rows', shape: [2, 3], data: new Float32Array([1, -2.5, 3e-8, 0, -0, 1e30]) },
    { name: 'layout', shape: [3], data: new Int32Array([-1, 0, 2147483647]) },
  ],
};

function expectFormat(bytes: Uint8Array, pattern: RegExp, options?: Parameters<typeof decodeMessage>[1]) {
  let err: unknown;
  try {
    decodeMessage(bytes, options);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(LabFormatError);
  expect((err as Error).message).toMatch(/^decodeMessage: /);
  expect((err as Error).message).toMatch(pattern);
}

function expectInput(m: unknown, pattern: RegExp) {
  expect(() => encodeMessage(m as FedMessage)).toThrow(LabInputError);
  expect(() => encodeMessage(m as FedMessage)).toThrow(pattern);
}

/** Byte offset of the first payload entry's element data in `encodeMessage(base)`. */
const ROWS_DATA = 24 + 1 + 4 + 2 + 8;

describe('encodeMessage / decodeMessage', () => {
  it('round trips every message type with the exact header and bits', () => {
    for (const type of MESSAGE_TYPES) {
      const m: FedMessage = {
        ...base,
        type,
        from: 'server',
        to: 41,
        round: 0xffffffff,
        phase: 65535,
        step: 0,
      };
      const back = decodeMessage(encodeMessage(m));
      expect(back).toEqual(m);
      expect(back.payload[0]?.data).toBeInstanceOf(Float32Array);
      expect(back.payload[1]?.data).toBeInstanceOf(Int32Array);
      expect(Object.is(back.payload[0]?.data[4], -0)).toBe(true);
    }
  });

  it('has the documented layout (little-endian header, 24 bytes, then entries)', () => {
    const bytes = encodeMessage({
      type: 'grad',
      round: 258,
      from: 'server',
      to: 1,
      phase: 2,
      step: 5,
      payload: [],
    });
    expect(Array.from(bytes)).toEqual([
      0x4c, 0x46, 0x47, 0x4d, 1, 3, 2, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 2, 0, 5, 0, 0, 0,
    ]);
    const one = encodeMessage({ ...base, payload: [{ name: 'x', shape: [], data: new Int32Array([5]) }] });
    expect(Array.from(one.subarray(24))).toEqual([1, 0x78, 2, 0, 5, 0, 0, 0]);
  });

  it('round trips empty payloads, empty arrays and ranks 0..4', () => {
    const shapes = [[], [3], [2, 0], [1, 2, 3], [2, 1, 2, 2]];
    const payload = shapes.map((shape, i) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return { name: `param:W${i}`, shape, data: Float32Array.from({ length: n }, (_, k) => k / 3) };
    });
    const m: FedMessage = { ...base, payload };
    expect(decodeMessage(encodeMessage(m))).toEqual(m);
    const empty: FedMessage = { ...base, type: 'stop', payload: [] };
    expect(decodeMessage(encodeMessage(empty))).toEqual(empty);
  });

  it('accepts a Buffer and an odd-offset subarray, and leaves the input untouched', () => {
    const bytes = encodeMessage(base);
    const pool = new Uint8Array(bytes.length + 3);
    pool.set(bytes, 1);
    const odd = pool.subarray(1, 1 + bytes.length);
    const copy = Uint8Array.from(pool);
    expect(decodeMessage(odd)).toEqual(base);
    expect(decodeMessage(Buffer.from(bytes))).toEqual(base);
    expect(pool).toEqual(copy);
  });

  it('does not modify the message it encodes', () => {
    const data = new Float32Array([1, 2]);
    const m: FedMessage = { ...base, payload: [{ name: 'rows', shape: [2], data }] };
    encodeMessage(m);
    expect(Array.from(data)).toEqual([1, 2]);
  });

  it('encode names every invalid field', () => {
    expectInput(null, /message' must be a FedMessage/);
    expectInput({ ...base, type: 'nope' }, /message\.type' must be one of hello/);
    expectInput({ ...base, round: -1 }, /message\.round' must be an integer in \[0, 4294967295\]/);
    expectInput({ ...base, round: 1.5 }, /message\.round'/);
    expectInput({ ...base, from: -1 }, /message\.from' must be 'server' or an integer client id/);
    expectInput({ ...base, to: 'client' }, /message\.to'/);
    expectInput({ ...base, phase: 65536 }, /message\.phase'/);
    expectInput({ ...base, step: Number.NaN }, /message\.step'/);
    expectInput({ ...base, payload: {} }, /message\.payload' must be an array/);
    expectInput(
      {
        ...base,
        payload: Array.from({ length: 65 }, (_, i) => ({
          name: `p${i}`,
          shape: [0],
          data: new Int32Array(0),
        })),
      },
      /at most 64 entries/,
    );
    const e = (x: object) => ({
      ...base,
      payload: [{ name: 'rows', shape: [2], data: new Float32Array(2), ...x }],
    });
    expectInput(e({ name: '' }), /payload\[0\]\.name' must be 1\.\.64/);
    expectInput(e({ name: 'a b' }), /payload\[0\]\.name'/);
    expectInput(e({ name: 'x'.repeat(65) }), /payload\[0\]\.name'/);
    expectInput(e({ name: '__proto__' }), /payload\[0\]\.name'/);
    expectInput(e({ name: 'constructor' }), /payload\[0\]\.name'/);
    expectInput(
      e({ data: new Float64Array(2) }),
      /payload\[0\]\.data' must be a Float32Array or an Int32Array/,
    );
    expectInput(e({ data: [1, 2] }), /payload\[0\]\.data'/);
    expectInput(
      e({ shape: [3] }),
      /payload\[0\]\.data' must have length 3 \(the product of shape \[3\]\); got 2/,
    );
    expectInput(e({ shape: [1, 1, 1, 1, 2] }), /payload\[0\]\.shape' must be an array of at most 4 dims/);
    expectInput(e({ shape: [-2, -1] }), /payload\[0\]\.shape\[0\]'/);
    expectInput(
      { ...base, payload: [base.payload[0], { ...base.payload[0], data: new Float32Array(6) }] },
      /payload\[1\]\.name' must be unique/,
    );
  });

  it('decode names every malformation', () => {
    const good = encodeMessage(base);
    const mut = (f: (b: Uint8Array, v: DataView) => void) => {
      const b = Uint8Array.from(good);
      f(b, new DataView(b.buffer));
      return b;
    };
    expectFormat(good.subarray(0, 10), /\(header\) must be at least 24 bytes; got 10/);
    expectFormat(
      mut((b) => (b[0] = 0x58)),
      /\(header\) must start with the magic bytes 'LFGM'/,
    );
    expectFormat(
      mut((b) => (b[4] = 2)),
      /\(header\) must have format version 1; got 2/,
    );
    expectFormat(
      mut((b) => (b[5] = 7)),
      /\(header\) must have a message type in \[0, 6\]; got 7/,
    );
    expectFormat(
      mut((_, v) => v.setInt32(10, -2, true)),
      /\(header from\) must be -1 \(server\)/,
    );
    expectFormat(
      mut((_, v) => v.setInt32(14, -5, true)),
      /\(header to\)/,
    );
    expectFormat(
      mut((_, v) => v.setUint16(22, 65, true)),
      /\(header\) must have at most 64 payload entries/,
    );
    expectFormat(
      mut((_, v) => v.setUint16(22, 3, true)),
      /\(payload entry 2\) must have a name length byte/,
    );
    expectFormat(
      mut((b) => (b[24] = 0)),
      /\(payload entry 0\) must have a name of 1\.\.64/,
    );
    expectFormat(
      mut((b) => (b[25] = 0x20)),
      /\(payload entry 0\) must have a name of \[A-Za-z0-9_:\.-\]/,
    );
    expectFormat(
      mut((b) => (b[29] = 3)),
      /\(payload 'rows'\) must have dtype 1 \(float32\) or 2 \(int32\); got 3/,
    );
    expectFormat(
      mut((b) => (b[30] = 5)),
      /\(payload 'rows'\) must have rank in \[0, 4\]; got 5/,
    );
    expectFormat(
      mut((_, v) => v.setUint32(31, 0xffffffff, true)),
      /\(payload 'rows'\) must have shape \[4294967295, 3\]/,
    );
    expectFormat(
      good.subarray(0, good.length - 1),
      /\(payload 'layout'\) must have shape \[3\] fitting the 11 bytes left/,
    );
    expectFormat(good.subarray(0, 33), /\(payload 'rows'\) must have 2 dims \(message truncated\)/);
    expectFormat(
      Uint8Array.from([...good, 0]),
      /\(message\) must end after its 2 payload entries.*1 trailing bytes/,
    );
    expectFormat(good, /\(message\) must be at most 30 bytes \(options\.maxBytes\)/, { maxBytes: 30 });
    // the second entry renamed to the first's name
    const dup = encodeMessage({
      ...base,
      payload: [base.payload[0]!, { ...base.payload[0]!, name: 'rowz' }],
    });
    dup[24 + 1 + 4 + 2 + 8 + 24 + 4] = 0x73;
    expectFormat(dup, /\(payload 'rows'\) must not repeat an earlier entry name/);
    // __proto__ written by hand
    const proto = encodeMessage({
      ...base,
      payload: [{ name: '__proto_x', shape: [0], data: new Int32Array(0) }],
    });
    proto[24 + 9] = 0x5f;
    expectFormat(proto, /\(payload entry 0\) must have a name of .*not __proto__/);
  });

  it('rejects NaN and Infinity by default, with the place and element, and accepts them on request', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const m: FedMessage = {
        ...base,
        payload: [{ name: 'rows', shape: [3], data: new Float32Array([0, 1, bad]) }],
      };
      const bytes = encodeMessage(m);
      expectFormat(bytes, /\(payload 'rows'\) must hold finite values.*at element 2/);
      const back = decodeMessage(bytes, { allowNonFinite: true });
      expect(Object.is(back.payload[0]?.data[2], bad)).toBe(true);
    }
    // overwrite with float32 bits of +Inf directly
    const bytes = encodeMessage(base);
    new DataView(bytes.buffer).setUint32(ROWS_DATA, 0x7f800000, true);
    expectFormat(bytes, /finite values.*Infinity at element 0/);
  });

  it('checks its options', () => {
    const bytes = encodeMessage(base);
    expect(() => decodeMessage(bytes, { maxbytes: 5 } as never)).toThrow(
      /options\.maxbytes' is not an option/,
    );
    expect(() => decodeMessage(bytes, { allowNonFinite: 1 } as never)).toThrow(LabInputError);
    expect(() => decodeMessage(bytes, { maxBytes: 3 })).toThrow(/options\.maxBytes'/);
    expect(() => decodeMessage('x' as never)).toThrow(/decodeMessage: argument 'bytes' must be a Uint8Array/);
  });
});
