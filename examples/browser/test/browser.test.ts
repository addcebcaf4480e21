// Builds the page with Vite, serves dist/ on 127.0.0.1, runs it in Debian's Chromium through
// playwright-core on the wasm backend, and checks every panel's numbers against the same panel
// modules run here in Node (wasm backend, same seed). Saves out/screenshot.png (a CI artefact).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, resolveDataDir } from '@lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPage,
  distDir,
  exampleDir,
  findChromium,
  type PageRun,
  runPage,
  serveStatic,
} from '../src/browserRun.js';
import { EDOG_DEFAULTS, runEdogPanel } from '../src/panels/edog.js';
import { FORECAST_DEFAULTS, runForecastPanel } from '../src/panels/forecast.js';
import { GEODESICS_DEFAULTS, runGeodesicsPanel } from '../src/panels/geodesics.js';

const SEED = 0;
const chromium = findChromium();
if (chromium === null) {
  console.warn(
    'examples/browser: no chromium on PATH, browser test skipped (install it: apt-get install -y chromium)',
  );
}

/** JSON round trip, as the page's data-result attributes are (exact for finite doubles). */
const viaJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe.skipIf(chromium === null)(
  'examples/browser in Chromium (skips without chromium: apt-get install -y chromium)',
  () => {
    let page: PageRun;
    let stop: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      await buildPage();
      const server = await serveStatic(distDir);
      stop = server.close;
      mkdirSync(join(exampleDir, 'out'), { recursive: true });
      page = await runPage(`${server.url}?seed=${SEED}`, {
        executablePath: chromium!,
        timeoutMs: 120_000,
        screenshot: join(exampleDir, 'out', 'screenshot.png'),
      });
      await initBackend();
    }, 180_000);

    afterAll(async () => {
      await stop?.();
    });

    it('runs on the wasm backend (SIMD), not a cpu fallback, without console errors', () => {
      expect(page.backend).toBe('wasm');
      expect(page.simd).toBe(true);
      expect(page.consoleErrors).toEqual([]);
    });

    it('geodesics panel: the same numbers as Node', async () => {
      const node = await runGeodesicsPanel({ ...GEODESICS_DEFAULTS, seed: SEED });
      expect(page.results.geodesics).toEqual(viaJson(node));
    }, 120_000);

    it('forecast panel: the same numbers as Node on the same ETTh1 rows', async () => {
      const csv = readFileSync(resolveDataDir('timeseries', 'ett', 'ETTh1.csv'), 'utf8');
      const node = await runForecastPanel(csv, { ...FORECAST_DEFAULTS, seed: SEED });
      expect(page.results.forecast).toEqual(viaJson(node));
    }, 120_000);

    it('EDoG panel: the same edge scores and suspects as Node', async () => {
      const node = await runEdogPanel({ ...EDOG_DEFAULTS, seed: SEED });
      expect(page.results.edog).toEqual(viaJson(node));
    }, 120_000);

    it('fails loudly, on the page, when the wasm binaries are not served', async () => {
      const server = await serveStatic(distDir, { hide: /\.wasm$/ });
      try {
        await expect(runPage(server.url, { executablePath: chromium!, timeoutMs: 60_000 })).rejects.toThrow(
          /Backend: FAILED: initBackend: no backend could be initialised \(wasm:/,
        );
      } finally {
        await server.close();
      }
    }, 90_000);
  },
);
