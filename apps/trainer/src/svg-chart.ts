// Inline SVG charts for the HTML report: a line chart (series over epochs, optional horizontal
// reference line) and a grouped bar chart. No scripts, no fonts or files from elsewhere.

export interface Series {
  name: string;
  color: string;
  points: readonly (readonly [number, number | null])[];
  dashed?: boolean;
}

export interface Bars {
  name: string;
  color: string;
  values: readonly number[];
}

const W = 560;
const H = 300;
const M = { top: 28, right: 16, bottom: 44, left: 64 };

/** Escapes text for HTML and SVG. */
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A compact number: 3 significant digits, k/M for large values. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  return String(+v.toPrecision(3));
}

// "Nice" tick values covering [lo, hi].
function ticks(lo: number, hi: number, n = 5): number[] {
  if (hi <= lo) hi = lo + 1;
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  const end = Math.ceil(hi / step - 1e-9) * step;
  for (let v = Math.floor(lo / step) * step; v <= end + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

// Log-axis ticks between 10^lo and 10^hi: the densest of the 1-1.5-2-3-5-7, 1-2-5 and 1 series that
// gives at most 8 ticks, or evenly spaced values when the range is too narrow for 3 of them.
function logTicks(lo: number, hi: number): number[] {
  for (const mantissas of [[1, 1.5, 2, 3, 5, 7], [1, 2, 5], [1]]) {
    const out: number[] = [];
    for (let k = Math.floor(lo); k <= Math.ceil(hi); k++) for (const m of mantissas) out.push(+(m * 10 ** k).toPrecision(6));
    const inside = out.filter((t) => Math.log10(t) >= lo && Math.log10(t) <= hi);
    if (inside.length < 3) return ticks(10 ** lo, 10 ** hi, 4).filter((t) => t > 0);
    if (inside.length <= 8) return inside;
  }
  return [];
}

function frame(title: string, yTicks: number[], y: (v: number) => number, xLabel: string, body: string, legend: string): string {
  const grid = yTicks
    .map(
      (t) =>
        `<line x1="${M.left}" x2="${W - M.right}" y1="${y(t)}" y2="${y(t)}" class="grid"/><text x="${M.left - 8}" y="${y(t) + 4}" class="tick" text-anchor="end">${fmt(t)}</text>`,
    )
    .join('');
  return (
    `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(title)}">` +
    `<text x="${M.left}" y="18" class="title">${esc(title)}</text>${grid}${body}` +
    `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" class="axis"/>` +
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 6}" class="label" text-anchor="middle">${esc(xLabel)}</text>${legend}</svg>`
  );
}

function legendOf(items: readonly { name: string; color: string; dashed?: boolean }[]): string {
  let x = W - M.right;
  return items
    .slice()
    .reverse()
    .map((it) => {
      const w = 26 + it.name.length * 6.6;
      x -= w;
      return `<line x1="${x}" x2="${x + 16}" y1="14" y2="14" stroke="${it.color}" stroke-width="3"${it.dashed ? ' stroke-dasharray="5 3"' : ''}/><text x="${x + 20}" y="18" class="legend">${esc(it.name)}</text>`;
    })
    .join('');
}

/** Lines over x; null values break the line. `logY` plots on a log scale; `fromZero` starts a linear axis at 0. */
export function lineChart(
  title: string,
  xLabel: string,
  series: readonly Series[],
  opts: { logY?: boolean; fromZero?: boolean } = {},
): string {
  const pts = series.flatMap((s) => s.points.filter((p): p is [number, number] => p[1] !== null && Number.isFinite(p[1])));
  if (pts.length === 0)
    return frame(
      title,
      [0, 1],
      () => H - M.bottom,
      xLabel,
      `<text x="${W / 2}" y="${H / 2}" class="label" text-anchor="middle">no data yet</text>`,
      '',
    );
  const tf = (v: number): number => (opts.logY ? Math.log10(Math.max(v, 1e-12)) : v);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => tf(p[1]));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const pad = (y1 - y0) * 0.08 || Math.abs(y0) * 0.1 || 1;
  y0 -= pad;
  y1 += pad;
  if (!opts.logY && (opts.fromZero || y0 < 0) && Math.min(...pts.map((p) => p[1])) >= 0) y0 = 0;
  const x = (v: number): number => +(M.left + ((v - x0) / (x1 - x0 || 1)) * (W - M.left - M.right) || M.left).toFixed(1);
  const yTicks = opts.logY ? logTicks(y0, y1) : ticks(y0, y1);
  // a linear axis runs from tick to tick, so its ends are labelled
  if (!opts.logY) [y0, y1] = [yTicks[0]!, yTicks[yTicks.length - 1]!];
  const yT = (v: number): number => +(H - M.bottom - ((v - y0) / (y1 - y0)) * (H - M.top - M.bottom)).toFixed(1);
  const y = (v: number): number => yT(tf(v));
  const inRange = yTicks.filter((t) => tf(t) >= y0 && tf(t) <= y1);
  const xTicks = [...new Set(xs)].sort((a, b) => a - b);
  const every = Math.ceil(xTicks.length / 12);
  const xAxis = xTicks
    .filter((_, i) => i % every === 0)
    .map((t) => `<text x="${x(t)}" y="${H - M.bottom + 16}" class="tick" text-anchor="middle">${fmt(t)}</text>`)
    .join('');
  const lines = series
    .map((s) => {
      let d = '';
      let pen = 'M';
      for (const [px, py] of s.points) {
        if (py === null || !Number.isFinite(py)) {
          pen = 'M';
          continue;
        }
        d += `${pen}${x(px)},${y(py)} `;
        pen = 'L';
      }
      const dots =
        s.dashed || s.points.length > 40
          ? ''
          : s.points
              .filter((p) => p[1] !== null && Number.isFinite(p[1]))
              .map(([px, py]) => `<circle cx="${x(px)}" cy="${y(py!)}" r="3" fill="${s.color}"/>`)
              .join('');
      return `<path d="${d.trim()}" fill="none" stroke="${s.color}" stroke-width="2.2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>${dots}`;
    })
    .join('');
  return frame(title, inRange, y, xLabel, xAxis + lines, legendOf(series));
}

/** Grouped bars, one group per category. */
export function barChart(title: string, xLabel: string, categories: readonly string[], groups: readonly Bars[]): string {
  const max = Math.max(1, ...groups.flatMap((g) => g.values));
  const yTicks = ticks(0, max * 1.05);
  const top = yTicks[yTicks.length - 1]!;
  const y = (v: number): number => +(H - M.bottom - (v / top) * (H - M.top - M.bottom)).toFixed(1);
  const slot = (W - M.left - M.right) / Math.max(1, categories.length);
  const bw = (slot * 0.8) / Math.max(1, groups.length);
  const bars = categories
    .map((c, i) => {
      const x0 = M.left + i * slot + slot * 0.1;
      const rects = groups
        .map((g, j) => {
          const v = g.values[i] ?? 0;
          return `<rect x="${(x0 + j * bw).toFixed(1)}" y="${y(v)}" width="${(bw - 1).toFixed(1)}" height="${(H - M.bottom - y(v)).toFixed(1)}" fill="${g.color}"><title>${esc(`${g.name} ${c}: ${v}`)}</title></rect>`;
        })
        .join('');
      return `${rects}<text x="${(x0 + slot * 0.4).toFixed(1)}" y="${H - M.bottom + 16}" class="tick" text-anchor="middle">${esc(c)}</text>`;
    })
    .join('');
  return frame(title, yTicks, y, xLabel, bars, legendOf(groups));
}
