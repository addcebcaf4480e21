/**
 * Small text helpers shared by the CSV-based parsers. Internal: not re-exported from the index.
 */

/** Splits text into lines (LF or CRLF), dropping a UTF-8 BOM and the single empty line after a final newline. */
export function splitLines(text: string): string[] {
  let t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (t.endsWith('\r\n')) t = t.slice(0, -2);
  else if (t.endsWith('\n')) t = t.slice(0, -1);
  if (t === '') return [];
  return t.split(/\r?\n/);
}

/**
 * Splits one CSV line on commas (or `delimiter`). Fields may be wrapped in double quotes (`""`
 * escapes a quote); fields are trimmed. Returns `null` when a quote is left open.
 */
export function splitCsvLine(line: string, delimiter = ','): string[] | null {
  if (!line.includes('"')) return line.split(delimiter).map((s) => s.trim());
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && line[i] === ' ') i++;
    if (line[i] === '"') {
      let field = '';
      i++;
      for (;;) {
        if (i >= n) return null;
        const c = line[i] as string;
        if (c === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          field += c;
          i++;
        }
      }
      while (i < n && line[i] !== delimiter) i++;
      out.push(field);
    } else {
      const end = line.indexOf(delimiter, i);
      out.push((end < 0 ? line.slice(i) : line.slice(i, end)).trim());
      i = end < 0 ? n : end;
    }
    if (i >= n) break;
    i++; // skip delimiter
    if (i === n) {
      out.push('');
      break;
    }
  }
  return out;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE: Record<string, number> = {
  nan: Number.NaN,
  inf: Number.POSITIVE_INFINITY,
  '+inf': Number.POSITIVE_INFINITY,
  '-inf': Number.NEGATIVE_INFINITY,
  infinity: Number.POSITIVE_INFINITY,
  '+infinity': Number.POSITIVE_INFINITY,
  '-infinity': Number.NEGATIVE_INFINITY,
};

/**
 * Parses a strict decimal number (digits, optional sign, point and exponent: no `0x10`, `0b1`,
 * `1_000`, empty strings or trailing junk); `null` when invalid. Values that overflow to
 * +-Infinity (e.g. `1e400`) are `null` too. With `allowNonFinite`, `NaN`, `Inf`, `Infinity`
 * (any case, optional sign) and overflowing values are returned as NaN / +-Infinity.
 */
export function parseNumber(cell: string, allowNonFinite = false): number | null {
  if (DECIMAL.test(cell)) {
    const v = Number(cell);
    return Number.isFinite(v) || allowNonFinite ? v : null;
  }
  if (!allowNonFinite) return null;
  const special = NON_FINITE[cell.toLowerCase()];
  return special === undefined ? null : special;
}

/** Parses a strict base-10 integer; `null` when invalid. */
export function parseIntStrict(cell: string): number | null {
  if (!/^[+-]?\d+$/.test(cell)) return null;
  const v = Number(cell);
  return Number.isSafeInteger(v) ? v : null;
}
