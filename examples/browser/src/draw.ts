import type { EdogPanelResult } from './panels/edog.js';
import type { ForecastPanelResult } from './panels/forecast.js';
import type { GeodesicsPanelResult } from './panels/geodesics.js';

const CLASS_COLORS = ['#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/** Moves to the first point and draws lines through the rest. */
function polyline(ctx: CanvasRenderingContext2D, points: ReadonlyArray<readonly [number, number]>): void {
  points.forEach(([x, y], i) => {
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
}

function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error('canvas 2d context unavailable');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  return ctx;
}

/** Grey-scale value in [0, 1] to a CSS colour (dark = low volume, light = high). */
function shade(t: number): string {
  const v = Math.round(40 + 200 * Math.min(1, Math.max(0, t)));
  return `rgb(${v}, ${v}, ${Math.min(255, v + 20)})`;
}

/** Volume heat map, latent points, solid Riemannian and dashed Finsler geodesics. */
export function drawGeodesics(canvas: HTMLCanvasElement, r: GeodesicsPanelResult): void {
  const ctx = context(canvas);
  const W = canvas.width;
  const H = canvas.height;
  const [[x0, x1], [y0, y1]] = r.bounds;
  const px = (x: number) => ((x - x0) / (x1 - x0)) * W;
  const py = (y: number) => H - ((y - y0) / (y1 - y0)) * H;
  const R = r.resolution;
  const lo = Math.min(...r.logVolume);
  const hi = Math.max(...r.logVolume);
  const cw = W / (R - 1);
  const ch = H / (R - 1);
  for (let j = 0; j < R; j++) {
    for (let i = 0; i < R; i++) {
      ctx.fillStyle = shade((r.logVolume[j * R + i]! - lo) / (hi - lo || 1));
      ctx.fillRect(i * cw - cw / 2, H - j * ch - ch / 2, cw + 1, ch + 1);
    }
  }
  r.latent.forEach((p, k) => {
    ctx.fillStyle = CLASS_COLORS[r.labels[k]! % CLASS_COLORS.length]!;
    ctx.beginPath();
    ctx.arc(px(p[0]!), py(p[1]!), 3.5, 0, 2 * Math.PI);
    ctx.fill();
  });
  const curveColors = ['#e41a1c', '#ffd92f'];
  r.pairs.forEach((pair, k) => {
    for (const [points, dash] of [
      [pair.riemannianCurve, []],
      [pair.finslerCurve, [7, 5]],
    ] as const) {
      ctx.strokeStyle = curveColors[k % curveColors.length]!;
      ctx.lineWidth = 2.5;
      ctx.setLineDash([...dash]);
      ctx.beginPath();
      polyline(
        ctx,
        points.map((p) => [px(p[0]!), py(p[1]!)] as const),
      );
      ctx.stroke();
    }
  });
  ctx.setLineDash([]);
  ctx.fillStyle = '#fff';
  ctx.font = '12px sans-serif';
  ctx.fillText('solid: Riemannian, dashed: Finsler; background: log10 sqrt(det G)', 8, 16);
}

/** Look-back, truth, forecast and the interval band of OT. */
export function drawForecast(canvas: HTMLCanvasElement, r: ForecastPanelResult): void {
  const ctx = context(canvas);
  const W = canvas.width;
  const H = canvas.height;
  const { history, truth, forecast, lower, upper } = r.shown;
  const n = history.length + truth.length;
  const all = [...history, ...truth, ...lower, ...upper];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const pad = 24;
  const px = (t: number) => pad + ((W - 2 * pad) * t) / (n - 1);
  const py = (v: number) => H - pad - ((H - 2 * pad) * (v - lo)) / (hi - lo || 1);
  const L = history.length;
  ctx.fillStyle = 'rgba(255, 127, 14, 0.25)';
  ctx.beginPath();
  polyline(
    ctx,
    upper.map((v, h) => [px(L + h), py(v)] as const),
  );
  for (let h = lower.length - 1; h >= 0; h--) ctx.lineTo(px(L + h), py(lower[h]!));
  ctx.closePath();
  ctx.fill();
  const line = (values: number[], offset: number, color: string) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.8;
    ctx.beginPath();
    polyline(
      ctx,
      values.map((v, i) => [px(offset + i), py(v)] as const),
    );
    ctx.stroke();
  };
  line(history, 0, '#555');
  line(truth, L, '#1f77b4');
  line(forecast, L, '#d62728');
  ctx.fillStyle = '#222';
  ctx.font = '12px sans-serif';
  ctx.fillText(`${r.target} (deg C): grey look-back, blue truth, red forecast, band 90% interval`, 8, 14);
  ctx.fillText(`${hi.toFixed(1)}`, 2, pad);
  ctx.fillText(`${lo.toFixed(1)}`, 2, H - pad);
}

/** Nodes by class, edges grey, the top suspects red (thick if the attack really inserted them). */
export function drawEdog(canvas: HTMLCanvasElement, r: EdogPanelResult): void {
  const ctx = context(canvas);
  const W = canvas.width;
  const H = canvas.height;
  const pos = new Map(r.layout.map((n) => [n.id, n]));
  const suspect = new Set(r.suspects.map((e) => `${e.source}|${e.target}`));
  const edge = (s: string, t: string) => {
    const a = pos.get(s)!;
    const b = pos.get(t)!;
    ctx.beginPath();
    ctx.moveTo(a.x * W, a.y * H);
    ctx.lineTo(b.x * W, b.y * H);
    ctx.stroke();
  };
  ctx.strokeStyle = 'rgba(0, 0, 0, 0.15)';
  ctx.lineWidth = 1;
  for (const e of r.scored) if (!suspect.has(`${e.source}|${e.target}`)) edge(e.source, e.target);
  for (const e of r.suspects) {
    ctx.strokeStyle = e.injected ? '#d62728' : '#ff9896';
    ctx.lineWidth = e.injected ? 3 : 2;
    edge(e.source, e.target);
  }
  for (const n of r.layout) {
    ctx.fillStyle = CLASS_COLORS[n.label % CLASS_COLORS.length]!;
    ctx.beginPath();
    ctx.arc(n.x * W, n.y * H, 4, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.fillStyle = '#222';
  ctx.font = '12px sans-serif';
  ctx.fillText(
    `top ${r.suspects.length} suspects in red (dark: really injected, ${r.hitsAtSuspects}/${r.suspects.length})`,
    8,
    14,
  );
}
