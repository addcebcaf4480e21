/** Extra constructor options of {@link LabInputError} and `LabFormatError`. */
export interface LabErrorOptions {
  /** The underlying error (e.g. the system error of a failed read), exposed as `error.cause`. */
  cause?: unknown;
}

/**
 * Error raised by every `@lab/*` function that rejects its input.
 *
 * The message always has the form `fn: argument 'arg' <expected>; got <actual>` so a user can
 * tell which call, which argument and what was wrong without reading the stack.
 */
export class LabInputError extends Error {
  /** Name of the public function that rejected its input, e.g. `sparseDenseMatMul`. */
  readonly fn: string;
  /** Name of the offending argument (or option path, e.g. `options.seed`). */
  readonly arg: string;

  /**
   * @param fn - the public function.
   * @param arg - the argument or option path.
   * @param expected - what the argument must be (`must ...`).
   * @param actual - what was passed (described briefly, never printed whole); omit for none.
   * @param options - `{ cause }`: the underlying error (e.g. the system error of a missing file),
   *   kept as the standard `Error.cause`.
   */
  constructor(fn: string, arg: string, expected: string, actual?: unknown, options?: LabErrorOptions) {
    const got = actual === undefined ? '' : `; got ${describeValue(actual)}`;
    super(
      `${fn}: argument '${arg}' ${expected}${got}`,
      options !== undefined && 'cause' in options ? { cause: options.cause } : undefined,
    );
    this.name = 'LabInputError';
    this.fn = fn;
    this.arg = arg;
  }
}

/** Short, printable description of a value for error messages (never the whole payload). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (Array.isArray(value)) {
    return value.length <= 8 ? `[${value.map(describeValue).join(', ')}]` : `array of length ${value.length}`;
  }
  if (ArrayBuffer.isView(value)) {
    return `${value.constructor.name} of length ${(value as unknown as { length: number }).length}`;
  }
  const maybeTensor = value as { shape?: unknown; dtype?: unknown };
  if (Array.isArray(maybeTensor.shape) && typeof maybeTensor.dtype === 'string') {
    return `tensor of shape [${maybeTensor.shape.join(', ')}] and dtype ${maybeTensor.dtype}`;
  }
  return typeof value === 'object'
    ? `object (${(value as object).constructor?.name ?? 'Object'})`
    : typeof value;
}

/** Throws a {@link LabInputError} unless `value` is a finite number. */
export function checkFinite(fn: string, arg: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new LabInputError(fn, arg, 'must be a finite number', value);
  }
}

/** Throws unless `value` is an integer in `[min, max]` (inclusive). */
export function checkInteger(
  fn: string,
  arg: string,
  value: unknown,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range =
      min === Number.MIN_SAFE_INTEGER && max === Number.MAX_SAFE_INTEGER
        ? ''
        : max === Number.MAX_SAFE_INTEGER
          ? ` >= ${min}`
          : ` in [${min}, ${max}]`;
    throw new LabInputError(fn, arg, `must be an integer${range}`, value);
  }
}

/** Throws unless `value` is a finite number in the given range. `open` excludes the ends. */
export function checkRange(
  fn: string,
  arg: string,
  value: unknown,
  min: number,
  max: number,
  open: { min?: boolean; max?: boolean } = {},
): asserts value is number {
  checkFinite(fn, arg, value);
  const lowOk = open.min ? value > min : value >= min;
  const highOk = open.max ? value < max : value <= max;
  if (!lowOk || !highOk) {
    const lo = open.min ? '(' : '[';
    const hi = open.max ? ')' : ']';
    throw new LabInputError(fn, arg, `must be in ${lo}${min}, ${max}${hi}`, value);
  }
}

/** Throws unless `value` is a tensor-like object of the given rank (any rank when omitted). */
export function checkTensor(
  fn: string,
  arg: string,
  value: unknown,
  rank?: number | readonly number[],
): asserts value is { shape: number[]; dtype: string; rank: number; isDisposed: boolean } {
  const t = value as { shape?: unknown; dtype?: unknown; isDisposed?: boolean } | null;
  if (t == null || !Array.isArray(t.shape) || typeof t.dtype !== 'string') {
    throw new LabInputError(fn, arg, 'must be a tf.Tensor', value);
  }
  if (t.isDisposed) {
    throw new LabInputError(fn, arg, 'must not be disposed', value);
  }
  if (rank !== undefined) {
    const ranks = typeof rank === 'number' ? [rank] : rank;
    if (!ranks.includes(t.shape.length)) {
      throw new LabInputError(fn, arg, `must have rank ${ranks.join(' or ')}`, value);
    }
  }
}
