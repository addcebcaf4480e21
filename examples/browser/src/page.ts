// The page: initialises the backend, runs the three panels one after another with a progress bar
// each, draws them and writes each panel's numbers into its section's `data-result` attribute
// (JSON), so test/browser.test.ts can read them. URL parameters: `?seed=N` (default 0) and
// `?backend=wasm|webgl|webgpu|auto|cpu` (default wasm: the backend whose numbers match Node's).
import { type BackendName, initBackend } from '@lab/core';
import { drawEdog, drawForecast, drawGeodesics } from './draw.js';
import { EDOG_DEFAULTS, runEdogPanel } from './panels/edog.js';
import { FORECAST_DEFAULTS, runForecastPanel } from './panels/forecast.js';
import { GEODESICS_DEFAULTS, runGeodesicsPanel } from './panels/geodesics.js';
import type { Progress } from './panels/progress.js';

const params = new URLSearchParams(location.search);
const seed = Number(params.get('seed') ?? '0');
const requested = (params.get('backend') ?? 'wasm') as BackendName;

function section(id: string) {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`missing #${id}`);
  return {
    el,
    bar: el.querySelector('progress')!,
    status: el.querySelector<HTMLElement>('.status')!,
    canvas: el.querySelector('canvas')!,
    numbers: el.querySelector<HTMLElement>('.numbers')!,
  };
}

async function runPanel<T>(
  id: string,
  compute: (progress: Progress) => Promise<T>,
  draw: (canvas: HTMLCanvasElement, result: T) => void,
  summary: (result: T) => string,
): Promise<boolean> {
  const s = section(id);
  s.el.dataset.state = 'running';
  const t0 = performance.now();
  try {
    const result = await compute((fraction, message) => {
      s.bar.value = fraction;
      s.status.textContent = message;
    });
    draw(s.canvas, result);
    s.numbers.textContent = summary(result);
    s.status.textContent = `done in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
    s.el.dataset.result = JSON.stringify(result);
    s.el.dataset.state = 'done';
    return true;
  } catch (err) {
    s.status.textContent = `failed: ${err instanceof Error ? err.message : String(err)}`;
    s.status.classList.add('error');
    s.el.dataset.state = 'error';
    console.error(err);
    return false;
  }
}

async function main(): Promise<void> {
  const backendEl = document.getElementById('backend')!;
  // webgl is opt-in: importing @lab/core/webgl registers it (and needs the optional peer
  // @tensorflow/tfjs-backend-webgl installed); wasm and cpu come with @lab/core.
  if (requested === 'webgl' || requested === 'auto') await import('@lab/core/webgl');
  // The wasm binaries are copied into dist/wasm/ at build time (vite.config.ts).
  let backend: Awaited<ReturnType<typeof initBackend>>;
  try {
    backend = await initBackend({ backend: requested, wasmPaths: new URL('wasm/', location.href).href });
  } catch (err) {
    backendEl.dataset.status = 'error';
    backendEl.textContent = `FAILED: ${err instanceof Error ? err.message : String(err)}`;
    throw err;
  }
  const label = `${backend.backend}${backend.simd ? ' (SIMD)' : ''}${backend.threads ? ' (threads)' : ''}`;
  backendEl.dataset.backend = backend.backend;
  backendEl.dataset.simd = String(backend.simd);
  backendEl.dataset.failed = JSON.stringify(backend.failed);
  if (backend.backend === 'cpu' && requested !== 'cpu') {
    backendEl.dataset.status = 'error';
    backendEl.textContent = `FELL BACK TO CPU (${backend.failed.map((f) => `${f.backend}: ${f.error}`).join('; ')})`;
    throw new Error('fell back to the cpu backend');
  }
  backendEl.dataset.status = 'ok';
  backendEl.textContent =
    label +
    (backend.failed.length > 0 ? ` (unavailable: ${backend.failed.map((f) => f.backend).join(', ')})` : '');

  const csv = await fetch(new URL('data/ETTh1.csv', location.href)).then((r) => {
    if (!r.ok) throw new Error(`data/ETTh1.csv: HTTP ${r.status}`);
    return r.text();
  });
  const ok = [
    await runPanel(
      'geodesics',
      (p) => runGeodesicsPanel({ ...GEODESICS_DEFAULTS, seed }, p),
      drawGeodesics,
      (r) =>
        r.pairs
          .map(
            (g) =>
              `${g.pair}: L_R ${g.riemannianLength.toFixed(4)}, L_F ${g.finslerLength.toFixed(4)} (${(100 * g.relativeDifference).toFixed(2)}%)`,
          )
          .join('\n'),
    ),
    await runPanel(
      'forecast',
      (p) => runForecastPanel(csv, { ...FORECAST_DEFAULTS, seed }, p),
      drawForecast,
      (r) =>
        `test MSE ${r.testMse.toFixed(4)}, MAE ${r.testMae.toFixed(4)} (z-scale, ${r.testWindows} windows)\n` +
        `90% interval: test coverage ${(100 * r.testCoverage).toFixed(1)}%, half-width ${r.halfWidth[0]!.toFixed(2)} -> ${r.halfWidth.at(-1)!.toFixed(2)} deg C`,
    ),
    await runPanel(
      'edog',
      (p) => runEdogPanel({ ...EDOG_DEFAULTS, seed }, p),
      drawEdog,
      (r) =>
        `${r.nodes} nodes, ${r.edges} edges, ${r.injected} injected by DICE\n` +
        `EDoG ROC-AUC ${r.auc.toFixed(3)}; ${r.hitsAtSuspects}/${r.suspects.length} top suspects injected`,
    ),
  ];
  document.body.dataset.state = ok.every(Boolean) ? 'done' : 'error';
}

main().catch((err) => {
  const banner = document.createElement('p');
  banner.className = 'error';
  banner.textContent = `Error: ${err instanceof Error ? err.message : String(err)}`;
  document.body.prepend(banner);
  document.body.dataset.state = 'error';
  console.error(err);
});
