// The HTML report of a `bkt-train seq2seq` run: validation BLEU and perplexity per epoch, a heat map
// of the 2-D bucket grid (pairs per [S, T] cell, shaded by count, with each cell's padding share),
// the epochs and the configuration. Self-contained (inline CSS and SVG), written atomically.

import type { ParallelBucketStat } from '@bkt/module';
import { writeFileAtomic } from '@bkt/ndarray';
import { CSS, configTable, table } from '../report.js';
import { esc, fmt, lineChart } from '../svg-chart.js';

export interface Seq2SeqEpoch {
  epoch: number;
  train_ppl: number;
  valid_ppl: number | null;
  valid_bleu: number | null;
  valid_exact_match: number | null;
  tokens_per_s: number;
  seconds: number;
}

export interface Seq2SeqReport {
  title: string;
  status: string;
  config: Readonly<Record<string, string | number | boolean | null>>;
  epochs: readonly Seq2SeqEpoch[];
  grid: { source: readonly number[]; target: readonly number[] };
  cells: readonly ParallelBucketStat[];
}

const CELL = 64;
const MARGIN = 70;

/** The grid as an SVG heat map: rows source boundaries, columns target boundaries. */
export function bucketHeatMap(grid: Seq2SeqReport['grid'], cells: readonly ParallelBucketStat[]): string {
  const w = MARGIN + grid.target.length * CELL + 10;
  const h = MARGIN + grid.source.length * CELL + 10;
  const most = Math.max(1, ...cells.map((c) => c.sentences));
  const byKey = new Map(cells.map((c) => [`${c.key[0]},${c.key[1]}`, c]));
  const parts: string[] = [`<text class="title" x="8" y="18">Pairs per bucket [S, T] (padding share)</text>`];
  grid.target.forEach((t, j) =>
    parts.push(`<text class="tick" x="${MARGIN + j * CELL + CELL / 2}" y="${MARGIN - 8}" text-anchor="middle">T ${t}</text>`),
  );
  grid.source.forEach((s, i) => {
    parts.push(`<text class="tick" x="${MARGIN - 8}" y="${MARGIN + i * CELL + CELL / 2 + 4}" text-anchor="end">S ${s}</text>`);
    grid.target.forEach((t, j) => {
      const c = byKey.get(`${s},${t}`);
      const x = MARGIN + j * CELL;
      const y = MARGIN + i * CELL;
      // light to dark blue by the cell's share of the largest cell
      const shade = c ? Math.round(235 - 175 * (c.sentences / most)) : 248;
      parts.push(
        `<rect x="${x}" y="${y}" width="${CELL - 2}" height="${CELL - 2}" fill="rgb(${shade},${Math.min(255, shade + 10)},255)"><title>${c ? `[${s}, ${t}]: ${c.sentences} pairs, ${c.padding} padding positions` : `[${s}, ${t}]: empty`}</title></rect>`,
      );
      if (c) {
        const pad = c.padding / (c.padding + c.sourceTokens + c.targetTokens);
        const ink = c.sentences / most > 0.55 ? '#fff' : '#0f172a';
        parts.push(
          `<text class="label" x="${x + CELL / 2 - 1}" y="${y + CELL / 2 - 2}" text-anchor="middle" style="fill:${ink}">${esc(fmt(c.sentences))}</text>`,
        );
        parts.push(
          `<text class="tick" x="${x + CELL / 2 - 1}" y="${y + CELL / 2 + 14}" text-anchor="middle" style="fill:${ink}">${(pad * 100).toFixed(0)}%</text>`,
        );
      }
    });
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}">${parts.join('')}</svg>`;
}

export function renderSeq2SeqReport(r: Seq2SeqReport): string {
  const ep = (f: (e: Seq2SeqEpoch) => number | null): [number, number | null][] => r.epochs.map((e) => [e.epoch, f(e)]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title><style>${CSS}</style></head>
<body><main>
<h1>${esc(r.title)}</h1><p class="status">${esc(r.status)}</p>
<div class="grid2">
<figure>${lineChart('Validation BLEU (greedy) per epoch', 'epoch', [{ name: 'BLEU', color: '#2563eb', points: ep((e) => e.valid_bleu) }])}</figure>
<figure>${lineChart(
    'Perplexity per epoch',
    'epoch',
    [
      { name: 'train', color: '#2563eb', points: ep((e) => e.train_ppl) },
      { name: 'validation', color: '#ea580c', points: ep((e) => e.valid_ppl) },
    ],
    { logY: true },
  )}</figure>
<figure>${bucketHeatMap(r.grid, r.cells)}</figure>
</div>
<div class="tables">
<div><h2>Epochs</h2>${table(
    ['epoch', 'train ppl', 'valid ppl', 'valid BLEU', 'exact match', 'tokens/s', 'seconds'],
    r.epochs.map((e) => [
      e.epoch,
      e.train_ppl.toFixed(3),
      e.valid_ppl === null ? null : e.valid_ppl.toFixed(3),
      e.valid_bleu,
      e.valid_exact_match,
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
export function writeSeq2SeqReport(file: string, r: Seq2SeqReport): void {
  writeFileAtomic('--report', file, renderSeq2SeqReport(r));
}
