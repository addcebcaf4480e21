import { readFile } from 'node:fs/promises';
import { LabFormatError, LabInputError } from '@lab/core';
import { type EdgeFlip, nodePairKey } from '@lab/graph-defense';

/** The minimal graph view {@link checkFlipsAgainstGraph} needs (a graphology graph fits). */
export interface FlipTargetGraph {
  hasNode(node: string): boolean;
  hasEdge(source: string, target: string): boolean;
}

const HEADER = ['source', 'target', 'op'];

/**
 * Parses a perturbation made elsewhere: CSV rows `source,target,op` with `op` = `add` or
 * `remove`. A header line `source,target,op` is optional; blank lines and lines starting with
 * `#` are skipped; fields are trimmed (quotes around a field are removed). Every malformed row
 * throws a {@link LabFormatError} naming the source and 1-based line: wrong field count, empty
 * node id, self-loop, unknown op, or the same undirected pair listed twice.
 *
 * @param text - the CSV content.
 * @param source - file name or label used in error messages.
 * @returns the flips in file order (the input text is not modified).
 */
export function parseFlipsCsv(text: string, source = '<flips>'): EdgeFlip[] {
  const fn = 'parseFlipsCsv';
  if (typeof text !== 'string') throw new LabInputError(fn, 'text', 'must be a string', text);
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
    if (a === '')
      throw new LabFormatError(fn, 'text', { source, line, column: 'source' }, 'must be a node id', raw);
    if (b === '')
      throw new LabFormatError(fn, 'text', { source, line, column: 'target' }, 'must be a node id', raw);
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
    seen.set(key, line);
    flips.push({ source: a, target: b, op });
  }
  if (flips.length === 0) {
    throw new LabFormatError(fn, 'text', { source }, 'must contain at least one flip row', 'no rows');
  }
  return flips;
}

/** Reads and parses a flips CSV file with {@link parseFlipsCsv}. */
export async function readFlipsCsv(path: string): Promise<EdgeFlip[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new LabInputError(
      'readFlipsCsv',
      'path',
      'must be a readable file',
      `${path} (${(err as Error).message})`,
    );
  }
  return parseFlipsCsv(text, path);
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
