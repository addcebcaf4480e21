import {
  CubicSpline,
  connectingGeodesic,
  curveLength,
  embedInDimensions,
  finslerMetric,
  GPLVM,
  pinwheel,
  riemannianMetric,
  volumeGrid,
} from '@lab/riemann-latent';
import * as tf from '@tensorflow/tfjs-core';
import { type MapCurve, svgLatentMap } from './latentMap.js';

/** Settings of one GP-LVM geodesic experiment. */
export interface GeodesicSettings {
  /** Output dimension D of the data. */
  dim: number;
  /** Points per pinwheel arm (5 arms). */
  pointsPerArm: number;
  /** Standard deviation of the Gaussian noise added to every output coordinate. */
  noiseStd: number;
  /** Adam steps of the GP-LVM fit. */
  gplvmSteps: number;
  /** Heat-map grid resolution. */
  mapResolution: number;
  /** Dijkstra grid resolution of the geodesic initialisation. */
  graphResolution: number;
  /** Adam steps refining each geodesic spline. */
  geodesicSteps: number;
  seed: number;
}

/** One pair of end points, measured with both metrics. */
interface GeodesicRecord {
  pair: string;
  from: number[];
  to: number[];
  /** Length of the Riemannian geodesic under the Riemannian metric. */
  riemannianLength: number;
  /** Length of the Finsler geodesic under the Finsler metric. */
  finslerLength: number;
  /** (riemannianLength - finslerLength) / riemannianLength. */
  relativeDifference: number;
  /** Finsler length of the Riemannian geodesic (>= finslerLength if both optimisations converged). */
  riemannianCurveFinslerLength: number;
  /** Riemannian length of the Finsler geodesic. */
  finslerCurveRiemannianLength: number;
  /** Straight latent line, Riemannian and Finsler lengths. */
  straightRiemannianLength: number;
  straightFinslerLength: number;
  /** Largest distance between the two geodesics at equal parameter t, relative to |z1 - z0|. */
  maxCurveSeparation: number;
}

/** Result of {@link runGeodesicExperiment}. */
export interface GeodesicExperimentResult {
  dim: number;
  numPoints: number;
  gplvm: {
    logMarginalLikelihood: number;
    initialLogMarginalLikelihood: number;
    lengthscale: number;
    variance: number;
    noiseVariance: number;
  };
  geodesics: GeodesicRecord[];
  /** Mean over the grid of the relative metric gap 1 - F / sqrt(v^T G v) (v = the two axes). */
  meanMetricGap: number;
  /** Relative metric gap at the 10% of grid points with the highest posterior variance, and at the 10% lowest. */
  metricGapHighVariance: number;
  metricGapLowVariance: number;
  /** Mean and largest over the grid of 1 - sigma_F / sigma_R (Busemann-Hausdorff vs Riemannian volume element). */
  meanVolumeGap: number;
  maxVolumeGap: number;
  /** Latent map with the Riemannian volume element as background. */
  svg: string;
  /** Latent map with the relative volume gap 1 - sigma_F / sigma_R as background. */
  gapSvg: string;
}

/** The arm tips (largest original radius per arm) used as geodesic end points. */
function armTips(points: number[][], labels: number[], arms: number): number[] {
  const tips: number[] = [];
  for (let a = 0; a < arms; a++) {
    let best = -1;
    let r = -1;
    points.forEach((p, i) => {
      const ri = Math.hypot(p[0]!, p[1]!);
      if (labels[i] === a && ri > r) {
        r = ri;
        best = i;
      }
    });
    tips.push(best);
  }
  return tips;
}

/**
 * GP-LVM on pinwheel data mapped onto a sphere and into R^D (plus noise); the latent space's
 * volume measure sqrt(det G) as a heat map, Riemannian and Finsler geodesics between arm tips
 * (Dijkstra on a latent grid refined by a spline, as the paper recommends), and the relative gap
 * between the two metrics over the latent grid.
 */
export async function runGeodesicExperiment(
  settings: GeodesicSettings,
  log: (msg: string) => void = () => {},
): Promise<GeodesicExperimentResult> {
  const arms = 5;
  const { points, labels } = pinwheel({ seed: settings.seed, arms, pointsPerArm: settings.pointsPerArm });
  const Y = embedInDimensions(points, {
    seed: settings.seed,
    dim: settings.dim,
    map: 'sphere',
    radius: 1,
    noiseStd: settings.noiseStd,
  });
  const model = new GPLVM();
  await model.fit(Y, { seed: settings.seed, steps: settings.gplvmSteps, learningRate: 0.05 });
  try {
    const dec = model.decoder;
    const X = model.latent;
    log(
      `D=${settings.dim}: GP-LVM log marginal likelihood ${model.history[0]?.logMarginalLikelihood.toFixed(1)} -> ${model.logMarginalLikelihood.toFixed(1)}, ` +
        `lengthscale ${model.lengthscale.toFixed(3)}, noise ${model.noiseVariance.toExponential(2)}`,
    );
    let xmin = Number.POSITIVE_INFINITY;
    let xmax = Number.NEGATIVE_INFINITY;
    let ymin = Number.POSITIVE_INFINITY;
    let ymax = Number.NEGATIVE_INFINITY;
    for (const [x, y] of X) {
      xmin = Math.min(xmin, x!);
      xmax = Math.max(xmax, x!);
      ymin = Math.min(ymin, y!);
      ymax = Math.max(ymax, y!);
    }
    const pad = 0.12 * Math.max(xmax - xmin, ymax - ymin);
    const bounds: [[number, number], [number, number]] = [
      [xmin - pad, xmax + pad],
      [ymin - pad, ymax + pad],
    ];

    // Heat maps on the grid: log10 volume sqrt(det G), and the relative metric gap.
    const R = settings.mapResolution;
    const grid: number[][] = [];
    for (let i = 0; i < R; i++) {
      for (let j = 0; j < R; j++) {
        grid.push([
          bounds[0][0] + ((bounds[0][1] - bounds[0][0]) * i) / (R - 1),
          bounds[1][0] + ((bounds[1][1] - bounds[1][0]) * j) / (R - 1),
        ]);
      }
    }
    // Volume elements from the package (Riemannian sqrt(det G), Finsler Busemann-Hausdorff); the
    // package stores values[j * R + i] at (xs[i], ys[j]); the map wants values[i * R + j].
    const volR = volumeGrid(dec, { bounds, resolution: R, kind: 'riemannian' }).values;
    const volF = volumeGrid(dec, { bounds, resolution: R, kind: 'finsler' }).values;
    const logVolume = new Array<number>(R * R);
    const volumeGap = new Array<number>(R * R);
    for (let i = 0; i < R; i++) {
      for (let j = 0; j < R; j++) {
        logVolume[i * R + j] = Math.log10(volR[j * R + i]!);
        volumeGap[i * R + j] = 1 - volF[j * R + i]! / volR[j * R + i]!;
      }
    }
    const { gap, variance } = tf.tidy(() => {
      const z = tf.tensor2d(grid);
      const gaps = new Float64Array(grid.length);
      for (const dir of [
        [1, 0],
        [0, 1],
      ]) {
        const v = tf.tile(tf.tensor2d([dir]), [grid.length, 1]) as tf.Tensor2D;
        const f = finslerMetric(dec, z, v).dataSync();
        const r = riemannianMetric(dec, z, v).dataSync();
        for (let k = 0; k < grid.length; k++) gaps[k]! += (1 - f[k]! / r[k]!) / 2;
      }
      const variance = Array.from(dec.predict(z).variance.dataSync());
      return { gap: Array.from(gaps), variance };
    });
    const order = variance.map((v, k) => [v, k] as const).sort((a, b) => a[0] - b[0]);
    const tenth = Math.max(1, Math.floor(order.length / 10));
    const meanOf = (ks: readonly (readonly [number, number])[]) =>
      ks.reduce((s, [, k]) => s + gap[k]!, 0) / ks.length;

    // Geodesics between arm tips.
    const tips = armTips(points, labels, arms);
    const pairs: [number, number][] = [
      [0, 1],
      [0, 2],
      [1, 3],
    ];
    const colors = ['#111111', '#ff4d4d', '#7fd4ff'];
    const curves: MapCurve[] = [];
    const records: GeodesicRecord[] = [];
    pairs.forEach(([a, b], k) => {
      const z0 = X[tips[a]!]!;
      const z1 = X[tips[b]!]!;
      const common = {
        method: 'graph' as const,
        steps: settings.geodesicSteps,
        grid: { bounds, resolution: settings.graphResolution },
        segments: 10,
      };
      const rg = connectingGeodesic(dec, z0, z1, { ...common, metric: 'riemannian' });
      const fg = connectingGeodesic(dec, z0, z1, { ...common, metric: 'finsler' });
      const line = CubicSpline.line(z0, z1, 10);
      const ts = Array.from({ length: 65 }, (_, i) => i / 64);
      const pr = rg.curve.evaluate(ts);
      const pf = fg.curve.evaluate(ts);
      const span = Math.hypot(z1[0]! - z0[0]!, z1[1]! - z0[1]!);
      const sep = Math.max(...pr.map((p, i) => Math.hypot(p[0]! - pf[i]![0]!, p[1]! - pf[i]![1]!))) / span;
      const rec: GeodesicRecord = {
        pair: `arm ${a} -> arm ${b}`,
        from: z0,
        to: z1,
        riemannianLength: curveLength(dec, rg.curve, { metric: 'riemannian' }),
        finslerLength: curveLength(dec, fg.curve, { metric: 'finsler' }),
        relativeDifference: 0,
        riemannianCurveFinslerLength: curveLength(dec, rg.curve, { metric: 'finsler' }),
        finslerCurveRiemannianLength: curveLength(dec, fg.curve, { metric: 'riemannian' }),
        straightRiemannianLength: curveLength(dec, line, { metric: 'riemannian' }),
        straightFinslerLength: curveLength(dec, line, { metric: 'finsler' }),
        maxCurveSeparation: sep,
      };
      rec.relativeDifference = (rec.riemannianLength - rec.finslerLength) / rec.riemannianLength;
      records.push(rec);
      curves.push(
        { name: `${rec.pair} Riemannian`, points: pr, color: colors[k]!, dashed: false },
        { name: `${rec.pair} Finsler`, points: pf, color: colors[k]!, dashed: true },
      );
      log(
        `D=${settings.dim} ${rec.pair}: Riemannian ${rec.riemannianLength.toFixed(4)}, Finsler ${rec.finslerLength.toFixed(4)} ` +
          `(relative difference ${(100 * rec.relativeDifference).toFixed(3)}%), straight line ${rec.straightRiemannianLength.toFixed(4)}`,
      );
    });
    const svg = svgLatentMap({
      title: `GP-LVM latent space, pinwheel on a sphere in D = ${settings.dim}`,
      values: logVolume,
      resolution: R,
      bounds,
      valueLabel: 'log10 sqrt(det G)',
      points: X,
      labels,
      curves,
    });
    const gapSvg = svgLatentMap({
      title: `Relative volume gap 1 - sigma_F / sigma_R, D = ${settings.dim}`,
      values: volumeGap,
      resolution: R,
      bounds,
      valueLabel: '1 - sigma_F / sigma_R',
      points: X,
      labels,
      curves,
    });
    return {
      dim: settings.dim,
      numPoints: X.length,
      gplvm: {
        logMarginalLikelihood: model.logMarginalLikelihood,
        initialLogMarginalLikelihood: model.history[0]?.logMarginalLikelihood ?? Number.NaN,
        lengthscale: model.lengthscale,
        variance: model.variance,
        noiseVariance: model.noiseVariance,
      },
      geodesics: records,
      meanMetricGap: gap.reduce((s, v) => s + v, 0) / gap.length,
      metricGapHighVariance: meanOf(order.slice(-tenth)),
      metricGapLowVariance: meanOf(order.slice(0, tenth)),
      meanVolumeGap: volumeGap.reduce((a, v) => a + v, 0) / volumeGap.length,
      maxVolumeGap: Math.max(...volumeGap),
      svg,
      gapSvg,
    };
  } finally {
    model.dispose();
  }
}
