// The chrome://tracing (Trace Event Format) file that MXNet's profiler dumps: a begin and an end event
// per operator call, times in microseconds.
import type { ProfileEvent } from './profiler-events.js';

interface TraceEvent {
  name: string;
  cat?: string;
  ph: 'B' | 'E' | 'M';
  ts?: number;
  pid: number;
  tid?: number;
  args?: Record<string, string>;
}

/** Every call on one track: plans and imperative calls run on the environment's JS thread. */
const TID = 0;

export function chromeTrace(events: readonly ProfileEvent[], pid: number): string {
  const trace: TraceEvent[] = [{ name: 'process_name', ph: 'M', pid, args: { name: 'bkt cpu' } }];
  for (const e of events) {
    const args = e.node === undefined ? {} : { args: { node: e.node } };
    trace.push({ name: e.name, cat: 'operator', ph: 'B', ts: e.beginNs / 1e3, pid, tid: TID, ...args });
    trace.push({ name: e.name, cat: 'operator', ph: 'E', ts: (e.beginNs + e.durationNs) / 1e3, pid, tid: TID });
  }
  return JSON.stringify({ traceEvents: trace, displayTimeUnit: 'ms' });
}
