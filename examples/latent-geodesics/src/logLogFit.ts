/** Least-squares fit of log10 y = slope log10 x + intercept (x, y > 0). */
export function fitLogLogSlope(
  x: readonly number[],
  y: readonly number[],
): { slope: number; intercept: number } {
  if (x.length !== y.length || x.length < 2)
    throw new Error('fitLogLogSlope: x and y must have the same length >= 2');
  const lx = x.map(Math.log10);
  const ly = y.map(Math.log10);
  const n = lx.length;
  const mx = lx.reduce((s, v) => s + v, 0) / n;
  const my = ly.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (lx[i]! - mx) * (ly[i]! - my);
    sxx += (lx[i]! - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}
