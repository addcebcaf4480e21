import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { resolveDataDir } from '@lab/core';
import { defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);

/**
 * Copies the static assets the page fetches into the build output: the tfjs wasm binaries
 * (`wasm/*.wasm`, the page passes `wasmPaths: './wasm/'` to `initBackend`) and ETTh1 with its
 * license (`data/`, unchanged: CC BY-ND 4.0 allows redistribution of the unmodified file; it is
 * read from `resolveDataDir()` at build time and never committed).
 */
function copyStaticAssets(): Plugin {
  return {
    name: 'lab-copy-static-assets',
    apply: 'build',
    generateBundle() {
      const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      for (const file of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) {
        this.emitFile({ type: 'asset', fileName: `wasm/${file}`, source: readFileSync(join(wasmDir, file)) });
      }
      const ett = resolveDataDir('timeseries', 'ett');
      for (const file of ['ETTh1.csv', 'LICENSE', 'README.md']) {
        let source: Buffer;
        try {
          source = readFileSync(join(ett, file));
        } catch (err) {
          this.error(`${join(ett, file)} is needed by the forecast panel (set LAB_DATA_DIR): ${String(err)}`);
        }
        this.emitFile({ type: 'asset', fileName: `data/${file}`, source });
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  // Relative asset URLs: the built page works from any static path (or a file server's subfolder).
  base: './',
  plugins: [copyStaticAssets()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
});
