import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

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
 * (e.g. `['data', 'flips']` for `--data PATH --flips CSV`). Unknown flags are an error.
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
  const { values } = parseArgs({ args, options, allowPositionals: false, strict: true });
  if (values.help) {
    const extras = extraOptions.map((n) => ` [--${n} VALUE]`).join('');
    process.stdout.write(`usage: start -- [--quick] [--out DIR] [--seed N]${extras}\n`);
    process.exit(0);
  }
  const seedText = (values.seed as string | undefined) ?? '42';
  const seed = Number(seedText);
  if (!Number.isInteger(seed)) {
    throw new Error(`parseExampleArgs: argument '--seed' must be an integer; got ${JSON.stringify(seedText)}`);
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
