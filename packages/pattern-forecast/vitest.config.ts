import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: {
    // Tests run against @lab/core's source, like core's own tests (no build needed).
    alias: { '@lab/core': fileURLToPath(new URL('../core/src/index.ts', import.meta.url)) },
  },
  test: {
    name: 'pattern-forecast',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    server: {
      deps: {
        // See packages/core/vitest.config.ts: tfjs-core's ESM registration files need Vite.
        inline: [/@tensorflow[\\/]tfjs-core[\\/]dist[\\/](?!tf-core)/],
      },
    },
  },
});
