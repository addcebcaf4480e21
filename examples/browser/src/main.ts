// `pnpm --filter @lab/example-browser start -- [--quick] [--out DIR] [--seed N]`: builds the page
// into dist/, and if Chromium is on PATH opens it (wasm backend) and records the numbers the page
// computed; writes DIR/report.json and report.md (and DIR/screenshot.png). The page is already
// small, so --quick changes nothing.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ExampleReport,
  fmt,
  markdownTable,
  parseExampleArgs,
  runEnvironment,
  writeReport,
} from '@lab/example-kit';
import { buildPage, distDir, findChromium, type PageRun, runPage, serveStatic } from './browserRun.js';
import type { EdogPanelResult } from './panels/edog.js';
import type { ForecastPanelResult } from './panels/forecast.js';
import type { GeodesicsPanelResult } from './panels/geodesics.js';

function listFiles(dir: string): Array<{ file: string; bytes: number }> {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => {
      const path = join(d.parentPath, d.name);
      return { file: relative(dir, path), bytes: statSync(path).size };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}

async function main(): Promise<void> {
  const started = new Date();
  const args = parseExampleArgs(process.argv.slice(2), {
    defaultOut: fileURLToPath(new URL('../out', import.meta.url)),
  });
  process.stderr.write('building the page (vite build) ...\n');
  await buildPage();
  const files = listFiles(distDir);
  const totalBytes = files.reduce((s, f) => s + f.bytes, 0);
  process.stderr.write(
    `built ${distDir} (${files.length} files, ${(totalBytes / 1e6).toFixed(2)} MB); ` +
      `open it with \`pnpm --filter @lab/example-browser preview\` or any static file server\n`,
  );

  const chromium = findChromium();
  let run: PageRun | null = null;
  if (chromium === null) {
    process.stderr.write('no chromium on PATH (apt-get install -y chromium): the page was built, not run\n');
  } else {
    const server = await serveStatic(distDir);
    try {
      process.stderr.write(`running the page in ${chromium} ...\n`);
      run = await runPage(`${server.url}?seed=${args.seed}`, {
        executablePath: chromium,
        screenshot: join(args.out, 'screenshot.png'),
      });
    } finally {
      await server.close();
    }
  }
  const geo = run?.results.geodesics as GeodesicsPanelResult | undefined;
  const fc = run?.results.forecast as ForecastPanelResult | undefined;
  const edog = run?.results.edog as EdogPanelResult | undefined;
  const metrics = {
    build: { files, totalBytes },
    browser:
      run === null || geo === undefined || fc === undefined || edog === undefined
        ? null
        : {
            executable: chromium,
            backend: run.backend,
            simd: run.simd,
            geodesics: geo.pairs.map((p) => ({
              pair: p.pair,
              riemannianLength: p.riemannianLength,
              finslerLength: p.finslerLength,
              relativeDifference: p.relativeDifference,
            })),
            forecast: {
              testMse: fc.testMse,
              testMae: fc.testMae,
              testCoverage: fc.testCoverage,
              halfWidthFirstStep: fc.halfWidth[0],
              halfWidthLastStep: fc.halfWidth.at(-1),
            },
            edog: {
              nodes: edog.nodes,
              edges: edog.edges,
              injected: edog.injected,
              auc: edog.auc,
              hitsAtSuspects: edog.hitsAtSuspects,
              suspects: edog.suspects.length,
            },
          },
  };
  const b = metrics.browser;
  const report: ExampleReport = {
    example: 'browser',
    title: 'The @lab packages in the browser (Vite static page, wasm backend)',
    schemaVersion: 1,
    quick: args.quick,
    seed: args.seed,
    settings: { page: 'dist/index.html', url: `?seed=${args.seed}&backend=wasm` },
    metrics,
    summary: [
      { label: 'built page size', value: `${(totalBytes / 1e6).toFixed(2)} MB`, reference: '' },
      ...(b === null
        ? [{ label: 'browser run', value: 'skipped (no chromium)', reference: '' }]
        : [
            { label: 'browser backend', value: `${b.backend}${b.simd ? ' (SIMD)' : ''}`, reference: 'wasm' },
            {
              label: 'geodesic length gap (L_R - L_F)/L_R',
              value: b.geodesics.map((g) => `${(100 * g.relativeDifference).toFixed(2)}%`).join(' / '),
              reference: '> 0 at low D',
            },
            {
              label: 'ETTh1 90% interval test coverage',
              value: `${(100 * b.forecast.testCoverage).toFixed(1)}%`,
              reference: '90%',
            },
            { label: 'EDoG ROC-AUC (DICE insertions)', value: fmt(b.edog.auc, 3), reference: '' },
          ]),
    ],
    environment: runEnvironment(b === null ? 'not run' : `${b.backend} in Chromium`),
    startedAt: started.toISOString(),
    durationSeconds: (Date.now() - started.getTime()) / 1000,
  };
  const body = [
    '## Build',
    '',
    markdownTable(
      ['file', 'bytes'],
      files.map((f) => [f.file, f.bytes]),
    ),
    '',
    '## Browser run',
    '',
    b === null
      ? 'Not run: no `chromium` on PATH (`apt-get install -y chromium`).'
      : [
          `Backend ${b.backend}${b.simd ? ' (SIMD)' : ''}; screenshot: screenshot.png.`,
          '',
          markdownTable(
            ['pair', 'L_R', 'L_F', '(L_R - L_F)/L_R'],
            b.geodesics.map((g) => [
              g.pair,
              fmt(g.riemannianLength, 4),
              fmt(g.finslerLength, 4),
              `${(100 * g.relativeDifference).toFixed(2)}%`,
            ]),
          ),
          '',
          `Forecast (DLinear, ETTh1 first 2400 rows): test MSE ${fmt(b.forecast.testMse, 4)}, MAE ${fmt(b.forecast.testMae, 4)}, ` +
            `90% interval coverage ${(100 * b.forecast.testCoverage).toFixed(1)}%.`,
          '',
          `EDoG: ${b.edog.nodes} nodes, ${b.edog.edges} edges, ${b.edog.injected} inserted by DICE; ROC-AUC ${fmt(b.edog.auc, 3)}, ` +
            `${b.edog.hitsAtSuspects}/${b.edog.suspects} top suspects inserted.`,
        ].join('\n'),
  ].join('\n');
  report.durationSeconds = (Date.now() - started.getTime()) / 1000;
  await writeReport(args.out, report, body);
  process.stderr.write(
    `wrote ${args.out}/report.json and report.md in ${report.durationSeconds.toFixed(1)} s\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
