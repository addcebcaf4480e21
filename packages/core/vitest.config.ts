import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'core',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    server: {
      deps: {
        // tfjs-core's ESM internals (gradient and chained-op registrations) use extensionless
        // imports that Node cannot load: let Vite transform them, as tsup bundles them.
        inline: [/@tensorflow[\\/]tfjs-core[\\/]dist[\\/](?!tf-core)/],
      },
    },
  },
});
