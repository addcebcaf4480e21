import { type Options, defineConfig } from 'tsup';

/** What a package's `tsup.config.ts` may set; everything else is the shared build below. */
export interface LabTsupOptions {
  /** Entry points (default `['src/index.ts']`). */
  entry?: string[];
  /** Imports left to the consumer (default: `@lab/core` and `@tensorflow/tfjs-core`). */
  external?: Options['external'];
  /** Imports bundled even though they are dependencies. */
  noExternal?: Options['noExternal'];
}

/**
 * The one tsup build every publishable `@lab/*` package uses: ESM + CJS, d.ts for both,
 * source maps, ES2022, platform-neutral (the packages run in Node and browsers). A package's
 * `tsup.config.ts` is a one-line call naming only what differs (entries, externals).
 *
 * @example
 * ```ts
 * export default labTsup({ external: ['@lab/core', '@tensorflow/tfjs-core', 'graphology'] });
 * ```
 */
export function labTsup(options: LabTsupOptions = {}) {
  return defineConfig({
    entry: options.entry ?? ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    external: options.external ?? ['@lab/core', '@tensorflow/tfjs-core'],
    ...(options.noExternal !== undefined ? { noExternal: options.noExternal } : {}),
  });
}
