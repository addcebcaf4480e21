// Node-side helpers shared by `src/main.ts` (the `start` script) and test/browser.test.ts: build
// the page with Vite's JS API, serve dist/ from a tiny static server, and drive Chromium through
// playwright-core until every panel has written its `data-result`.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The example's folder and its build output. */
export const exampleDir = fileURLToPath(new URL('..', import.meta.url));
export const distDir = join(exampleDir, 'dist');
const PANELS = ['geodesics', 'forecast', 'edog'] as const;

/** Builds the page into dist/ with vite.config.ts (Vite's JS API; only errors are printed). */
export async function buildPage(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(exampleDir, 'vite.config.ts'), logLevel: 'error' });
}

/** The first `chromium` (or `chromium-browser`) executable on PATH, or null. */
export function findChromium(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const file = join(dir, name);
      try {
        accessSync(file, constants.X_OK);
        if (statSync(file).isFile()) return file;
      } catch {
        // not here
      }
    }
  }
  return null;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.csv': 'text/csv; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.json': 'application/json',
};

/**
 * Serves `root` on 127.0.0.1 at a free port (GET only, no directory listings). `hide` answers 404
 * for the paths it matches (the test uses it to withhold the wasm binaries).
 */
export async function serveStatic(
  root: string,
  options: { hide?: RegExp } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const base = resolve(root);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path));
    if (
      req.method !== 'GET' ||
      options.hide?.test(path) === true ||
      (file !== base && !file.startsWith(base + sep)) ||
      !existsSync(file) ||
      !statSync(file).isFile()
    ) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** What the page reported. */
export interface PageRun {
  backend: string;
  simd: boolean;
  /** Each panel's parsed `data-result`. */
  results: Record<(typeof PANELS)[number], unknown>;
  /** Messages the page logged to the console as errors. */
  consoleErrors: string[];
}

/**
 * Opens `url` in Chromium, waits for every panel (up to `timeoutMs`) and returns the numbers it
 * wrote into the DOM. Throws with the page's own error text if a panel or the backend failed.
 */
export async function runPage(
  url: string,
  options: { executablePath: string; timeoutMs?: number; screenshot?: string },
): Promise<PageRun> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: options.executablePath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1560, height: 900 } });
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(
      () => document.body.dataset.state === 'done' || document.body.dataset.state === 'error',
      null,
      {
        timeout: options.timeoutMs ?? 120_000,
        polling: 250,
      },
    );
    if (options.screenshot !== undefined) await page.screenshot({ path: options.screenshot, fullPage: true });
    const state = await page.evaluate(() => ({
      body: document.body.dataset.state,
      text: document.body.textContent ?? '',
      backend: document.getElementById('backend')?.dataset.backend ?? '',
      simd: document.getElementById('backend')?.dataset.simd === 'true',
      panels: Object.fromEntries(
        ['geodesics', 'forecast', 'edog'].map((id) => [
          id,
          document.getElementById(id)?.dataset.result ?? null,
        ]),
      ),
    }));
    if (state.body !== 'done') {
      throw new Error(`the page failed:\n${state.text}\nconsole errors:\n${consoleErrors.join('\n')}`);
    }
    const results = Object.fromEntries(
      PANELS.map((id) => [id, JSON.parse(state.panels[id] ?? 'null') as unknown]),
    ) as PageRun['results'];
    return { backend: state.backend, simd: state.simd, results, consoleErrors };
  } finally {
    await browser.close();
  }
}
