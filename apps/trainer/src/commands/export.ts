// `bkt-train export`: a checkpoint as an ONNX model for onnxruntime, with the sequence length and
// the batch size left symbolic, so one file serves every bucket (unrolled cells are fused into
// ONNX LSTM/GRU nodes by the exporter).

import { statSync } from 'node:fs';
import { loadParams } from '@bkt/module';
import { writeFileAtomic } from '@bkt/ndarray';
import { exportONNX } from '@bkt/onnx';
import { layoutOf, lmSymGen } from '../model.js';
import type { CheckpointRef } from '../options.js';
import { ensureParentDir } from '../output-dirs.js';
import { checkEpochExists, loadRunFiles } from '../run-files.js';

export interface ExportOptions {
  checkpoint: CheckpointRef;
  out: string;
  opset: number;
  json?: boolean;
}

/** Runs `bkt-train export`; resolves with the exit code. */
export async function runExport(o: ExportOptions): Promise<number> {
  const { prefix, epoch } = o.checkpoint;
  const { run } = loadRunFiles(prefix);
  checkEpochExists(prefix, epoch);
  ensureParentDir('--out', o.out);
  const { argParams, auxParams } = loadParams(prefix, epoch);
  // The example sizes the graph is checked with: the largest bucket, batch 1.
  const seqLen = Math.max(...run.buckets);
  const [symbol] = lmSymGen(run.model)(seqLen);
  const layout = layoutOf(run.model);
  const timeAxis = layout === 'TN' ? 0 : 1;
  const bytes = exportONNX(symbol, argParams, auxParams, {
    inputShapes: { data: timeAxis === 0 ? [seqLen, 1] : [1, seqLen] },
    dynamicAxes: { data: { [timeAxis]: 'seq_len', [1 - timeAxis]: 'batch' } },
    opset: o.opset,
  });
  writeFileAtomic('bkt-train export', o.out, bytes);
  const inputShape = timeAxis === 0 ? ['seq_len', 'batch'] : ['batch', 'seq_len'];
  const rows = timeAxis === 0 ? 'seq_len·batch' : 'batch·seq_len';
  const result = {
    checkpoint: `${prefix}:${epoch}`,
    out: o.out,
    bytes: statSync(o.out).size,
    opset: o.opset,
    input: { name: 'data', shape: inputShape },
    output: { name: symbol.listOutputs()[0]!, shape: [rows, run.model.vocabSize] },
    vocabulary: `${prefix}-vocab.json`,
  };
  if (o.json) console.log(JSON.stringify(result));
  else {
    console.log(`Wrote ${o.out} (${result.bytes} bytes, ONNX opset ${o.opset}) from ${result.checkpoint}`);
    console.log(`  input 'data' (${inputShape.join(', ')}): token ids as float32 (vocabulary: ${result.vocabulary})`);
    console.log(
      `  output '${result.output.name}' (${rows}, ${run.model.vocabSize}): next-word probabilities, one row per position`,
    );
  }
  return 0;
}
