/** Mean and sample standard deviation (n - 1; 0 for a single value). */
export function meanStd(xs: readonly number[]): { mean: number; std: number; n: number } {
  const n = xs.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, std: 0, n };
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, std: Math.sqrt(v), n };
}

/** `0.812 ± 0.004` (or just the mean for one value). */
export function fmtMeanStd(xs: readonly number[], digits = 3): string {
  const { mean, std, n } = meanStd(xs);
  if (n === 0) return '-';
  return n === 1 ? mean.toFixed(digits) : `${mean.toFixed(digits)} ± ${std.toFixed(digits)}`;
}
