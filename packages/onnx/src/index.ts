// @bkt/onnx — ONNX export and import of bkt symbols with their parameters.

export { exportONNX } from './export/export.js';
export { listExportableOps } from './export/registry.js';
export type { ExportOptions } from './export/options.js';
