/** A polyline drawn on a {@link svgLatentMap}. */
export interface MapCurve {
  name: string;
  points: number[][];
  color: string;
  dashed?: boolean;
}

/** Options of {@link svgLatentMap}. */
export interface LatentMapOptions {
  title: string;
  /** Background values on a `resolution x resolution` grid, `values[i * resolution + j]` at (xs[i], ys[j]). */
  values: ArrayLike<number>;
  resolution: number;
  bounds: [[number, number], [number, number]];
  /** Legend label of the colour scale. */
  valueLabel: string;
  points: number[][];
  labels: number[];
  curves: MapCurve[];
  size?: number;
}

const VIRIDIS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];
const ARM_COLORS = ['#e41a1c', '#377eb8', '#ff7f00', '#984ea3', '#a65628', '#f781bf', '#999999', '#4daf4a'];

/** Viridis-like colour of t in [0, 1] (linear interpolation of five anchors). */
export function colormap(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  const c = a.map((v, k) => Math.round(v + f * (b[k]! - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function esc(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A self-contained SVG of a 2-D latent space: a heat map of `values` (min-max scaled), the latent
 * points coloured by label and curves on top, with a colour bar and a legend.
 */
export function svgLatentMap(options: LatentMapOptions): string {
  const { title, values, resolution: R, bounds, points, labels, curves, valueLabel } = options;
  const size = options.size ?? 520;
  const m = { left: 20, top: 36, right: 270, bottom: 20 };
  const W = size + m.left + m.right;
  const H = size + m.top + m.bottom;
  const [[x0, x1], [y0, y1]] = bounds;
  const px = (x: number) => m.left + ((x - x0) / (x1 - x0)) * size;
  const py = (y: number) => m.top + size - ((y - y0) / (y1 - y0)) * size;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(hi > lo)) hi = lo + 1;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${m.left + size / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
  ];
  // Cells centred on the grid nodes.
  const cw = size / (R - 1);
  for (let i = 0; i < R; i++) {
    for (let j = 0; j < R; j++) {
      const x = x0 + ((x1 - x0) * i) / (R - 1);
      const y = y0 + ((y1 - y0) * j) / (R - 1);
      const v = values[i * R + j] as number;
      const left = Math.max(m.left, px(x) - cw / 2);
      const top = Math.max(m.top, py(y) - cw / 2);
      const right = Math.min(m.left + size, px(x) + cw / 2);
      const bottom = Math.min(m.top + size, py(y) + cw / 2);
      parts.push(
        `<rect x="${left.toFixed(2)}" y="${top.toFixed(2)}" width="${(right - left + 0.4).toFixed(2)}" height="${(bottom - top + 0.4).toFixed(2)}" fill="${colormap((v - lo) / (hi - lo))}"/>`,
      );
    }
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${size}" height="${size}" fill="none" stroke="#333"/>`);
  points.forEach((p, k) => {
    const c = ARM_COLORS[(labels[k] ?? 0) % ARM_COLORS.length];
    parts.push(
      `<circle cx="${px(p[0]!).toFixed(2)}" cy="${py(p[1]!).toFixed(2)}" r="2.6" fill="${c}" stroke="white" stroke-width="0.6"/>`,
    );
  });
  for (const c of curves) {
    const d = c.points
      .map((p, k) => `${k === 0 ? 'M' : 'L'}${px(p[0]!).toFixed(2)},${py(p[1]!).toFixed(2)}`)
      .join(' ');
    parts.push(
      `<path d="${d}" fill="none" stroke="${c.color}" stroke-width="2.4"${c.dashed ? ' stroke-dasharray="6,4"' : ''} stroke-linecap="round"/>`,
    );
  }
  // Colour bar.
  const bx = m.left + size + 24;
  const steps = 40;
  for (let k = 0; k < steps; k++) {
    const h = size / 2 / steps;
    parts.push(
      `<rect x="${bx}" y="${(m.top + size / 2 - (k + 1) * h).toFixed(2)}" width="14" height="${(h + 0.4).toFixed(2)}" fill="${colormap(k / (steps - 1))}"/>`,
    );
  }
  parts.push(
    `<text x="${bx + 20}" y="${m.top + 10}">${esc(hi.toPrecision(3))}</text>`,
    `<text x="${bx + 20}" y="${m.top + size / 2}">${esc(lo.toPrecision(3))}</text>`,
    `<text x="${bx}" y="${m.top + size / 2 + 18}">${esc(valueLabel)}</text>`,
  );
  curves.forEach((c, k) => {
    const y = m.top + size / 2 + 44 + k * 18;
    parts.push(
      `<line x1="${bx}" y1="${y - 4}" x2="${bx + 24}" y2="${y - 4}" stroke="${c.color}" stroke-width="2.4"${c.dashed ? ' stroke-dasharray="6,4"' : ''}/>`,
      `<text x="${bx + 30}" y="${y}">${esc(c.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
