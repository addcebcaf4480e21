import { LabInputError, describeValue } from '../errors.js';
import type { Rng } from '../random/createRng.js';
import { checkNumber, describeNumberSpec, type NumberSpec } from './checkNumber.js';
import { DEFAULT_SEED, resolveRng, type SeedOptions } from './resolveRng.js';

/**
 * Typed, checked access to one options object. Every getter names the failing option as
 * `fn: argument 'options.key' must ...; got ...` ({@link LabInputError}). Values are read once;
 * the caller's object is never written.
 */
export class OptionReader {
  /** Name of the public function, for error messages. */
  readonly fn: string;
  /** How this object is named in messages, e.g. `options` or `options.gcn`. */
  readonly path: string;
  readonly #values: Readonly<Record<string, unknown>>;

  constructor(fn: string, path: string, values: Readonly<Record<string, unknown>>) {
    this.fn = fn;
    this.path = path;
    this.#values = values;
  }

  /** True when the option is present and not `undefined`. */
  has(key: string): boolean {
    return Object.hasOwn(this.#values, key) && this.#values[key] !== undefined;
  }

  /** The raw value (own properties only; `undefined` when absent). */
  raw(key: string): unknown {
    return Object.hasOwn(this.#values, key) ? this.#values[key] : undefined;
  }

  /** The name used in messages for `key`, e.g. `options.epochs`. */
  argName(key: string): string {
    return `${this.path}.${key}`;
  }

  /** A number meeting `spec`; `fallback` when absent (required when no fallback is given). */
  number(key: string, fallback?: number, spec: NumberSpec = {}): number {
    const v = this.raw(key);
    if (v === undefined) {
      if (fallback === undefined)
        throw new LabInputError(this.fn, this.argName(key), `is required and ${describeNumberSpec(spec)}`);
      return fallback;
    }
    checkNumber(this.fn, this.argName(key), v, spec);
    return v;
  }

  /** An integer meeting `spec` (shorthand for `number` with `integer: true`). */
  integer(key: string, fallback?: number, spec: Omit<NumberSpec, 'integer'> = {}): number {
    return this.number(key, fallback, { ...spec, integer: true });
  }

  /** A number meeting `spec`, or `undefined` when absent. */
  optionalNumber(key: string, spec: NumberSpec = {}): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    checkNumber(this.fn, this.argName(key), v, spec);
    return v;
  }

  /** A boolean (strictly `true` or `false`: `0`, `'yes'` are rejected). */
  boolean(key: string, fallback: boolean): boolean {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean')
      throw new LabInputError(this.fn, this.argName(key), 'must be true or false', v);
    return v;
  }

  /** A string (non-empty unless `allowEmpty`); `fallback` when absent (required without one). */
  string(key: string, fallback?: string, spec: { allowEmpty?: boolean } = {}): string {
    const v = this.raw(key);
    if (v === undefined) {
      if (fallback === undefined)
        throw new LabInputError(this.fn, this.argName(key), 'is required and must be a string');
      return fallback;
    }
    if (typeof v !== 'string' || (!spec.allowEmpty && v.length === 0)) {
      throw new LabInputError(
        this.fn,
        this.argName(key),
        spec.allowEmpty ? 'must be a string' : 'must be a non-empty string',
        v,
      );
    }
    return v;
  }

  /** One of `choices`; `fallback` when absent (required without one). */
  oneOf<const T extends string | number | boolean>(key: string, choices: readonly T[], fallback?: T): T {
    const v = this.raw(key);
    if (v === undefined) {
      if (fallback === undefined) {
        throw new LabInputError(
          this.fn,
          this.argName(key),
          `is required and must be one of ${choices.map((c) => describeValue(c)).join(', ')}`,
        );
      }
      return fallback;
    }
    if (!(choices as readonly unknown[]).includes(v)) {
      throw new LabInputError(
        this.fn,
        this.argName(key),
        `must be one of ${choices.map((c) => describeValue(c)).join(', ')}`,
        v,
      );
    }
    return v as T;
  }

  /** A function, or `undefined` when absent. */
  optionalFunction<F extends (...args: never[]) => unknown>(key: string): F | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'function') throw new LabInputError(this.fn, this.argName(key), 'must be a function', v);
    return v as F;
  }

  /** A nested options object as its own reader (`{}` when absent), e.g. `options.gcn`. */
  nested(key: string, known?: readonly string[]): OptionReader {
    return readOptions(this.fn, this.raw(key), known, this.argName(key));
  }

  /**
   * The `{ seed, rng }` convention as a seed value, for code that derives named sub-seeds as
   * strings (`${seed}/split`): the given `seed`; with an `rng`, one 32-bit seed drawn from it
   * (advancing it once); with neither, `DEFAULT_SEED`. At most one of the two, as {@link resolveRng}.
   */
  seedValue(): number | string {
    const rng = this.rng();
    if (this.has('rng')) return Math.floor(rng.next() * 2 ** 32);
    return this.has('seed') ? (this.raw('seed') as number | string) : DEFAULT_SEED;
  }

  /** The generator of the `{ seed, rng }` convention ({@link resolveRng}). */
  rng(): Rng {
    return resolveRng(this.fn, { seed: this.raw('seed'), rng: this.raw('rng') } as SeedOptions, this.path);
  }
}

/**
 * Checks an options argument and returns an {@link OptionReader} over it.
 *
 * `undefined` reads as `{}`; `null`, arrays, functions and non-objects are rejected with a
 * {@link LabInputError} naming `fn` and `options`. With `known`, any other own key is rejected
 * too (a misspelt option fails instead of being ignored).
 *
 * @param fn - name of the public function, for error messages.
 * @param options - what the caller passed.
 * @param known - the option names this function reads (omit to allow any).
 * @param path - how the object is named in messages (default `'options'`).
 * @example
 * ```ts
 * import { readOptions } from '@lab/core';
 * const o = readOptions('train', { epochs: 5 }, ['epochs', 'lr', 'seed', 'rng']);
 * const epochs = o.integer('epochs', 100, { min: 1 });
 * const lr = o.number('lr', 0.01, { min: 0, open: { min: true } });
 * const rng = o.rng(); // seed 0 unless seed or rng is given
 * if (epochs !== 5 || lr !== 0.01 || typeof rng.next() !== 'number') throw new Error('read');
 * ```
 */
export function readOptions(
  fn: string,
  options: unknown,
  known?: readonly string[],
  path = 'options',
): OptionReader {
  if (options === undefined) return new OptionReader(fn, path, {});
  if (
    options === null ||
    typeof options !== 'object' ||
    Array.isArray(options) ||
    ArrayBuffer.isView(options)
  ) {
    throw new LabInputError(fn, path, 'must be an options object (or undefined)', options);
  }
  const values = options as Record<string, unknown>;
  if (known !== undefined) {
    for (const key of Object.keys(values)) {
      if (!known.includes(key)) {
        throw new LabInputError(
          fn,
          `${path}.${key}`,
          `is not an option of ${fn} (known: ${known.join(', ')})`,
        );
      }
    }
  }
  return new OptionReader(fn, path, values);
}
