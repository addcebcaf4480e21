/** One line of a {@link svgLineChart}. */
export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** Options of {@link svgLineChart}. */
export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  width?: number;
  height?: number;
  logX?: boolean;
  logY?: boolean;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e4 || a < 1e-3)) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

/** A self-contained SVG line chart (no fonts or scripts needed to view it). */
export function svgLineChart(options: LineChartOptions): string {
  const { title, xLabel, yLabel, series, width = 640, height = 400, logX = false, logY = false } = options;
  const m = { left: 70, right: 150, top: 40, bottom: 50 };
  const tx = (v: number) => (logX ? Math.log10(v) : v);
  const ty = (v: number) => (logY ? Math.log10(v) : v);
  let xmin = Number.POSITIVE_INFINITY;
  let xmax = Number.NEGATIVE_INFINITY;
  let ymin = Number.POSITIVE_INFINITY;
  let ymax = Number.NEGATIVE_INFINITY;
  for (const s of series) {
    for (let i = 0; i < s.x.length; i++) {
      const x = tx(s.x[i] as number);
      const y = ty(s.y[i] as number);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      xmin = Math.min(xmin, x);
      xmax = Math.max(xmax, x);
      ymin = Math.min(ymin, y);
      ymax = Math.max(ymax, y);
    }
  }
  if (!Number.isFinite(xmin)) [xmin, xmax, ymin, ymax] = [0, 1, 0, 1];
  if (xmax === xmin) xmax = xmin + 1;
  if (ymax === ymin) ymax = ymin + 1;
  const pad = (ymax - ymin) * 0.05;
  ymin -= pad;
  ymax += pad;
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const px = (x: number) => m.left + ((x - xmin) / (xmax - xmin)) * pw;
  const py = (y: number) => m.top + ph - ((y - ymin) / (ymax - ymin)) * ph;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
  );
  for (const t of niceTicks(xmin, xmax)) {
    const x = px(t);
    parts.push(
      `<line x1="${x}" y1="${m.top + ph}" x2="${x}" y2="${m.top + ph + 5}" stroke="#333"/>`,
      `<text x="${x}" y="${m.top + ph + 18}" text-anchor="middle">${tickLabel(logX ? 10 ** t : t)}</text>`,
    );
  }
  for (const t of niceTicks(ymin, ymax)) {
    const y = py(t);
    parts.push(
      `<line x1="${m.left - 5}" y1="${y}" x2="${m.left + pw}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${m.left - 8}" y="${y + 4}" text-anchor="end">${tickLabel(logY ? 10 ** t : t)}</text>`,
    );
  }
  parts.push(
    `<text x="${m.left + pw / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  );
  series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length];
    const pts: string[] = [];
    for (let i = 0; i < s.x.length; i++) {
      const x = tx(s.x[i] as number);
      const y = ty(s.y[i] as number);
      if (Number.isFinite(x) && Number.isFinite(y)) pts.push(`${px(x).toFixed(1)},${py(y).toFixed(1)}`);
    }
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.8" points="${pts.join(' ')}"/>`);
    const ly = m.top + 14 + k * 18;
    parts.push(
      `<line x1="${m.left + pw + 10}" y1="${ly - 4}" x2="${m.left + pw + 30}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${m.left + pw + 35}" y="${ly}">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** Options of {@link svgBarChart}: one group of bars per category, one bar per series. */
export interface BarChartOptions {
  title: string;
  yLabel: string;
  categories: string[];
  series: Array<{ name: string; values: number[] }>;
  width?: number;
  height?: number;
}

/** A self-contained grouped SVG bar chart. */
export function svgBarChart(options: BarChartOptions): string {
  const { title, yLabel, categories, series, width = 640, height = 400 } = options;
  const m = { left: 70, right: 150, top: 40, bottom: 70 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const ymax = Math.max(0, ...all) * 1.05 || 1;
  const ymin = Math.min(0, ...all);
  const py = (y: number) => m.top + ph - ((y - ymin) / (ymax - ymin)) * ph;
  const groupW = pw / Math.max(1, categories.length);
  const barW = (groupW * 0.8) / Math.max(1, series.length);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  ];
  for (const t of niceTicks(ymin, ymax)) {
    parts.push(
      `<line x1="${m.left}" y1="${py(t)}" x2="${m.left + pw}" y2="${py(t)}" stroke="#ddd"/>`,
      `<text x="${m.left - 8}" y="${py(t) + 4}" text-anchor="end">${tickLabel(t)}</text>`,
    );
  }
  categories.forEach((c, i) => {
    const gx = m.left + i * groupW + groupW * 0.1;
    series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      const y0 = py(Math.max(0, v));
      const h = Math.abs(py(v) - py(0));
      parts.push(
        `<rect x="${(gx + k * barW).toFixed(1)}" y="${y0.toFixed(1)}" width="${(barW * 0.95).toFixed(1)}" height="${h.toFixed(1)}" fill="${PALETTE[k % PALETTE.length]}"/>`,
      );
    });
    parts.push(
      `<text transform="translate(${gx + groupW * 0.4} ${m.top + ph + 14}) rotate(20)" text-anchor="start">${escapeXml(c)}</text>`,
    );
  });
  parts.push(
    `<line x1="${m.left}" y1="${py(0)}" x2="${m.left + pw}" y2="${py(0)}" stroke="#333"/>`,
    `<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  );
  series.forEach((s, k) => {
    const ly = m.top + 14 + k * 18;
    parts.push(
      `<rect x="${m.left + pw + 10}" y="${ly - 10}" width="14" height="10" fill="${PALETTE[k % PALETTE.length]}"/>`,
      `<text x="${m.left + pw + 30}" y="${ly}">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
