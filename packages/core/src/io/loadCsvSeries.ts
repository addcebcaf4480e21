import { LabInputError } from '../errors.js';
import { readOptions } from '../validation/readOptions.js';
import { parseNumber, splitCsvLine, splitLines } from './csvText.js';
import { LabFormatError } from './LabFormatError.js';
import { loadTextFile } from './nodeModules.js';

/** Options for {@link parseCsvSeries} / {@link loadCsvSeries}. */
export interface ParseCsvSeriesOptions {
  /** Name of the date/time column (default `'date'`); `null` when the file has none. */
  dateColumn?: string | null;
  /** Numeric columns to keep, in this order (default: every column except the date column). */
  columns?: string[];
  /** Element type of `values` (default `'float32'`). */
  dtype?: 'float32' | 'float64';
  /** Field delimiter (default `','`). */
  delimiter?: string;
  /** Label used in error messages (default: the path, or `'<text>'`). */
  source?: string;
  /**
   * Accept `NaN`, `Inf`/`Infinity` (any case, signed) and values that overflow the dtype (e.g.
   * `1e39` in float32) as NaN / +-Infinity instead of rejecting them (default `false`).
   */
  allowNonFinite?: boolean;
}

const KNOWN = ['dateColumn', 'columns', 'dtype', 'delimiter', 'source', 'allowNonFinite'] as const;

/** A multivariate time series read from CSV. */
export interface CsvSeries {
  /** Date column cells as written (empty array when `dateColumn` is `null`). */
  dates: string[];
  /** Names of the numeric columns, in `values` column order. */
  columns: string[];
  /** Row-major `[rows x cols]` values. */
  values: Float32Array | Float64Array;
  rows: number;
  cols: number;
}

const PARSE = 'parseCsvSeries';

/**
 * Parses CSV text holding a date column and numeric columns (the ETT layout
 * `date,HUFL,HULL,...,OT`) into a row-major matrix. Pure: works in browsers on fetched text.
 *
 * Ragged rows, non-numeric or empty cells, a missing header or a missing requested column
 * throw a {@link LabFormatError} naming the source, line (1-based, header = line 1) and column.
 * Numbers are decimal only (`0x10`, `1_000` are rejected). `NaN`, `Infinity` and values that
 * overflow the dtype (`1e39` in float32) are rejected too unless `options.allowNonFinite` is
 * `true`. Options are checked: `null`, unknown keys and wrong types throw a {@link LabInputError}.
 * Fields may be double-quoted; CRLF line ends and a UTF-8 BOM are accepted.
 *
 * @param text - the CSV content.
 * @param options - column selection, dtype and error label.
 * @returns dates, column names and `values` (`rows x cols`, row-major).
 * @example
 * ```ts
 * const s = parseCsvSeries('date,a,b\n2020-01-01,1,2\n', { dtype: 'float64' });
 * s.values; // Float64Array [1, 2]
 * ```
 */
export function parseCsvSeries(text: string, options?: ParseCsvSeriesOptions): CsvSeries {
  return parseWith(PARSE, 'text', text, options, '<text>');
}

function parseWith(
  fn: string,
  arg: string,
  text: unknown,
  options: unknown,
  defaultSource: string,
): CsvSeries {
  const o = readOptions(fn, options, KNOWN);
  if (typeof text !== 'string') throw new LabInputError(fn, arg, 'must be a string', text);
  const dtype = o.oneOf('dtype', ['float32', 'float64'], 'float32');
  const delimiter = o.string('delimiter', ',');
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new LabInputError(
      fn,
      'options.delimiter',
      'must be a single character other than a quote or line end',
      delimiter,
    );
  }
  const source = o.string('source', defaultSource);
  const allowNonFinite = o.boolean('allowNonFinite', false);
  const rawDate = o.raw('dateColumn');
  const dateColumn = rawDate === undefined ? 'date' : rawDate;
  if (dateColumn !== null && (typeof dateColumn !== 'string' || dateColumn === '')) {
    throw new LabInputError(fn, 'options.dateColumn', 'must be a non-empty string or null', dateColumn);
  }
  const rawColumns = o.raw('columns');
  if (rawColumns !== undefined) {
    if (!Array.isArray(rawColumns) || rawColumns.some((c) => typeof c !== 'string')) {
      throw new LabInputError(fn, 'options.columns', 'must be an array of column names', rawColumns);
    }
    if (new Set(rawColumns).size !== rawColumns.length) {
      throw new LabInputError(fn, 'options.columns', 'must not repeat a name', rawColumns);
    }
  }
  const wanted = rawColumns === undefined ? undefined : (rawColumns as string[]).slice();

  const lines = splitLines(text);
  const headerLine = lines[0];
  if (headerLine === undefined || headerLine.trim() === '') {
    throw new LabFormatError(fn, arg, { source, line: 1 }, 'must start with a header line of column names');
  }
  const names = splitCsvLine(headerLine, delimiter);
  if (names === null)
    throw new LabFormatError(fn, arg, { source, line: 1 }, 'has an unterminated quote in the header');
  const width = names.length;
  names.forEach((name, j) => {
    if (name === '')
      throw new LabFormatError(
        fn,
        arg,
        { source, line: 1, column: j + 1 },
        'header must not have empty column names',
      );
    const first = names.indexOf(name);
    if (first !== j)
      throw new LabFormatError(
        fn,
        arg,
        { source, line: 1, column: name },
        'header must not repeat a column name',
      );
  });
  let dateIdx = -1;
  if (dateColumn !== null) {
    dateIdx = names.indexOf(dateColumn);
    if (dateIdx < 0) {
      throw new LabFormatError(
        fn,
        arg,
        { source, line: 1 },
        `header must contain the date column '${dateColumn}' (or pass dateColumn: null)`,
        headerLine,
      );
    }
  }
  const columns = wanted ?? names.filter((_, j) => j !== dateIdx);
  const colIdx = columns.map((c) => {
    const j = names.indexOf(c);
    if (j < 0)
      throw new LabFormatError(fn, arg, { source, line: 1 }, `header must contain column '${c}'`, headerLine);
    if (j === dateIdx)
      throw new LabInputError(fn, 'options.columns', `must not include the date column '${c}'`);
    return j;
  });

  // Trailing blank lines are tolerated; blank lines in the middle are ragged rows.
  let last = lines.length;
  while (last > 1 && (lines[last - 1] as string).trim() === '') last--;
  const rows = last - 1;
  const cols = columns.length;
  const values = dtype === 'float32' ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  const dates: string[] = dateIdx >= 0 ? new Array(rows) : [];
  for (let r = 0; r < rows; r++) {
    const lineNo = r + 2;
    const line = lines[r + 1] as string;
    const cells = splitCsvLine(line, delimiter);
    if (cells === null)
      throw new LabFormatError(fn, arg, { source, line: lineNo }, 'has an unterminated quote');
    if (cells.length !== width) {
      throw new LabFormatError(
        fn,
        arg,
        { source, line: lineNo },
        `must have ${width} fields like the header`,
        cells.length,
      );
    }
    if (dateIdx >= 0) {
      const d = cells[dateIdx] as string;
      if (d === '')
        throw new LabFormatError(
          fn,
          arg,
          { source, line: lineNo, column: dateColumn as string },
          'must not be empty',
        );
      dates[r] = d;
    }
    for (let c = 0; c < cols; c++) {
      const j = colIdx[c] as number;
      const cell = cells[j] as string;
      const v = parseNumber(cell, allowNonFinite);
      const k = r * cols + c;
      if (v !== null) values[k] = v;
      // Finite in float64 but Infinity once narrowed to float32 (e.g. 1e39) is an overflow too.
      if (v === null || (!allowNonFinite && !Number.isFinite(values[k] as number))) {
        const what =
          cell === ''
            ? 'must not be empty'
            : v !== null
              ? `must be a finite number (${cell} overflows ${dtype}; pass allowNonFinite: true to keep it as Infinity)`
              : allowNonFinite
                ? 'must be a decimal number, NaN or Infinity'
                : 'must be a finite decimal number (NaN/Infinity need allowNonFinite: true)';
        throw new LabFormatError(fn, arg, { source, line: lineNo, column: names[j] as string }, what, cell);
      }
    }
  }
  return { dates, columns: columns.slice(), values, rows, cols };
}

/**
 * Reads a CSV time-series file (Node only) with {@link parseCsvSeries}; errors name the file path.
 * A missing or unreadable file is a {@link LabInputError} with the system error as `cause`.
 *
 * @param path - the CSV file, e.g. `resolveDataDir('timeseries', 'ett', 'ETTh1.csv')`.
 * @param options - see {@link ParseCsvSeriesOptions}.
 * @example
 * ```ts
 * const ett = await loadCsvSeries(resolveDataDir('timeseries', 'ett', 'ETTh1.csv'));
 * ett.rows; // 17420
 * ett.columns; // ['HUFL', 'HULL', 'MUFL', 'MULL', 'LUFL', 'LULL', 'OT']
 * ```
 * @see https://github.com/zhouhaoyi/ETDataset (ETT format)
 */
export async function loadCsvSeries(path: string, options?: ParseCsvSeriesOptions): Promise<CsvSeries> {
  const fn = 'loadCsvSeries';
  if (typeof path !== 'string' || path === '')
    throw new LabInputError(fn, 'path', 'must be a non-empty path string', path);
  readOptions(fn, options, KNOWN); // bad options fail before the file is read
  const text = await loadTextFile(fn, 'path', path);
  return parseWith(fn, 'path', text, options, path);
}
