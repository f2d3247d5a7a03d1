// The profiler's events as the addon reports them, decoded into named records.
import { native } from './native.js';

/** One timed operator call. */
export interface ProfileEvent {
  /** The operator's name as MXNet gives it (`FullyConnected`, `_backward_FullyConnected`, `sgd_mom_update`). */
  name: string;
  /** The node of a compiled plan it ran for (`FullyConnected 'fc1'`); undefined for an imperative call. */
  node: string | undefined;
  /** Start, in nanoseconds on the steady clock since the environment's profiler was created. */
  beginNs: number;
  durationNs: number;
}

const EVENT_WIDTH = 4;

/** The events recorded from index `from` on, and the count recorded in all. */
export function eventsFrom(from: number): { events: ProfileEvent[]; count: number } {
  const { names, events: rows } = native.profilerEvents(from);
  const events: ProfileEvent[] = [];
  for (let k = 0; k < rows.length; k += EVENT_WIDTH) {
    const detail = rows[k + 1]!;
    events.push({
      name: names[rows[k]!]!,
      node: detail < 0 ? undefined : names[detail],
      beginNs: rows[k + 2]!,
      durationNs: rows[k + 3]!,
    });
  }
  return { events, count: from + events.length };
}
