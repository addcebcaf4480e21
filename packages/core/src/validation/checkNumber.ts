import { LabInputError } from '../errors.js';

/** What a number must be; every field is optional. Bounds are inclusive unless `open` says otherwise. */
export interface NumberSpec {
  /** Lower bound (inclusive unless `open.min`). */
  min?: number;
  /** Upper bound (inclusive unless `open.max`). */
  max?: number;
  /** Exclude the bounds: `{ min: true }` means `> min`. */
  open?: { min?: boolean; max?: boolean };
  /** Require an integer (default false). */
  integer?: boolean;
  /** Allow NaN and +-Infinity (default false; bounds then apply to the finite values only). */
  allowNonFinite?: boolean;
}

/** The expectation text of a {@link NumberSpec}, e.g. `must be an integer in [1, 64]`. */
export function describeNumberSpec(spec: NumberSpec = {}): string {
  const kind = spec.integer ? 'an integer' : spec.allowNonFinite ? 'a number' : 'a finite number';
  const { min, max } = spec;
  const lo = spec.open?.min ? '(' : '[';
  const hi = spec.open?.max ? ')' : ']';
  if (min !== undefined && max !== undefined) return `must be ${kind} in ${lo}${min}, ${max}${hi}`;
  if (min !== undefined) return `must be ${kind} ${spec.open?.min ? '>' : '>='} ${min}`;
  if (max !== undefined) return `must be ${kind} ${spec.open?.max ? '<' : '<='} ${max}`;
  return `must be ${kind}`;
}

/**
 * Throws a {@link LabInputError} unless `value` is a number meeting `spec` (finite by default).
 *
 * @example
 * ```ts
 * import { checkNumber } from '@lab/core';
 * checkNumber('demo', 'options.rate', 0.5, { min: 0, max: 1 });
 * let threw = false;
 * try { checkNumber('demo', 'options.epochs', 2.5, { integer: true, min: 1 }); } catch { threw = true; }
 * if (!threw) throw new Error('2.5 is not an integer');
 * ```
 */
export function checkNumber(
  fn: string,
  arg: string,
  value: unknown,
  spec: NumberSpec = {},
): asserts value is number {
  const ok =
    typeof value === 'number' &&
    (Number.isFinite(value)
      ? (!spec.integer || Number.isInteger(value)) &&
        (spec.min === undefined || (spec.open?.min ? value > spec.min : value >= spec.min)) &&
        (spec.max === undefined || (spec.open?.max ? value < spec.max : value <= spec.max))
      : spec.allowNonFinite === true && !spec.integer);
  if (!ok) throw new LabInputError(fn, arg, describeNumberSpec(spec), value);
}
