// The HTML report: self-contained markup with every chart, and (when Debian's chromium is
// installed) a headless screenshot that must come out as a real, non-blank PNG.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { renderReport, type RunReport, writeReport } from '../src/report.js';

const dir = mkdtempSync(join(tmpdir(), 'bkt-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run: RunReport = {
  title: 'bkt-train lm',
  config: { network: 'lstm fused, 2 × 200', lr: 0.01, clip: null, 'a <tag>': 'x & y' },
  epochs: Array.from({ length: 8 }, (_, i) => ({
    epoch: i + 1,
    train_ppl: 400 / (i + 1) + 50,
    valid_ppl: 380 / (i + 1) + 60,
    floor_ppl: 55,
    tokens_per_s: 15000 + 300 * i,
    samples_per_s: 800,
    seconds: 30 + i,
  })),
  buckets: [10, 20, 30, 45, 61].map((length, i) => ({
    length,
    sentences: 4000 - 700 * i,
    tokens: (4000 - 700 * i) * (length - 4),
    padding: (4000 - 700 * i) * 3,
  })),
  floorPpl: 55,
  status: 'finished 8 epochs in 4.2 min',
};

// The distinct colours of a PNG's pixels (8-bit RGB/RGBA, non-interlaced, as Chromium writes).
function pngColours(file: string): number {
  const png = readFileSync(file);
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const channels = png[25] === 6 ? 4 : 3;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const prev = new Uint8Array(stride);
  const row = new Uint8Array(stride);
  const colours = new Set<number>();
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= channels ? row[x - channels]! : 0;
      const b = prev[x]!;
      const c = x >= channels ? prev[x - channels]! : 0;
      const p = a + b - c;
      const pred = [
        0,
        a,
        b,
        (a + b) >> 1,
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c,
      ][f]!;
      row[x] = (v + pred) & 255;
    }
    for (let x = 0; x < stride; x += channels * 7) colours.add((row[x]! << 16) | (row[x + 1]! << 8) | row[x + 2]!);
    prev.set(row);
  }
  return colours.size;
}

describe('HTML report', () => {
  it('is one self-contained file with every chart, escaped text and the configuration', () => {
    const html = renderReport(run);
    for (const title of ['Perplexity per epoch', 'Training throughput', 'Sentences per bucket', 'Tokens per bucket']) {
      expect(html).toContain(`aria-label="${title}"`);
    }
    expect(html).toContain('floor 55.00');
    expect(html).toContain('a &#60;tag&#62;');
    expect(html).toContain('x &#38; y');
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    // one bar per bucket in the sentence histogram, two (real, padding) per bucket in the token one
    expect(html.match(/<rect /g)).toHaveLength(run.buckets.length * 3);
  });

  it.skipIf(!existsSync('/usr/bin/chromium'))(
    'renders in headless Chromium',
    () => {
      const file = join(dir, 'report.html');
      const png = join(dir, 'shot.png');
      writeReport(file, run);
      const r = spawnSync(
        '/usr/bin/chromium',
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          `--user-data-dir=${join(dir, 'profile')}`,
          `--screenshot=${png}`,
          '--window-size=1200,1600',
          `file://${file}`,
        ],
        { encoding: 'utf8', timeout: 45_000 },
      );
      expect(existsSync(png), r.stderr).toBe(true);
      const bytes = readFileSync(png);
      expect(bytes.subarray(1, 4).toString()).toBe('PNG');
      expect(bytes.readUInt32BE(16)).toBe(1200);
      expect(bytes.length).toBeGreaterThan(20_000);
      // a blank or error page has a handful of colours; charts, text and anti-aliasing give many
      expect(pngColours(png)).toBeGreaterThan(50);
    },
    60_000,
  );
});
