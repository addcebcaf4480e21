import { fc, fuzzDecoder, fuzzRuns } from '@lab/test-utils';
import { initBackend } from '@lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../src/messageCodec.js';
import { type FedMessage, MESSAGE_TYPES, type PayloadEntry } from '../src/messages.js';

const valid: FedMessage[] = [
  {
    type: 'repr',
    round: 3,
    from: 1,
    to: 'server',
    phase: 0,
    step: 2,
    payload: [{ name: 'rows', shape: [2, 3], data: new Float32Array([1, 2, 3, -4, 0.5, 1e-3]) }],
  },
  {
    type: 'hello',
    round: 0,
    from: 4,
    to: 'server',
    phase: 0,
    step: 0,
    payload: [
      { name: 'layout', shape: [3, 2], data: new Int32Array([0, 0, 5, 2, 1, 9]) },
      { name: 'counts', shape: [2], data: new Int32Array([30, 7]) },
    ],
  },
  { type: 'stop', round: 9, from: 'server', to: 2, phase: 0, step: 0, payload: [] },
];

// fuzzDecoder checks for tensor leaks, so a tfjs backend must be registered.
beforeAll(async () => {
  await initBackend();
});

describe('decodeMessage (fuzz)', () => {
  it('arbitrary bytes and mutated messages: a valid message or a LabFormatError, fast, input unchanged', async () => {
    await fuzzDecoder({
      decode: (bytes) => decodeMessage(bytes),
      valid: valid.map(encodeMessage),
      check: (m) => {
        expect(MESSAGE_TYPES).toContain(m.type);
        for (const e of m.payload) {
          expect(e.data.length).toBe(e.shape.reduce((a, b) => a * b, 1));
          expect(['__proto__', 'constructor', 'prototype']).not.toContain(e.name);
          if (e.data instanceof Float32Array) for (const v of e.data) expect(Number.isFinite(v)).toBe(true);
        }
        // whatever decodes re-encodes to the same bytes
        expect(decodeMessage(encodeMessage(m))).toEqual(m);
      },
    });
  });

  it('round trips arbitrary valid messages bit for bit', () => {
    const address = fc.oneof(fc.constant('server' as const), fc.integer({ min: 0, max: 0x7fffffff }));
    const entry = fc
      .tuple(
        fc
          .stringMatching(/^[A-Za-z0-9_:.-]{1,64}$/)
          .filter((n) => !['__proto__', 'constructor', 'prototype'].includes(n)),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }),
        fc.boolean(),
        fc.nat(),
      )
      .map(([name, shape, isFloat, seed]): PayloadEntry => {
        const n = shape.reduce((a, b) => a * b, 1);
        const data = isFloat
          ? Float32Array.from({ length: n }, (_, k) => Math.fround(Math.sin(seed + k) * 1e6))
          : Int32Array.from({ length: n }, (_, k) => (seed * 2654435761 + k) | 0);
        return { name, shape, data };
      });
    const message = fc.record({
      type: fc.constantFrom(...MESSAGE_TYPES),
      round: fc.integer({ min: 0, max: 0xffffffff }),
      from: address,
      to: address,
      phase: fc.integer({ min: 0, max: 0xffff }),
      step: fc.integer({ min: 0, max: 0xffff }),
      payload: fc.uniqueArray(entry, { maxLength: 6, selector: (e) => e.name }),
    });
    fc.assert(
      fc.property(message, (m) => {
        const bytes = encodeMessage(m);
        expect(decodeMessage(bytes)).toEqual(m);
        expect(encodeMessage(decodeMessage(bytes))).toEqual(bytes);
      }),
      { seed: 42, numRuns: fuzzRuns(200) },
    );
  });
});
