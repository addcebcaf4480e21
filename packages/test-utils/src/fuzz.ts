import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';

/** Re-exported so every package's property tests use the one pinned fast-check. */
export { fc };

/** Whether the long (more cases) variant of the property tests is on (`LAB_LONG_TESTS=1`). */
export const LONG_TESTS = Boolean(process.env.LAB_LONG_TESTS);

/** Cases per property: a few hundred by default, ten times more with `LAB_LONG_TESTS=1`. */
export function fuzzRuns(defaultRuns = 300): number {
  return LONG_TESTS ? defaultRuns * 10 : defaultRuns;
}

/** True for the named errors of `@lab/*` (`LabInputError`, `LabFormatError`), by duck type. */
export function isLabError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const err = e as Error & { fn?: unknown; arg?: unknown };
  return (
    (err.name === 'LabInputError' || err.name === 'LabFormatError') &&
    typeof err.fn === 'string' &&
    typeof err.arg === 'string'
  );
}

/** Options of {@link fuzzDecoder}. */
export interface FuzzDecoderOptions<T> {
  /** The decoder or loader under test (bytes in; may be async). */
  decode: (bytes: Uint8Array) => T | Promise<T>;
  /** Valid encodings to mutate (and to decode unmodified: they must decode without error). */
  valid: readonly Uint8Array[];
  /** Asserts a successful result is well formed (called for every case that did not throw). */
  check?: (result: T, input: Uint8Array) => void;
  /** Frees what a successful decode returned (tensors are disposed automatically). */
  dispose?: (result: T) => void;
  /** Cases (default {@link fuzzRuns}()). */
  runs?: number;
  /** fast-check seed (default 42): same seed, same cases. */
  seed?: number;
  /** Upper bound on one case's wall time in ms (default 2000): no hang, no huge allocation. */
  timeLimitMs?: number;
  /** Upper bound on memory (heap + array buffers) one case may leave behind, bytes (default 64 MiB). */
  maxMemoryGrowth?: number;
  /** Length of arbitrary byte strings (default 2048). */
  maxLength?: number;
}

const EXTREMES = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

/** Mutations of one valid encoding: truncation, bit flips, byte overwrites, inserts, extreme integers. */
function mutationOf(valid: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const base = fc.integer({ min: 0, max: valid.length - 1 }).map((i) => valid[i] as Uint8Array);
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    }),
    fc.record({
      kind: fc.constant('extreme' as const),
      at: fc.nat(),
      value: fc.constantFrom(...EXTREMES),
      width: fc.constantFrom(1, 2, 4),
    }),
  );
  return fc.tuple(base, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([b, edits]) => {
    let bytes = Uint8Array.from(b);
    for (const e of edits) {
      const n = bytes.length;
      if (n === 0) break;
      const at = e.at % n;
      if (e.kind === 'truncate') bytes = bytes.slice(0, at);
      else if (e.kind === 'flip') bytes[at] = (bytes[at] as number) ^ (1 << e.bit);
      else if (e.kind === 'set') bytes[at] = e.value;
      else if (e.kind === 'insert')
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...e.bytes, ...bytes.subarray(at)]);
      else {
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const pos = Math.min(at, Math.max(0, n - e.width));
        if (pos + e.width <= n) {
          if (e.width === 1) view.setUint8(pos, e.value & 0xff);
          else if (e.width === 2) view.setUint16(pos, e.value & 0xffff, true);
          else view.setUint32(pos, e.value >>> 0, true);
        }
      }
    }
    return bytes;
  });
}

/**
 * Property test of a decoder or loader against hostile bytes: arbitrary byte strings, mutations
 * of valid encodings (truncation, bit flips, overwrites, inserts, extreme 8/16/32-bit integers)
 * and the valid encodings themselves. Every case must end in a valid result (accepted by
 * `check`) or a `LabInputError`/`LabFormatError`; within `timeLimitMs`; leaving no tensor behind
 * and at most `maxMemoryGrowth` bytes; with the input bytes unchanged. The input is passed as an
 * odd-offset view into a larger buffer, as a Node `Buffer` would be. Seeded: same seed, same cases.
 */
export async function fuzzDecoder<T>(options: FuzzDecoderOptions<T>): Promise<void> {
  const timeLimit = options.timeLimitMs ?? 2000;
  const maxGrowth = options.maxMemoryGrowth ?? 64 * 2 ** 20;
  const arbitrary = fc.oneof(
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: options.maxLength ?? 2048 }) },
    { weight: 4, arbitrary: mutationOf(options.valid) },
    { weight: 1, arbitrary: fc.constantFrom(...options.valid) },
  );
  // The valid encodings must decode cleanly, unmodified.
  for (const v of options.valid) await runCase(options, v, timeLimit, maxGrowth, true);
  await fc.assert(
    fc.asyncProperty(arbitrary, async (bytes) => {
      await runCase(options, bytes, timeLimit, maxGrowth, false);
    }),
    { numRuns: options.runs ?? fuzzRuns(), seed: options.seed ?? 42, endOnFailure: true },
  );
}

function memoryNow(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function runCase<T>(
  options: FuzzDecoderOptions<T>,
  bytes: Uint8Array,
  timeLimit: number,
  maxGrowth: number,
  mustSucceed: boolean,
): Promise<void> {
  // An odd-offset view into a larger buffer, with guard bytes either side.
  const pool = new Uint8Array(bytes.length + 7);
  pool.fill(0xa5);
  pool.set(bytes, 3);
  const input = pool.subarray(3, 3 + bytes.length);
  const snapshot = Uint8Array.from(pool);
  const tensorsBefore = tf.memory().numTensors;
  const memBefore = memoryNow();
  const start = performance.now();
  let result: T | undefined;
  let failed: unknown;
  try {
    result = await options.decode(input);
  } catch (e) {
    failed = e;
  }
  const elapsed = performance.now() - start;
  if (failed !== undefined) {
    if (mustSucceed || !isLabError(failed)) {
      const what = mustSucceed ? 'a valid encoding was rejected' : 'not a LabInputError/LabFormatError';
      throw new Error(`${what} (${bytes.length} bytes): ${String((failed as Error)?.stack ?? failed)}`);
    }
  } else {
    options.check?.(result as T, input);
    options.dispose?.(result as T);
    disposeTensors(result);
  }
  if (elapsed > timeLimit)
    throw new Error(`case took ${elapsed.toFixed(0)} ms > ${timeLimit} ms (${bytes.length} bytes)`);
  const growth = memoryNow() - memBefore;
  if (growth > maxGrowth)
    throw new Error(
      `case left ${(growth / 2 ** 20).toFixed(1)} MiB > ${(maxGrowth / 2 ** 20).toFixed(1)} MiB`,
    );
  const leaked = tf.memory().numTensors - tensorsBefore;
  if (leaked !== 0) throw new Error(`case leaked ${leaked} tensors (${bytes.length} bytes)`);
  for (let i = 0; i < pool.length; i++) {
    if (pool[i] !== snapshot[i]) throw new Error(`the input bytes were modified at ${i - 3}`);
  }
}

function disposeTensors(value: unknown, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof tf.Tensor) {
    if (!value.isDisposed) value.dispose();
    return;
  }
  const v = value as { dispose?: unknown };
  if (typeof v.dispose === 'function' && !(value instanceof Map)) {
    (v.dispose as () => void).call(value);
    return;
  }
  if (Array.isArray(value)) for (const x of value) disposeTensors(x, seen);
  else if (value instanceof Map) for (const x of value.values()) disposeTensors(x, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
    for (const x of Object.values(value)) disposeTensors(x, seen);
  }
}
