import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { resolveDataDir } from '@lab/core';
import { defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);

const CORE_FILE = /[\\/](packages[\\/]core|@lab[\\/]core)[\\/]/;
const OPTIONAL_BACKEND = /^@tensorflow\/tfjs-backend-(webgl|webgpu)$/;

/**
 * TEMPORARY WORKAROUND, remove once @lab/core's main entry no longer imports the optional
 * `@tensorflow/tfjs-backend-webgl` / `-webgpu` peers (they move to `@lab/core/webgl` and
 * `@lab/core/webgpu`). Core's `initBackend` imports them with a `@vite-ignore`d `import()`,
 * so the bundler leaves the bare specifiers in the output and the browser fails to resolve them
 * at run time (`?backend=webgl` failed; `auto` silently skipped webgl). Here the `@vite-ignore`
 * is dropped from core's two imports and they resolve to an empty module; the page's own
 * `import('@tensorflow/tfjs-backend-webgl')` (resolved from this example, which depends on it) is
 * left alone and registers the webgl backend before `initBackend` selects it.
 */
function stubCoreOptionalBackends(): Plugin {
  const id = '\0lab-empty-optional-backend';
  return {
    name: 'lab-stub-core-optional-backends',
    enforce: 'pre',
    transform(code, file) {
      if (!CORE_FILE.test(file) || !code.includes('@vite-ignore')) return null;
      const out = code.replace(
        /import\(\s*\/\*\s*@vite-ignore\s*\*\/\s*(["']@tensorflow\/tfjs-backend-(?:webgl|webgpu)["'])\s*\)/g,
        'import($1)',
      );
      return out === code ? null : { code: out, map: null };
    },
    resolveId(source, importer) {
      if (!OPTIONAL_BACKEND.test(source) || importer === undefined || !CORE_FILE.test(importer)) return null;
      return id;
    },
    load(loaded) {
      return loaded === id ? 'export {};' : null;
    },
  };
}

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
  plugins: [stubCoreOptionalBackends(), copyStaticAssets()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
});
