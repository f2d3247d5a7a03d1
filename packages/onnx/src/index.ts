// @bkt/onnx — ONNX export and import of bkt symbols with their parameters.

export { exportONNX } from './export/export.js';
export { listExportableOps } from './export/registry.js';
export type { ExportOptions } from './export/options.js';
export { importONNX } from './import/import.js';
export type { ImportedModel } from './import/import.js';
export { listImportableOps } from './import/registry.js';
