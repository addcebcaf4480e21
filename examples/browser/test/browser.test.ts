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
import { EDOG_DEFAULTS, type EdogPanelResult, runEdogPanel } from '../src/panels/edog.js';
import { FORECAST_DEFAULTS, type ForecastPanelResult, runForecastPanel } from '../src/panels/forecast.js';
import { GEODESICS_DEFAULTS, type GeodesicsPanelResult, runGeodesicsPanel } from '../src/panels/geodesics.js';

const SEED = 0;
/**
 * webgl vs wasm, relative (lengths, MSE, MAE) or absolute (coverage, AUC). The wasm page equals
 * Node exactly (same wasm binary, same kernels), but webgl runs its own float32 shader kernels
 * (float16 on some GPUs) with different summation orders; the GP-LVM fit, Adam steps and
 * Dijkstra amplify those last-bit differences (seen here: 6e-4 on a geodesic length, 1e-8 on the
 * MSE, identical AUC), so this only checks that webgl computes the same thing, not the same bits.
 */
const WEBGL_TOL = 0.02;
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

    // Long test: software WebGL (SwiftShader, no GPU) took about a minute here, for one comparison.
    it.runIf(process.env.LAB_LONG_TESTS)(
      'webgl (where Chromium offers it) agrees with wasm within WEBGL_TOL',
      async (ctx) => {
        const server = await serveStatic(distDir);
        let gl: PageRun;
        try {
          gl = await runPage(`${server.url}?seed=${SEED}&backend=webgl`, {
            executablePath: chromium!,
            timeoutMs: 120_000,
          });
        } catch (err) {
          // No GPU and no software WebGL in this Chromium: nothing to compare.
          if (/no backend could be initialised \(webgl:/.test(String(err))) {
            ctx.skip('webgl unavailable in this Chromium');
          }
          throw err;
        } finally {
          await server.close();
        }
        expect(gl.backend).toBe('webgl');
        const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
        const g = gl.results.geodesics as GeodesicsPanelResult;
        const w = page.results.geodesics as GeodesicsPanelResult;
        g.pairs.forEach((p, k) => {
          expect(rel(p.riemannianLength, w.pairs[k]!.riemannianLength)).toBeLessThan(WEBGL_TOL);
          expect(rel(p.finslerLength, w.pairs[k]!.finslerLength)).toBeLessThan(WEBGL_TOL);
        });
        const f = gl.results.forecast as ForecastPanelResult;
        const fw = page.results.forecast as ForecastPanelResult;
        expect(rel(f.testMse, fw.testMse)).toBeLessThan(WEBGL_TOL);
        expect(rel(f.testMae, fw.testMae)).toBeLessThan(WEBGL_TOL);
        expect(Math.abs(f.testCoverage - fw.testCoverage)).toBeLessThan(WEBGL_TOL);
        const e = gl.results.edog as EdogPanelResult;
        const ew = page.results.edog as EdogPanelResult;
        expect(e.edges).toBe(ew.edges);
        expect(Math.abs(e.auc - ew.auc)).toBeLessThan(WEBGL_TOL);
      },
      150_000,
    );
  },
);
