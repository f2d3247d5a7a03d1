// MXNet's aggregate statistics (aggregate_stats.cc): per operator name, the call count and the total,
// minimum, maximum and mean time, as a text table or JSON, sorted by one of them.
import type { ProfileEvent } from './profiler-events.js';

export type StatsSortKey = 'avg' | 'min' | 'max' | 'count' | 'total';
export const STATS_SORT_KEYS: readonly StatsSortKey[] = ['avg', 'min', 'max', 'count', 'total'];

/** One operator's aggregate, times in milliseconds. */
export interface OperatorStats {
  name: string;
  count: number;
  totalMs: number;
  minMs: number;
  maxMs: number;
  avgMs: number;
}

/** MXNet's one category for operator calls, symbolic and imperative alike. */
const CATEGORY = 'operator';

export function aggregate(events: readonly ProfileEvent[]): OperatorStats[] {
  const byName = new Map<string, OperatorStats>();
  for (const e of events) {
    const ms = e.durationNs / 1e6;
    const s = byName.get(e.name);
    if (s === undefined) {
      byName.set(e.name, { name: e.name, count: 1, totalMs: ms, minMs: ms, maxMs: ms, avgMs: 0 });
    } else {
      s.count += 1;
      s.totalMs += ms;
      s.minMs = Math.min(s.minMs, ms);
      s.maxMs = Math.max(s.maxMs, ms);
    }
  }
  const stats = [...byName.values()];
  for (const s of stats) s.avgMs = s.totalMs / s.count;
  return stats;
}

const SORT_VALUE: Record<StatsSortKey, (s: OperatorStats) => number> = {
  avg: (s) => s.avgMs,
  min: (s) => s.minMs,
  max: (s) => s.maxMs,
  count: (s) => s.count,
  total: (s) => s.totalMs,
};

/** Sorted by `key`, largest first unless `ascending`; ties by name, so the order is stable. */
export function sortStats(stats: readonly OperatorStats[], key: StatsSortKey, ascending: boolean): OperatorStats[] {
  const value = SORT_VALUE[key];
  const sign = ascending ? 1 : -1;
  return [...stats].sort((a, b) => sign * (value(a) - value(b)) || a.name.localeCompare(b.name));
}

const NAME_WIDTH = 25;
const NUMBER_WIDTH = 16;
const TIME_COLUMNS = ['Total Count', 'Time (ms)', 'Min Time (ms)', 'Max Time (ms)', 'Avg Time (ms)'];

/** MXNet's table layout: a header, then one row per operator (times to 4 decimals). */
export function statsTable(stats: readonly OperatorStats[]): string {
  const width = Math.max(NAME_WIDTH, ...stats.map((s) => s.name.length + 1));
  const row = (name: string, cells: readonly string[]): string =>
    name.padEnd(width) + cells.map((c) => c.padStart(NUMBER_WIDTH)).join(' ');
  const lines = [
    '',
    'Profile Statistics:',
    '\tNote the difference in units for different entries.',
    CATEGORY,
    '=================',
    row('Name', TIME_COLUMNS),
    row(
      '----',
      TIME_COLUMNS.map((c) => '-'.repeat(c.length)),
    ),
    ...stats.map((s) => row(s.name, [String(s.count), ...[s.totalMs, s.minMs, s.maxMs, s.avgMs].map((v) => v.toFixed(4))])),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/** MXNet's JSON layout: {"Time": {"operator": {name: {Count, Total, Min, Max, Avg}}}, "Memory": {}, "Unit": …}. */
export function statsJson(stats: readonly OperatorStats[]): string {
  const operators: Record<string, { Count: number; Total: number; Min: number; Max: number; Avg: number }> = {};
  for (const s of stats) operators[s.name] = { Count: s.count, Total: s.totalMs, Min: s.minMs, Max: s.maxMs, Avg: s.avgMs };
  return JSON.stringify({ Time: { [CATEGORY]: operators }, Memory: {}, Unit: { Time: 'ms', Memory: 'kb' } }, null, 4);
}
