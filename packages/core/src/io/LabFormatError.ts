import { type LabErrorOptions, LabInputError } from '../errors.js';

/** Where in a file (or in-memory text) a format problem was found. */
export interface FormatErrorLocation {
  /** File path or a label for in-memory input (e.g. `'<text>'`). */
  source: string;
  /** 1-based line number, when the problem is tied to a line. */
  line?: number;
  /** Column name or 1-based column number, when the problem is tied to a column. */
  column?: string | number;
}

/**
 * Error thrown by the data loaders and parameter deserializers when a file's content is malformed.
 *
 * It is a {@link LabInputError} (so `instanceof LabInputError` holds and `fn`/`arg` are set), and
 * also carries the `source` (file path or label), 1-based `line` and `column` of the problem. The
 * message reads `fn: argument 'arg' (source, line L, column C) must ...; got ...`.
 */
export class LabFormatError extends LabInputError {
  /** File path or label of the malformed input. */
  readonly source: string;
  /** 1-based line of the problem, if any. */
  readonly line: number | undefined;
  /** Column name or 1-based number of the problem, if any. */
  readonly column: string | number | undefined;

  constructor(
    fn: string,
    arg: string,
    where: FormatErrorLocation,
    expected: string,
    actual?: unknown,
    options?: LabErrorOptions,
  ) {
    const parts = [where.source];
    if (where.line !== undefined) parts.push(`line ${where.line}`);
    if (where.column !== undefined) {
      parts.push(typeof where.column === 'number' ? `column ${where.column}` : `column '${where.column}'`);
    }
    super(fn, arg, `(${parts.join(', ')}) ${expected}`, actual, options);
    this.name = 'LabFormatError';
    this.source = where.source;
    this.line = where.line;
    this.column = where.column;
  }
}
