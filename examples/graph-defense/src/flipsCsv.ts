import { readFile, stat } from 'node:fs/promises';
import { checkBytes, LabFormatError, LabInputError, readOptions } from '@lab/core';
import { type EdgeFlip, nodePairKey } from '@lab/graph-defense';

/** The minimal graph view {@link checkFlipsAgainstGraph} needs (a graphology graph fits). */
export interface FlipTargetGraph {
  hasNode(node: string): boolean;
  hasEdge(source: string, target: string): boolean;
}

/** Options of {@link parseFlipsCsv} and {@link decodeFlipsCsv}. */
export interface ParseFlipsCsvOptions {
  /** File name or label used in error messages (default `<flips>`). */
  source?: string;
  /** Most flip rows accepted (default and upper bound {@link MAX_FLIPS}). */
  maxFlips?: number;
}

/** Largest flips file accepted, in bytes (UTF-8) or UTF-16 code units for text: 64 MiB. */
export const MAX_FLIPS_CSV_BYTES = 64 * 2 ** 20;
/** Most flip rows accepted (Cora has 5,429 edges; a 1 M-flip file is far beyond any attack budget). */
export const MAX_FLIPS = 1_000_000;
/** Longest node id accepted, in UTF-16 code units. */
export const MAX_NODE_ID_LENGTH = 256;

const HEADER = ['source', 'target', 'op'];
/** Control characters (C0, DEL, C1), quotes and the byte-order mark have no place in a node id. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
const BAD_ID_CHAR = /[\u0000-\u001f\u007f-\u009f"\ufeff\ufffd]/;

/**
 * Parses a perturbation made elsewhere: CSV rows `source,target,op` with `op` = `add` or
 * `remove`. A header line `source,target,op` is optional; blank lines and lines starting with
 * `#` are skipped; fields are trimmed (quotes around a field are removed). Every malformed row
 * throws a {@link LabFormatError} naming the source and 1-based line: wrong field count, an empty,
 * over-long ({@link MAX_NODE_ID_LENGTH}) or non-printable node id, self-loop, unknown op, the same
 * undirected pair listed twice, more than `maxFlips` rows; a text longer than
 * {@link MAX_FLIPS_CSV_BYTES} is rejected before it is split.
 *
 * @param text - the CSV content.
 * @param options - `source`: file name or label used in error messages; `maxFlips`.
 * @returns the flips in file order (the input text is not modified).
 * @example
 * ```ts
 * const flips = parseFlipsCsv('source,target,op\n0,2,add\n1,2,remove\n', { source: 'attack.csv' });
 * if (flips.length !== 2 || flips[1].op !== 'remove') throw new Error('parse');
 * ```
 */
export function parseFlipsCsv(text: string, options?: ParseFlipsCsvOptions): EdgeFlip[] {
  const fn = 'parseFlipsCsv';
  if (typeof text !== 'string') throw new LabInputError(fn, 'text', 'must be a string', text);
  const o = readOptions(fn, options, ['source', 'maxFlips']);
  const source = o.string('source', '<flips>');
  const maxFlips = o.integer('maxFlips', MAX_FLIPS, { min: 1, max: MAX_FLIPS });
  if (text.length > MAX_FLIPS_CSV_BYTES) {
    throw new LabFormatError(
      fn,
      'text',
      { source },
      `must be at most ${MAX_FLIPS_CSV_BYTES} characters`,
      text.length,
    );
  }
  const flips: EdgeFlip[] = [];
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  let sawData = false;
  for (let k = 0; k < lines.length; k++) {
    const line = k + 1;
    const raw = (lines[k] as string).trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const fields = raw.split(',').map((f) =>
      f
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .trim(),
    );
    if (!sawData && fields.length === 3 && fields.every((f, i) => f.toLowerCase() === HEADER[i])) {
      sawData = true;
      continue;
    }
    sawData = true;
    if (fields.length !== 3) {
      throw new LabFormatError(fn, 'text', { source, line }, 'must have 3 fields source,target,op', raw);
    }
    const [a, b, opText] = fields as [string, string, string];
    for (const [id, column] of [
      [a, 'source'],
      [b, 'target'],
    ] as const) {
      if (id === '') throw new LabFormatError(fn, 'text', { source, line, column }, 'must be a node id', raw);
      if (id.length > MAX_NODE_ID_LENGTH) {
        throw new LabFormatError(
          fn,
          'text',
          { source, line, column },
          `must be a node id of at most ${MAX_NODE_ID_LENGTH} characters`,
          id.length,
        );
      }
      if (BAD_ID_CHAR.test(id)) {
        throw new LabFormatError(
          fn,
          'text',
          { source, line, column },
          'must be a printable node id (no control characters or quotes)',
          id,
        );
      }
    }
    if (a === b) {
      throw new LabFormatError(
        fn,
        'text',
        { source, line },
        'must not be a self-loop (source = target)',
        raw,
      );
    }
    const op = opText.toLowerCase();
    if (op !== 'add' && op !== 'remove') {
      throw new LabFormatError(
        fn,
        'text',
        { source, line, column: 'op' },
        "must be 'add' or 'remove'",
        opText,
      );
    }
    const key = nodePairKey(a, b);
    const first = seen.get(key);
    if (first !== undefined) {
      throw new LabFormatError(
        fn,
        'text',
        { source, line },
        `must list each undirected pair once (${a}-${b} is already on line ${first})`,
        raw,
      );
    }
    if (flips.length === maxFlips) {
      throw new LabFormatError(fn, 'text', { source, line }, `must hold at most ${maxFlips} flip rows`, raw);
    }
    seen.set(key, line);
    flips.push({ source: a, target: b, op });
  }
  if (flips.length === 0) {
    throw new LabFormatError(fn, 'text', { source }, 'must contain at least one flip row', 'no rows');
  }
  return flips;
}

/**
 * Decodes the bytes of a flips CSV (strict UTF-8, a leading byte-order mark is dropped) and
 * parses them with {@link parseFlipsCsv}. Any `Uint8Array` view is accepted (a Node `Buffer`, a
 * `subarray` at any offset); the bytes are not modified.
 *
 * @param bytes - the file content.
 * @param options - `source`: file name or label used in error messages.
 * @throws LabFormatError for more than {@link MAX_FLIPS_CSV_BYTES} bytes, invalid UTF-8 or a malformed row.
 */
export function decodeFlipsCsv(bytes: Uint8Array, options?: ParseFlipsCsvOptions): EdgeFlip[] {
  const fn = 'decodeFlipsCsv';
  const view = checkBytes(fn, 'bytes', bytes);
  const o = readOptions(fn, options, ['source', 'maxFlips']);
  const source = o.string('source', '<flips>');
  if (view.byteLength > MAX_FLIPS_CSV_BYTES) {
    throw new LabFormatError(
      fn,
      'bytes',
      { source },
      `must be at most ${MAX_FLIPS_CSV_BYTES} bytes`,
      view.byteLength,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(view);
  } catch (err) {
    throw new LabFormatError(fn, 'bytes', { source }, 'must be UTF-8 text', undefined, { cause: err });
  }
  return parseFlipsCsv(text, { source, maxFlips: o.optionalNumber('maxFlips') });
}

/**
 * Reads a flips CSV file and parses it with {@link decodeFlipsCsv}. The file size is checked
 * against {@link MAX_FLIPS_CSV_BYTES} before it is read.
 *
 * @param path - the file.
 * @throws LabInputError (with the system error as `cause`) when the file cannot be read;
 *   LabFormatError when it is too large or malformed.
 */
export async function loadFlipsCsv(path: string): Promise<EdgeFlip[]> {
  const fn = 'loadFlipsCsv';
  if (typeof path !== 'string' || path === '')
    throw new LabInputError(fn, 'path', 'must be a non-empty string', path);
  let bytes: Uint8Array;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    if (info.size > MAX_FLIPS_CSV_BYTES) {
      throw new LabFormatError(
        fn,
        'path',
        { source: path },
        `must be at most ${MAX_FLIPS_CSV_BYTES} bytes`,
        info.size,
      );
    }
    bytes = await readFile(path);
  } catch (err) {
    if (err instanceof LabFormatError) throw err;
    throw new LabInputError(fn, 'path', 'must be a readable file', `${path} (${(err as Error).message})`, {
      cause: err,
    });
  }
  return decodeFlipsCsv(bytes, { source: path });
}

/**
 * Checks flips against the clean graph before they are applied: both endpoints exist, `add`
 * names an absent edge and `remove` a present one. Throws a {@link LabInputError} naming the
 * offending flip (index and endpoints).
 */
export function checkFlipsAgainstGraph(graph: FlipTargetGraph, flips: readonly EdgeFlip[]): void {
  const fn = 'checkFlipsAgainstGraph';
  flips.forEach((f, i) => {
    const where = `flips[${i}]`;
    for (const node of [f.source, f.target]) {
      if (!graph.hasNode(node))
        throw new LabInputError(fn, where, 'must name nodes of the graph', `unknown node '${node}'`);
    }
    const present = graph.hasEdge(f.source, f.target) || graph.hasEdge(f.target, f.source);
    if (f.op === 'add' && present) {
      throw new LabInputError(
        fn,
        where,
        "with op 'add' must name an absent edge",
        `${f.source}-${f.target} exists`,
      );
    }
    if (f.op === 'remove' && !present) {
      throw new LabInputError(
        fn,
        where,
        "with op 'remove' must name an existing edge",
        `${f.source}-${f.target} absent`,
      );
    }
  });
}
