import { LabInputError, type Rng, readOptions } from '@lab/core';

/** Options of {@link pinwheel}. */
export interface PinwheelOptions {
  /** Seed of the generator. */
  /** Seed (default 0; or `rng`, at most one of the two). */
  seed?: number | string;
  rng?: Rng;
  /** Number of arms (default 5). */
  arms?: number;
  /** Points per arm (default 50). */
  pointsPerArm?: number;
  /** Radial standard deviation (default 0.3). */
  radialStd?: number;
  /** Tangential standard deviation (default 0.05). */
  tangentialStd?: number;
  /** Twist rate: an arm point at radius-coordinate r is rotated by rate * exp(r) (default 0.25). */
  rate?: number;
  /** Overall scale of the output (default 1; Johnson et al. use 10). */
  scale?: number;
}

/** Output of {@link pinwheel}. */
export interface PinwheelResult {
  /** `arms * pointsPerArm` points in the plane, arm by arm. */
  points: number[][];
  /** The arm of each point. */
  labels: number[];
}

function positive(fn: string, arg: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new LabInputError(fn, arg, 'must be a finite number >= 0', v);
  return v;
}

/**
 * The pinwheel ("starfish") data set: `arms` curved Gaussian arms around the origin. Each
 * point starts at (1 + radialStd e1, tangentialStd e2) and is rotated by the arm's angle
 * 2 pi a / arms plus a twist rate * exp(1 + radialStd e1), then scaled.
 *
 * @example
 * ```ts
 * const { points, labels } = pinwheel({ seed: 1, arms: 5, pointsPerArm: 40 });
 * ```
 * @see Johnson, Duvenaud, Wiltschko, Datta, Adams, "Composing graphical models with neural networks for structured representations and fast inference", NeurIPS 2016 (the generator).
 * @see Pouplin et al., "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010), sec. 5 (the "starfish" experiment).
 */
export function pinwheel(options: PinwheelOptions = {}): PinwheelResult {
  const fn = 'pinwheel';
  const o = readOptions(fn, options, [
    'seed',
    'rng',
    'arms',
    'pointsPerArm',
    'radialStd',
    'tangentialStd',
    'rate',
    'scale',
  ]);
  const arms = options.arms ?? 5;
  const per = options.pointsPerArm ?? 50;
  if (!Number.isInteger(arms) || arms < 1)
    throw new LabInputError(fn, 'options.arms', 'must be a positive integer', arms);
  if (!Number.isInteger(per) || per < 1)
    throw new LabInputError(fn, 'options.pointsPerArm', 'must be a positive integer', per);
  const rs = positive(fn, 'options.radialStd', options.radialStd ?? 0.3);
  const ts = positive(fn, 'options.tangentialStd', options.tangentialStd ?? 0.05);
  const rate = options.rate ?? 0.25;
  if (typeof rate !== 'number' || !Number.isFinite(rate))
    throw new LabInputError(fn, 'options.rate', 'must be a finite number', rate);
  const scale = positive(fn, 'options.scale', options.scale ?? 1);
  const rng = o.rng();
  const points: number[][] = [];
  const labels: number[] = [];
  for (let a = 0; a < arms; a++) {
    const base = (2 * Math.PI * a) / arms;
    for (let i = 0; i < per; i++) {
      const r = 1 + rs * rng.normal();
      const t = ts * rng.normal();
      const angle = base + rate * Math.exp(r);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      points.push([scale * (r * c - t * s), scale * (r * s + t * c)]);
      labels.push(a);
    }
  }
  return { points, labels };
}

/** Options of {@link embedInDimensions}. */
export interface EmbedInDimensionsOptions {
  /** Seed of the random orthonormal frame and the noise. */
  /** Seed (default 0; or `rng`, at most one of the two). */
  seed?: number | string;
  rng?: Rng;
  /** Output dimension D >= 2. */
  dim: number;
  /**
   * 'linear' (default): y = Q x with Q a random `D x 2` matrix with orthonormal columns, so
   * distances are preserved exactly. 'sphere': x is first mapped onto the unit sphere by the
   * inverse stereographic projection of x / radius, then (as a 3-D point) by a random `D x 3`
   * orthonormal Q (a smooth curved immersion; needs D >= 3).
   */
  map?: 'linear' | 'sphere';
  /** Radius of the stereographic map (default 1). */
  radius?: number;
  /** Standard deviation of isotropic Gaussian noise added to every output coordinate (default 0). */
  noiseStd?: number;
}

/**
 * Embeds 2-D points into R^D: a random orthonormal linear map, or a smooth map onto a sphere
 * (inverse stereographic projection) followed by a random orthonormal frame, plus optional
 * Gaussian noise. The input is not modified.
 *
 * @see Pouplin et al., "Identifying latent distances with Finslerian geometry", TMLR 2023 (arXiv 2212.10010), sec. 5 (data projected onto a sphere).
 */
export function embedInDimensions(
  points: ReadonlyArray<ArrayLike<number>>,
  options: EmbedInDimensionsOptions,
): number[][] {
  const fn = 'embedInDimensions';
  if (!Array.isArray(points) || points.length === 0)
    throw new LabInputError(fn, 'points', 'must be a non-empty array of 2-D points', points);
  const o = readOptions(fn, options, ['seed', 'rng', 'dim', 'map', 'radius', 'noiseStd']);
  const map = options.map ?? 'linear';
  if (map !== 'linear' && map !== 'sphere')
    throw new LabInputError(fn, 'options.map', "must be 'linear' or 'sphere'", map);
  const k = map === 'linear' ? 2 : 3;
  const D = options.dim;
  if (!Number.isInteger(D) || D < k)
    throw new LabInputError(fn, 'options.dim', `must be an integer >= ${k}`, D);
  const noise = positive(fn, 'options.noiseStd', options.noiseStd ?? 0);
  const radius = options.radius ?? 1;
  if (typeof radius !== 'number' || !(radius > 0))
    throw new LabInputError(fn, 'options.radius', 'must be > 0', radius);
  points.forEach((p, i) => {
    if (p == null || p.length !== 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
      throw new LabInputError(fn, `points[${i}]`, 'must be a finite 2-D point', p);
    }
  });
  const rng = o.rng();
  // Random D x k matrix with orthonormal columns (Gram-Schmidt on Gaussian columns).
  const Q: Float64Array[] = [];
  for (let c = 0; c < k; c++) {
    const v = rng.fillNormal(new Float64Array(D));
    for (const u of Q) {
      let dot = 0;
      for (let i = 0; i < D; i++) dot += (v[i] as number) * (u[i] as number);
      for (let i = 0; i < D; i++) v[i] = (v[i] as number) - dot * (u[i] as number);
    }
    let nrm = 0;
    for (let i = 0; i < D; i++) nrm += (v[i] as number) ** 2;
    nrm = Math.sqrt(nrm);
    for (let i = 0; i < D; i++) v[i] = (v[i] as number) / nrm;
    Q.push(v);
  }
  const noiseRng = rng.fork('noise');
  return points.map((p) => {
    let feat: number[];
    if (map === 'linear') {
      feat = [p[0] as number, p[1] as number];
    } else {
      const u = (p[0] as number) / radius;
      const v = (p[1] as number) / radius;
      const d = 1 + u * u + v * v;
      feat = [(2 * u) / d, (2 * v) / d, (u * u + v * v - 1) / d];
    }
    const y = new Array<number>(D).fill(0);
    for (let c = 0; c < k; c++) {
      const col = Q[c] as Float64Array;
      const f = feat[c] as number;
      for (let i = 0; i < D; i++) y[i] = (y[i] as number) + f * (col[i] as number);
    }
    if (noise > 0) for (let i = 0; i < D; i++) y[i] = (y[i] as number) + noiseRng.normal(0, noise);
    return y;
  });
}
