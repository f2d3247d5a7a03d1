// The HTML report of a training run: one self-contained file (inline CSS and SVG, nothing fetched)
// with perplexity per epoch (the source's floor as a line), throughput per epoch, the bucket
// histogram and the run's configuration.

import { writeFileAtomic } from '@bkt/ndarray';
import type { EpochRecord } from './metrics-log.js';
import { barChart, esc, fmt, lineChart, type Series } from './svg-chart.js';

/** One bucket of the training data. */
export interface BucketStat {
  length: number;
  sentences: number;
  /** Real tokens of its sentences. */
  tokens: number;
  /** Padding added to fill the bucket's length. */
  padding: number;
}

export interface RunReport {
  title: string;
  /** Flat option → value table. */
  config: Readonly<Record<string, string | number | boolean | null>>;
  epochs: readonly EpochRecord[];
  buckets: readonly BucketStat[];
  floorPpl: number | null;
  /** A line about how the run ended (finished, interrupted …). */
  status: string;
}

const COLORS = { train: '#2563eb', valid: '#ea580c', floor: '#16a34a', tokens: '#7c3aed', real: '#0891b2', pad: '#94a3b8' };

export const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f8fafc;color:#0f172a}
main{max-width:1160px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px} .status{color:#475569;margin:0 0 18px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:18px}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px 16px;min-width:140px}
.card b{display:block;font-size:20px} .card span{color:#64748b;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(540px,1fr));gap:16px}
figure{background:#fff;border:1px solid #e2e8f0;border-radius:8px;margin:0;padding:10px}
svg{max-width:100%;height:auto} svg .title{font-weight:600;font-size:14px;fill:#0f172a}
svg .tick{font-size:11px;fill:#64748b} svg .label,svg .legend{font-size:12px;fill:#334155}
svg .grid{stroke:#e2e8f0} svg .axis{stroke:#94a3b8}
table{border-collapse:collapse;background:#fff;border:1px solid #e2e8f0;border-radius:8px;margin-top:16px}
td,th{padding:4px 12px;border-bottom:1px solid #f1f5f9;text-align:left;font-variant-numeric:tabular-nums}
th{background:#f1f5f9;font-weight:600} h2{font-size:16px;margin:24px 0 8px}
.tables{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start} .tables table{margin-top:0}
`;

export function table(head: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const cell = (v: string | number | null): string => esc(v === null ? '—' : typeof v === 'number' ? fmt(v) : v);
  return `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`).join('')}</table>`;
}

/** The run's options, one row each (the lm and seq2seq reports share it). */
export function configTable(config: Readonly<Record<string, string | number | boolean | null>>): string {
  return table(
    ['option', 'value'],
    Object.entries(config).map(([k, v]) => [k, v === null ? null : String(v)]),
  );
}

/** The report as an HTML string. */
export function renderReport(r: RunReport): string {
  const last = r.epochs[r.epochs.length - 1];
  const ep = (f: (e: EpochRecord) => number | null): [number, number | null][] => r.epochs.map((e) => [e.epoch, f(e)]);
  const series: Series[] = [
    { name: 'train', color: COLORS.train, points: ep((e) => e.train_ppl) },
    { name: 'validation', color: COLORS.valid, points: ep((e) => e.valid_ppl) },
  ];
  if (r.floorPpl !== null && r.epochs.length > 0) {
    const xs = r.epochs.map((e) => e.epoch);
    series.push({
      name: `floor ${r.floorPpl.toFixed(2)}`,
      color: COLORS.floor,
      points: [
        [Math.min(...xs), r.floorPpl],
        [Math.max(...xs), r.floorPpl],
      ],
      dashed: true,
    });
  }
  const cards: [string, string][] = [
    ['epochs', String(last?.epoch ?? 0)],
    ['validation ppl', last?.valid_ppl != null ? last.valid_ppl.toFixed(2) : '—'],
    ['floor ppl', r.floorPpl !== null ? r.floorPpl.toFixed(2) : '—'],
    [
      'gap to floor',
      r.floorPpl !== null && last?.valid_ppl != null
        ? `${(((last.valid_ppl - r.floorPpl) / r.floorPpl) * 100).toFixed(1)}%`
        : '—',
    ],
    ['tokens/s', last ? fmt(last.tokens_per_s) : '—'],
  ];
  const labels = r.buckets.map((b) => String(b.length));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title><style>${CSS}</style></head>
<body><main>
<h1>${esc(r.title)}</h1><p class="status">${esc(r.status)}</p>
<div class="cards">${cards.map(([k, v]) => `<div class="card"><span>${esc(k)}</span><b>${esc(v)}</b></div>`).join('')}</div>
<div class="grid2">
<figure>${lineChart('Perplexity per epoch', 'epoch', series, { logY: true })}</figure>
<figure>${lineChart('Training throughput', 'epoch', [{ name: 'tokens/s', color: COLORS.tokens, points: ep((e) => e.tokens_per_s) }], { fromZero: true })}</figure>
<figure>${barChart('Sentences per bucket', 'bucket length', labels, [{ name: 'sentences', color: COLORS.train, values: r.buckets.map((b) => b.sentences) }])}</figure>
<figure>${barChart('Tokens per bucket', 'bucket length', labels, [
    { name: 'real tokens', color: COLORS.real, values: r.buckets.map((b) => b.tokens) },
    { name: 'padding', color: COLORS.pad, values: r.buckets.map((b) => b.padding) },
  ])}</figure>
</div>
<div class="tables">
<div><h2>Epochs</h2>${table(
    ['epoch', 'train ppl', 'valid ppl', 'tokens/s', 'seconds'],
    r.epochs.map((e) => [
      e.epoch,
      e.train_ppl.toFixed(2),
      e.valid_ppl === null ? null : e.valid_ppl.toFixed(2),
      e.tokens_per_s,
      e.seconds.toFixed(1),
    ]),
  )}</div>
<div><h2>Configuration</h2>${configTable(r.config)}</div>
</div>
</main></body></html>
`;
}

/** Writes the report atomically. */
export function writeReport(file: string, r: RunReport): void {
  writeFileAtomic('--report', file, renderReport(r));
}
