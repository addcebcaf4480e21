import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LabInputError } from '@lab/core';

/** The options every example accepts: `[--quick] [--out DIR] [--seed N]`, plus its own. */
export interface ExampleArgs {
  /** Run the reduced configuration (under 2 minutes on 2 cores). */
  quick: boolean;
  /** Absolute output directory for report.json, report.md and the SVGs. */
  out: string;
  /** Seed for every stochastic step. */
  seed: number;
  /** Example-specific string options, by name. */
  extra: Record<string, string | undefined>;
}

/**
 * Parses the shared example CLI. `extraOptions` names additional string options
 * (e.g. `['data', 'flips']` for `--data PATH --flips CSV`). Unknown flags, positionals, a missing
 * value and a seed that is not a decimal integer are a `LabInputError` (`argv` / `--seed`).
 */
export function parseExampleArgs(
  argv: string[],
  { defaultOut, extraOptions = [] }: { defaultOut: string; extraOptions?: string[] },
): ExampleArgs {
  // pnpm forwards a literal `--` before the user's flags; drop it.
  const args = argv.filter((a, i) => !(a === '--' && i === 0));
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    quick: { type: 'boolean' },
    out: { type: 'string' },
    seed: { type: 'string' },
    help: { type: 'boolean' },
  };
  for (const name of extraOptions) options[name] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args, options, allowPositionals: false, strict: true }).values as typeof values;
  } catch (err) {
    // node:util's parse errors (unknown flag, missing value, positional) as the house error.
    throw new LabInputError(
      'parseExampleArgs',
      'argv',
      `must be [--quick] [--out DIR] [--seed N]${extraOptions.map((n) => ` [--${n} VALUE]`).join('')} (${(err as Error).message})`,
      undefined,
      { cause: err },
    );
  }
  if (values.help) {
    const extras = extraOptions.map((n) => ` [--${n} VALUE]`).join('');
    process.stdout.write(`usage: start -- [--quick] [--out DIR] [--seed N]${extras}\n`);
    process.exit(0);
  }
  const seedText = (values.seed as string | undefined) ?? '42';
  const seed = Number(seedText);
  if (!/^-?\d{1,15}$/.test(seedText.trim()) || !Number.isSafeInteger(seed)) {
    throw new LabInputError('parseExampleArgs', '--seed', 'must be a decimal integer', seedText);
  }
  const extra: Record<string, string | undefined> = {};
  for (const name of extraOptions) extra[name] = values[name] as string | undefined;
  return {
    quick: Boolean(values.quick),
    out: resolve((values.out as string | undefined) ?? defaultOut),
    seed,
    extra,
  };
}
