// MXNet's profiler (mx.profiler): times every operator a compiled plan runs (symbolic), and every fused
// optimizer update and every other native call made from JS (imperative), then reports MXNet's aggregate
// table (`dumps`) or writes a chrome://tracing file (`dump`). State is per JS environment: a Worker profiles on its own.
import { writeFileAtomic } from './atomic-write.js';
import { StateError, ValueError } from './errors.js';
import { native } from './native.js';
import { eventsFrom } from './profiler-events.js';
import { chromeTrace } from './profiler-trace.js';
import { aggregate, STATS_SORT_KEYS, type StatsSortKey, sortStats, statsJson, statsTable } from './profiler-stats.js';
import { checkBoolean, checkOneOf, checkOptions, describeValue } from './validate.js';

export type { StatsSortKey } from './profiler-stats.js';

/** MXNet's set_config keys that bkt implements, in camelCase. Each call starts again from the defaults. */
export interface ProfilerConfig {
  /** Where `dump()` writes the chrome://tracing file; default 'profile.json'. */
  filename?: string;
  /** Profile every kind of operator (overrides the two below); default false. */
  profileAll?: boolean;
  /** Time the instructions of compiled executor plans; default true. */
  profileSymbolic?: boolean;
  /** Time the fused optimizer updates and the other native calls made from JS; default true. */
  profileImperative?: boolean;
  /** Let `dumps()` report the aggregate table; default false (as MXNet). */
  aggregateStats?: boolean;
}

export type ProfilerState = 'run' | 'stop';

export interface DumpsOptions {
  /** Start the aggregate statistics again after this report; default false. */
  reset?: boolean;
  /** 'table' (default) or 'json', MXNet's layouts. */
  format?: 'table' | 'json';
  /** MXNet's 'avg' (default), 'min', 'max', 'count', or bkt's 'total'. */
  sortBy?: StatsSortKey;
  /** Smallest first; default false. */
  ascending?: boolean;
}

interface Settings {
  filename: string;
  symbolic: boolean;
  imperative: boolean;
  aggregateStats: boolean;
}

const DEFAULTS: Settings = { filename: 'profile.json', symbolic: true, imperative: true, aggregateStats: false };

let settings: Settings = DEFAULTS;
let state: ProfilerState = 'stop';
let paused = false;
// Index of the first event the aggregate statistics cover (dumps with reset moves it).
let statsFrom = 0;

function applyRecording(): void {
  const on = state === 'run' && !paused;
  native.profilerSetRecording(on && settings.symbolic, on && settings.imperative);
}

/**
 * Configures the profiler (MXNet's set_config): keys left out take their defaults again. Drops every
 * event recorded so far. A StateError while it runs; a ValueError on an unknown key or a wrong type.
 */
export function setConfig(config: ProfilerConfig = {}): void {
  const fn = 'profiler.setConfig';
  const c = checkOptions(config, ['filename', 'profileAll', 'profileSymbolic', 'profileImperative', 'aggregateStats'], fn);
  if (c.filename !== undefined && (typeof c.filename !== 'string' || c.filename === '')) {
    throw new ValueError(`${fn}: filename must be a non-empty string, got ${describeValue(c.filename)}`);
  }
  const all = checkBoolean(c.profileAll, fn, 'profileAll', false);
  const next: Settings = {
    filename: c.filename ?? DEFAULTS.filename,
    symbolic: all || checkBoolean(c.profileSymbolic, fn, 'profileSymbolic', DEFAULTS.symbolic),
    imperative: all || checkBoolean(c.profileImperative, fn, 'profileImperative', DEFAULTS.imperative),
    aggregateStats: checkBoolean(c.aggregateStats, fn, 'aggregateStats', DEFAULTS.aggregateStats),
  };
  if (state === 'run') throw new StateError(`${fn}: the profiler is running; call setState('stop') first`);
  settings = next;
  native.profilerClear();
  statsFrom = 0;
}

/** Starts ('run') or stops ('stop') recording (MXNet's set_state); events are kept across a stop. */
export function setState(next: ProfilerState): void {
  state = checkOneOf(next, ['run', 'stop'], 'profiler.setState', 'state');
  applyRecording();
}

/** The profiler's state: 'run' after setState('run'), also while paused. */
export function getState(): ProfilerState {
  return state;
}

/** Stops recording until `resume()`, without leaving the 'run' state. */
export function pause(): void {
  paused = true;
  applyRecording();
}

export function resume(): void {
  paused = false;
  applyRecording();
}

/**
 * MXNet's aggregate statistics of the operators timed since the configuration (or the last reset):
 * per operator name its call count and total, min, max and average milliseconds. A StateError unless
 * `setConfig` asked for `aggregateStats`.
 */
export function dumps(options: DumpsOptions = {}): string {
  const fn = 'profiler.dumps';
  const o = checkOptions(options, ['reset', 'format', 'sortBy', 'ascending'], fn);
  const reset = checkBoolean(o.reset, fn, 'reset', false);
  const format = checkOneOf(o.format, ['table', 'json'], fn, 'format', 'table');
  const sortBy = checkOneOf(o.sortBy, STATS_SORT_KEYS, fn, 'sortBy', 'avg');
  const ascending = checkBoolean(o.ascending, fn, 'ascending', false);
  if (!settings.aggregateStats) {
    throw new StateError(`${fn}: aggregate statistics are off; call profiler.setConfig({ aggregateStats: true })`);
  }
  const { events, count } = eventsFrom(statsFrom);
  if (reset) statsFrom = count;
  const stats = sortStats(aggregate(events), sortBy, ascending);
  return format === 'table' ? statsTable(stats) : statsJson(stats);
}

/**
 * Writes every event since the configuration to the configured file as chrome://tracing JSON (a begin
 * and an end event per operator call), atomically. Recording goes on.
 */
export function dump(): void {
  writeFileAtomic('profiler.dump', settings.filename, chromeTrace(eventsFrom(0).events, process.pid));
}
