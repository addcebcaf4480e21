import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*'],
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
    // Two cores: one worker per core keeps tfjs-heavy files from starving each other.
    maxWorkers: 2,
  },
});
