export { Monitor, rmsStat } from './monitor.js';
export type { MonitorOptions, MonitorResult, StatFunc } from './monitor.js';
