import { fileURLToPath } from 'node:url';
import { initBackend } from '@lab/core';
import {
  type ExampleReport,
  fmt,
  markdownTable,
  ProgressBar,
  parseExampleArgs,
  runEnvironment,
  svgLineChart,
  writeReport,
} from '@lab/example-kit';
import { type ConvergenceSettings, runConvergence } from './convergence.js';
import { type GeodesicExperimentResult, type GeodesicSettings, runGeodesicExperiment } from './geodesics.js';
import { fitLogLogSlope } from './logLogFit.js';

async function main(): Promise<void> {
  const started = new Date();
  const args = parseExampleArgs(process.argv.slice(2), {
    defaultOut: fileURLToPath(new URL('../out', import.meta.url)),
  });
  const backend = await initBackend();
  const convergence: ConvergenceSettings = {
    dims: [2, 5, 10, 50, 100, 1000, 10000],
    points: args.quick ? 60 : 100,
    curves: args.quick ? 6 : 12,
    segments: args.quick ? 6 : 8,
    lengthscale: 0.5,
    seed: args.seed,
  };
  const geodesicDims = args.quick ? [3, 50] : [3, 10, 100, 1000];
  const geodesic: Omit<GeodesicSettings, 'dim'> = {
    pointsPerArm: args.quick ? 16 : 24,
    noiseStd: 0.05,
    gplvmSteps: args.quick ? 200 : 400,
    mapResolution: args.quick ? 30 : 40,
    graphResolution: args.quick ? 30 : 50,
    geodesicSteps: args.quick ? 60 : 200,
    seed: args.seed,
  };
  process.stderr.write(
    `Riemannian vs Finsler latent geometry (Pouplin et al. 2023); backend ${backend.backend}${backend.simd ? ' (SIMD)' : ''}\n`,
  );

  // (a) O(1/D) convergence of the two metrics.
  const bar = new ProgressBar('convergence over D', convergence.dims.length);
  const rows = runConvergence(convergence, (done, row) =>
    bar.update(done, `D=${row.dim} rel diff ${row.relativeDifference.toExponential(2)}`),
  );
  const fit = fitLogLogSlope(
    rows.map((r) => r.dim),
    rows.map((r) => r.relativeDifference),
  );
  const tail = rows.filter((r) => r.dim >= 10);
  const fitTail = fitLogLogSlope(
    tail.map((r) => r.dim),
    tail.map((r) => r.relativeDifference),
  );
  bar.finish(`slope ${fit.slope.toFixed(3)}`);

  // (b) GP-LVM latent spaces with geodesics.
  const experiments: GeodesicExperimentResult[] = [];
  const bar2 = new ProgressBar('GP-LVM + geodesics', geodesicDims.length);
  for (const [k, dim] of geodesicDims.entries()) {
    experiments.push(
      await runGeodesicExperiment({ ...geodesic, dim }, (m) => process.stderr.write(`  ${m}\n`)),
    );
    bar2.update(k + 1, `D=${dim}`);
  }
  bar2.finish();

  const geodesics = experiments.flatMap((e) =>
    e.geodesics.map((g) => ({
      dim: e.dim,
      pair: g.pair,
      riemannianLength: g.riemannianLength,
      finslerLength: g.finslerLength,
      relativeDifference: g.relativeDifference,
      riemannianCurveFinslerLength: g.riemannianCurveFinslerLength,
      finslerCurveRiemannianLength: g.finslerCurveRiemannianLength,
      straightRiemannianLength: g.straightRiemannianLength,
      straightFinslerLength: g.straightFinslerLength,
      maxCurveSeparation: g.maxCurveSeparation,
    })),
  );
  const meanRel = (dim: number) => {
    const gs = geodesics.filter((g) => g.dim === dim);
    return gs.reduce((s, g) => s + g.relativeDifference, 0) / gs.length;
  };
  const lowD = experiments[0]!;
  const highD = experiments.at(-1)!;
  const metrics = {
    convergence: {
      slope: fit.slope,
      intercept: fit.intercept,
      slopeFromD10: fitTail.slope,
      rows,
    },
    geodesics,
    latent: experiments.map((e) => ({
      dim: e.dim,
      numPoints: e.numPoints,
      ...e.gplvm,
      meanMetricGap: e.meanMetricGap,
      metricGapHighVariance: e.metricGapHighVariance,
      metricGapLowVariance: e.metricGapLowVariance,
      meanVolumeGap: e.meanVolumeGap,
      maxVolumeGap: e.maxVolumeGap,
      meanGeodesicRelativeDifference: meanRel(e.dim),
    })),
  };
  const env = runEnvironment(`${backend.backend}${backend.simd ? ' (SIMD)' : ''}`);
  const rowAt = (d: number) => rows.find((r) => r.dim === d)!;
  const report: ExampleReport = {
    example: 'latent-geodesics',
    title: 'Riemannian vs Finsler distances in GP latent spaces (Pouplin et al., TMLR 2023)',
    schemaVersion: 1,
    quick: args.quick,
    seed: args.seed,
    settings: { convergence, geodesic: { ...geodesic, dims: geodesicDims } },
    metrics,
    summary: [
      {
        label: 'log-log slope of (L_R - L_F)/L_R vs D',
        value: fmt(fit.slope, 3),
        reference: '-1 (O(1/D), paper)',
      },
      {
        label: 'relative length difference, D = 2',
        value: rowAt(2).relativeDifference.toExponential(2),
        reference: '',
      },
      {
        label: 'relative length difference, D = 10^4',
        value: rowAt(10000).relativeDifference.toExponential(2),
        reference: '',
      },
      {
        label: `geodesic length difference, GP-LVM D = ${lowD.dim} / D = ${highD.dim}`,
        value: `${(100 * meanRel(lowD.dim)).toFixed(3)}% / ${(100 * meanRel(highD.dim)).toFixed(3)}%`,
        reference: 'differ at low D, agree at high D',
      },
      {
        label: `metric gap 1 - F/sqrt(vGv), D = ${lowD.dim}: high / low posterior variance`,
        value: `${(100 * lowD.metricGapHighVariance).toFixed(2)}% / ${(100 * lowD.metricGapLowVariance).toFixed(2)}%`,
        reference: 'largest where the variance is high',
      },
    ],
    environment: env,
    startedAt: started.toISOString(),
    durationSeconds: (Date.now() - started.getTime()) / 1000,
  };

  const convTable = markdownTable(
    ['D', 'mean (L_R - L_F)/L_R', 'max over curves', 'mean L_R', 'mean L_F'],
    rows.map((r) => [
      r.dim,
      r.relativeDifference.toExponential(3),
      r.maxRelativeDifference.toExponential(3),
      fmt(r.riemannianLength, 5),
      fmt(r.finslerLength, 5),
    ]),
  );
  const geoTable = markdownTable(
    [
      'D',
      'pair',
      'Riemannian geodesic L_R',
      'Finsler geodesic L_F',
      'rel. diff',
      'L_F of Riem. geodesic',
      'straight L_R',
      'max separation',
    ],
    geodesics.map((g) => [
      g.dim,
      g.pair,
      fmt(g.riemannianLength, 4),
      fmt(g.finslerLength, 4),
      `${(100 * g.relativeDifference).toFixed(3)}%`,
      fmt(g.riemannianCurveFinslerLength, 4),
      fmt(g.straightRiemannianLength, 4),
      `${(100 * g.maxCurveSeparation).toFixed(2)}%`,
    ]),
  );
  const latentTable = markdownTable(
    [
      'D',
      'N',
      'log p(Y) start -> end',
      'lengthscale',
      'noise var',
      'mean metric gap',
      'gap, top-10% variance',
      'gap, bottom-10% variance',
      'volume gap mean / max',
    ],
    metrics.latent.map((l) => [
      l.dim,
      l.numPoints,
      `${fmt(l.initialLogMarginalLikelihood, 1)} -> ${fmt(l.logMarginalLikelihood, 1)}`,
      fmt(l.lengthscale, 3),
      l.noiseVariance.toExponential(2),
      `${(100 * l.meanMetricGap).toFixed(3)}%`,
      `${(100 * l.metricGapHighVariance).toFixed(3)}%`,
      `${(100 * l.metricGapLowVariance).toFixed(3)}%`,
      `${(100 * l.meanVolumeGap).toFixed(3)}% / ${(100 * l.maxVolumeGap).toFixed(2)}%`,
    ]),
  );
  const body = [
    '## (a) O(1/D) convergence of the Riemannian and Finsler lengths',
    '',
    `Fitted log-log slope ${fit.slope.toFixed(3)} over all D (${fitTail.slope.toFixed(3)} for D >= 10); the paper's bound is`,
    '(v^T G v - F^2)/(v^T G v) <= 1/(D + w), i.e. slope -1.',
    '',
    convTable,
    '',
    '## (b) GP-LVM on pinwheel data on a sphere in R^D: geodesics',
    '',
    latentTable,
    '',
    geoTable,
    '',
    'Metric gap: 1 - F(z, v)/sqrt(v^T G v) averaged over v = e1, e2; volume gap: 1 - sigma_F/sigma_R with sigma_R = sqrt(det G) and',
    'sigma_F the Busemann-Hausdorff volume element of F. Maps: `latent-D*.svg` show log10 sqrt(det G), `volume-gap-D*.svg` the volume',
    'gap; solid = Riemannian geodesic, dashed = Finsler geodesic.',
  ].join('\n');
  const svgs: Record<string, string> = {
    'convergence.svg': svgLineChart({
      title: 'Relative difference of Riemannian and Finsler curve lengths',
      xLabel: 'output dimension D',
      yLabel: '(L_R - L_F) / L_R',
      logX: true,
      logY: true,
      series: [
        { name: 'measured (mean)', x: rows.map((r) => r.dim), y: rows.map((r) => r.relativeDifference) },
        {
          name: `fit, slope ${fit.slope.toFixed(2)}`,
          x: rows.map((r) => r.dim),
          y: rows.map((r) => 10 ** (fit.intercept + fit.slope * Math.log10(r.dim))),
        },
      ],
    }),
  };
  for (const e of experiments) {
    svgs[`latent-D${e.dim}.svg`] = e.svg;
    svgs[`volume-gap-D${e.dim}.svg`] = e.gapSvg;
  }
  report.durationSeconds = (Date.now() - started.getTime()) / 1000;
  await writeReport(args.out, report, body, svgs);
  process.stderr.write(
    `wrote ${args.out}/report.json, report.md and ${Object.keys(svgs).length} SVGs in ${report.durationSeconds.toFixed(1)} s\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
