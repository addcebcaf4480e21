// Throughput of the metric evaluations and geodesic solve times. Prints a Markdown table.
// Run: pnpm bench (tsx bench/run.ts) from packages/riemann-latent.
import { createRng, initBackend } from '@lab/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  connectingGeodesic,
  createKernel,
  expectedNorm,
  expectedNormDerivatives,
  finslerMetric,
  GaussianProcessDecoder,
  geodesicDistances,
  riemannianMetric,
} from '../src/index.js';

function table(headers: string[], rows: (string | number)[][]): string {
  const line = (c: (string | number)[]) => `| ${c.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Runs fn repeatedly for >= minMs (after a warm-up) and returns ms per call. */
function timeIt(fn: () => void, minMs = 400): number {
  fn();
  let reps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    fn();
    reps++;
  }
  return (performance.now() - t0) / reps;
}

async function main(): Promise<void> {
  const backend = await initBackend();
  const rows: (string | number)[][] = [];
  const rng = createRng(0);

  // 1. expectedNorm (float64 JS) over random h = m / (2 s^2) in [0, 1e4] (log-uniform), per D.
  for (const D of [2, 10, 100, 784, 10_000, 100_000]) {
    const inputs = Array.from({ length: 1000 }, () => ({
      variance: 1,
      meanSquaredNorm: 2 * 10 ** rng.uniform(-3, 4),
    }));
    const msValue = timeIt(() => {
      for (const x of inputs) expectedNorm({ dim: D, ...x });
    });
    const msGrad = timeIt(() => {
      for (const x of inputs) expectedNormDerivatives({ dim: D, ...x });
    });
    rows.push([
      `expectedNorm, D = ${D}`,
      'h log-uniform in [1e-3, 1e4]',
      ((1000 / msValue) * 1000).toFixed(0),
      `${((1000 / msGrad) * 1000).toFixed(0)} (with derivatives)`,
    ]);
  }

  // 2. Metrics on a GP decoder: N = 200 latent training points, D = 50 outputs, RBF kernel.
  const N = 200;
  const D = 50;
  const X = Array.from({ length: N }, () => [rng.normal(), rng.normal()]);
  const W = Array.from({ length: D }, () => [rng.normal(), rng.normal(), rng.uniform(0, 6.28)]);
  const Y = X.map((x) => W.map(([a, b, c]) => Math.sin(a! * x[0]! + b! * x[1]! + c!) + 0.05 * rng.normal()));
  const gp = new GaussianProcessDecoder(X, Y, { kernel: createKernel('rbf'), noiseVariance: 0.01 });
  const n = 1000;
  const z = tf.tensor2d(Array.from({ length: n }, () => [rng.normal(), rng.normal()]));
  const v = tf.tensor2d(Array.from({ length: n }, () => [rng.normal(), rng.normal()]));
  const msF = timeIt(() => tf.dispose(finslerMetric(gp, z, v)));
  const msR = timeIt(() => tf.dispose(riemannianMetric(gp, z, v)));
  rows.push([`finslerMetric, GP (N=${N}, D=${D}, RBF)`, `batch of ${n}`, ((n / msF) * 1000).toFixed(0), '']);
  rows.push([
    `riemannianMetric, GP (N=${N}, D=${D}, RBF)`,
    `batch of ${n}`,
    ((n / msR) * 1000).toFixed(0),
    '',
  ]);
  tf.dispose([z, v]);

  // 3. Geodesic solves between two training points.
  const z0 = X[0]!;
  const z1 = X[1]!;
  for (const [label, opts] of [
    ['connectingGeodesic spline, Finsler, 150 steps, K = 8', { steps: 150, metric: 'finsler' as const }],
    [
      'connectingGeodesic spline, Riemannian, 150 steps, K = 8',
      { steps: 150, metric: 'riemannian' as const },
    ],
    ['connectingGeodesic graph 50x50 + 100 steps, Finsler', { steps: 100, method: 'graph' as const }],
  ] as const) {
    let length = 0;
    const t0 = performance.now();
    const r = connectingGeodesic(gp, z0, z1, { ...opts, seed: 0 });
    const ms = performance.now() - t0;
    length = r.length;
    rows.push([label, `length ${length.toFixed(4)}`, '', `${(ms / 1000).toFixed(2)} s`]);
  }
  const pts = X.slice(0, 20);
  const t0 = performance.now();
  geodesicDistances(gp, pts, { resolution: 50 });
  rows.push([
    'geodesicDistances, 20 points, 50x50 grid, Finsler',
    '190 pairs',
    '',
    `${((performance.now() - t0) / 1000).toFixed(2)} s`,
  ]);
  gp.dispose();

  console.log(
    `Backend: ${backend.backend ?? tf.getBackend()}; Node ${process.version}; ${process.platform}/${process.arch}\n`,
  );
  console.log(table(['what', 'setting', 'evaluations / s', 'time / notes'], rows));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
