import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

/** What a package's `vitest.config.ts` may choose; everything else is shared. */
export interface LabVitestOptions {
  /**
   * Resolve `@lab/core` to its TypeScript source (default true), so a method package's tests
   * run against core as it is in the checkout, without building it first (core itself and
   * packages that do not import it pass false).
   */
  coreFromSource?: boolean;
  /** Whether the tests load tfjs-core (default true): its ESM registration files go through Vite. */
  tfjs?: boolean;
}

/**
 * The one vitest project every `@lab/*` package uses (`packages/<name>/vitest.config.ts` is a
 * one-line call): tests in `test/**\/*.test.ts`; 60 s test and hook timeouts (a wasm backend
 * initialised in `beforeAll` can take 10 s and more on a loaded 2-core machine; speed targets
 * live in benchmarks, not in timeouts); tfjs-core's ESM registration files (gradient and
 * chained-op registrations, imported with extensionless paths Node cannot load) are
 * transformed by Vite, as tsup bundles them.
 *
 * @example
 * ```ts
 * export default labVitest('graph-defense');
 * ```
 */
export function labVitest(name: string, options: LabVitestOptions = {}) {
  const { coreFromSource = true, tfjs = true } = options;
  return defineProject({
    ...(coreFromSource
      ? {
          resolve: {
            alias: { '@lab/core': fileURLToPath(new URL('./packages/core/src/index.ts', import.meta.url)) },
          },
        }
      : {}),
    test: {
      name,
      include: ['test/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      ...(tfjs
        ? { server: { deps: { inline: [/@tensorflow[\\/]tfjs-core[\\/]dist[\\/](?!tf-core)/] } } }
        : {}),
    },
  });
}
