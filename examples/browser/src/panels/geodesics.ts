import {
  connectingGeodesic,
  curveLength,
  embedInDimensions,
  GPLVM,
  pinwheel,
  volumeGrid,
} from '@lab/riemann-latent';
import { nextFrame, type Progress } from './progress.js';

/** Settings of the geodesics panel (small, so it runs in seconds on one core). */
export interface GeodesicsPanelSettings {
  seed: number;
  /** Output dimension D of the data (low, so the two metrics visibly differ). */
  dim: number;
  /** Points per pinwheel arm (4 arms). */
  pointsPerArm: number;
  /** Adam steps of the GP-LVM fit. */
  gplvmSteps: number;
  /** Heat-map and Dijkstra grid resolution. */
  resolution: number;
  /** Adam steps refining each geodesic spline. */
  geodesicSteps: number;
}

export const GEODESICS_DEFAULTS: Omit<GeodesicsPanelSettings, 'seed'> = {
  dim: 3,
  pointsPerArm: 10,
  gplvmSteps: 80,
  resolution: 16,
  geodesicSteps: 20,
};

/** One pair of end points: both geodesics and their lengths under their own metric. */
interface GeodesicPair {
  pair: string;
  riemannianLength: number;
  finslerLength: number;
  /** (riemannianLength - finslerLength) / riemannianLength. */
  relativeDifference: number;
  /** Curves sampled at 33 equally spaced parameters, for drawing. */
  riemannianCurve: number[][];
  finslerCurve: number[][];
}

/** What the panel computes (numbers only, so the page and the Node test can compare them). */
export interface GeodesicsPanelResult {
  numPoints: number;
  logMarginalLikelihood: number;
  lengthscale: number;
  bounds: [[number, number], [number, number]];
  resolution: number;
  /** log10 sqrt(det G) at grid point (xs[i], ys[j]) stored at [j * resolution + i]. */
  logVolume: number[];
  latent: number[][];
  labels: number[];
  pairs: GeodesicPair[];
}

/** The point of each arm with the largest original radius. */
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
 * A GP-LVM on pinwheel data mapped onto a sphere in R^D, the volume measure of its latent space,
 * and Riemannian and Finsler geodesics between arm tips (Dijkstra on a latent grid refined by a
 * spline), as examples/latent-geodesics does at a larger size.
 */
export async function runGeodesicsPanel(
  settings: GeodesicsPanelSettings,
  progress: Progress = () => {},
): Promise<GeodesicsPanelResult> {
  const arms = 4;
  const { points, labels } = pinwheel({ seed: settings.seed, arms, pointsPerArm: settings.pointsPerArm });
  const Y = embedInDimensions(points, {
    seed: settings.seed,
    dim: settings.dim,
    map: 'sphere',
    radius: 1,
    noiseStd: 0.05,
  });
  const model = new GPLVM();
  progress(0, 'fitting the GP-LVM');
  await model.fit(Y, {
    seed: settings.seed,
    steps: settings.gplvmSteps,
    learningRate: 0.05,
    onProgress: (p) => progress((0.6 * (p.epoch + 1)) / settings.gplvmSteps, `GP-LVM step ${p.epoch + 1}`),
  });
  try {
    const dec = model.decoder;
    const X = model.latent;
    const xs = X.map((p) => p[0]!);
    const ys = X.map((p) => p[1]!);
    const pad = 0.12 * Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
    const bounds: [[number, number], [number, number]] = [
      [Math.min(...xs) - pad, Math.max(...xs) + pad],
      [Math.min(...ys) - pad, Math.max(...ys) + pad],
    ];
    const R = settings.resolution;
    progress(0.6, 'volume measure');
    await nextFrame();
    const logVolume = volumeGrid(dec, { bounds, resolution: R, kind: 'riemannian' }).values.map((v) =>
      Math.log10(v),
    );
    const tips = armTips(points, labels, arms);
    const pairs: [number, number][] = [
      [0, 1],
      [0, 2],
    ];
    const ts = Array.from({ length: 33 }, (_, i) => i / 32);
    const out: GeodesicPair[] = [];
    for (const [k, [a, b]] of pairs.entries()) {
      progress(0.65 + (0.35 * k) / pairs.length, `geodesics arm ${a} -> arm ${b}`);
      await nextFrame();
      const z0 = X[tips[a]!]!;
      const z1 = X[tips[b]!]!;
      const common = {
        method: 'graph' as const,
        steps: settings.geodesicSteps,
        grid: { bounds, resolution: R },
        segments: 8,
      };
      const rg = connectingGeodesic(dec, z0, z1, { ...common, metric: 'riemannian' });
      const fg = connectingGeodesic(dec, z0, z1, { ...common, metric: 'finsler' });
      const riemannianLength = curveLength(dec, rg.curve, { metric: 'riemannian' });
      const finslerLength = curveLength(dec, fg.curve, { metric: 'finsler' });
      out.push({
        pair: `arm ${a} -> arm ${b}`,
        riemannianLength,
        finslerLength,
        relativeDifference: (riemannianLength - finslerLength) / riemannianLength,
        riemannianCurve: rg.curve.evaluate(ts),
        finslerCurve: fg.curve.evaluate(ts),
      });
    }
    progress(1, 'done');
    return {
      numPoints: X.length,
      logMarginalLikelihood: model.logMarginalLikelihood,
      lengthscale: model.lengthscale,
      bounds,
      resolution: R,
      logVolume: Array.from(logVolume),
      latent: X,
      labels,
      pairs: out,
    };
  } finally {
    model.dispose();
  }
}
