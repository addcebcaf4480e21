import {
  CubicSpline,
  createKernel,
  curveLength,
  embedInDimensions,
  GaussianProcessDecoder,
  pinwheel,
} from '@lab/riemann-latent';
import { createRng } from '@lab/core';


/** One output dimension of the convergence experiment. */
export interface ConvergenceRow {
  dim: number;
  /** Mean over curves of (L_Riemannian - L_Finsler) / L_Riemannian. */
  relativeDifference: number;
  /** Largest per-curve relative difference. */
  maxRelativeDifference: number;
  /** Mean Riemannian and Finsler lengths of the curves. */
  riemannianLength: number;
  finslerLength: number;
}

/** Settings of {@link runConvergence}. */
export interface ConvergenceSettings {
  dims: number[];
  /** Training points of the GP decoder (pinwheel latent points). */
  points: number;
  /** Number of random straight curves between training points. */
  curves: number;
  /** Cubic pieces of each curve (measured by 4-point Gauss-Legendre quadrature per piece). */
  segments: number;
  lengthscale: number;
  seed: number;
}

/**
 * The O(1/D) convergence of the Riemannian and Finsler lengths: one GP decoder per D, trained on
 * pinwheel latent points (known latents, no GP-LVM) whose outputs are the pinwheel mapped onto a
 * sphere and into R^D by a random orthonormal frame (so the decoded surface is the same for every
 * D); kernel variance = the per-coordinate output variance (what a GP-LVM fit would pick), noise
 * 1e-4 of it. The same straight latent curves are measured with both metrics for every D.
 */
export function runConvergence(
  settings: ConvergenceSettings,
  onDim?: (done: number, row: ConvergenceRow) => void,
): ConvergenceRow[] {
  const { points: latent } = pinwheel({
    seed: settings.seed,
    arms: 5,
    pointsPerArm: Math.ceil(settings.points / 5),
    scale: 1,
  });
  const rng = createRng(`${settings.seed}/curves`);
  const pairs = Array.from({ length: settings.curves }, () => {
    const [a, b] = rng.sample(latent.length, 2);
    return [latent[a!]!, latent[b!]!] as const;
  });
  const rows: ConvergenceRow[] = [];
  settings.dims.forEach((dim, k) => {
    const Y = embedInDimensions(latent, { seed: settings.seed, dim });
    let total = 0;
    for (const row of Y) for (const v of row) total += v * v;
    const mean = new Array<number>(dim).fill(0);
    for (const row of Y) {
      for (let i = 0; i < dim; i++) mean[i]! += row[i]! / Y.length;
    }
    const perDimVar = Math.max(1e-12, total / Y.length / dim - mean.reduce((s, m) => s + m * m, 0) / dim);
    const decoder = new GaussianProcessDecoder(latent, Y, {
      kernel: createKernel('rbf', { lengthscale: settings.lengthscale, variance: perDimVar }),
      noiseVariance: 1e-4 * perDimVar,
      meanOffset: mean,
    });
    const rel: number[] = [];
    let lr = 0;
    let lf = 0;
    try {
      for (const [a, b] of pairs) {
        const curve = CubicSpline.line(a, b, settings.segments);
        const r = curveLength(decoder, curve, { metric: 'riemannian' });
        const f = curveLength(decoder, curve, { metric: 'finsler' });
        rel.push((r - f) / r);
        lr += r / pairs.length;
        lf += f / pairs.length;
      }
    } finally {
      decoder.dispose();
    }
    const row: ConvergenceRow = {
      dim,
      relativeDifference: rel.reduce((s, v) => s + v, 0) / rel.length,
      maxRelativeDifference: Math.max(...rel),
      riemannianLength: lr,
      finslerLength: lf,
    };
    rows.push(row);
    onDim?.(k + 1, row);
  });
  return rows;
}
