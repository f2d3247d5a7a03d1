// `bkt-train export`: a checkpoint as an ONNX model for onnxruntime. The fused LM is written with
// its sequence length and batch size symbolic (one file for every bucket); the unrolled LM spells
// out each time step, so it is written for one sequence length and batch size.

import { statSync } from 'node:fs';
import { loadParams } from '@bkt/module';
import { ValueError, writeFileAtomic } from '@bkt/ndarray';
import { exportONNX } from '@bkt/onnx';
import { layoutOf, lmSymGen } from '../model.js';
import type { CheckpointRef } from '../options.js';
import { checkEpochExists, ensureParentDir, loadRunFiles } from '../run-files.js';

export interface ExportOptions {
  checkpoint: CheckpointRef;
  out: string;
  opset: number;
  /** Unrolled LMs only: the time steps and batch size baked into the file (default: the largest bucket, 1). */
  seqLen?: number;
  batchSize?: number;
  json?: boolean;
}

/** Runs `bkt-train export`; resolves with the exit code. */
export async function runExport(o: ExportOptions): Promise<number> {
  const { prefix, epoch } = o.checkpoint;
  const { run } = loadRunFiles(prefix);
  checkEpochExists(prefix, epoch);
  const { argParams, auxParams } = loadParams(prefix, epoch);
  const fused = run.model.fused;
  if (fused && (o.seqLen !== undefined || o.batchSize !== undefined)) {
    throw new ValueError('--seq-len and --batch-size are for unrolled checkpoints; a fused one is exported with both left free');
  }
  const seqLen = o.seqLen ?? Math.max(...run.buckets);
  const batch = o.batchSize ?? 1;
  const [symbol] = lmSymGen(run.model)(seqLen);
  const shape = layoutOf(run.model) === 'TN' ? [seqLen, batch] : [batch, seqLen];
  const bytes = exportONNX(symbol, argParams, auxParams, {
    inputShapes: { data: shape },
    dynamicAxes: fused ? { data: { 0: 'seq_len', 1: 'batch' } } : {},
    opset: o.opset,
  });
  ensureParentDir(o.out);
  writeFileAtomic('bkt-train export', o.out, bytes);
  const input = fused ? '(seq_len, batch)' : `(${batch}, ${seqLen})`;
  const result = {
    checkpoint: `${prefix}:${epoch}`,
    out: o.out,
    bytes: statSync(o.out).size,
    opset: o.opset,
    input: { name: 'data', shape: fused ? ['seq_len', 'batch'] : shape, layout: layoutOf(run.model) },
    output: { name: symbol.listOutputs()[0], rows: fused ? 'seq_len*batch' : batch * seqLen, vocab: run.model.vocabSize },
    vocabulary: `${prefix}-vocab.json`,
  };
  if (o.json) console.log(JSON.stringify(result));
  else {
    console.log(`Wrote ${o.out} (${result.bytes} bytes, ONNX opset ${o.opset}) from ${result.checkpoint}`);
    console.log(`  input 'data' ${input}: token ids as float32 (vocabulary: ${result.vocabulary})`);
    console.log(`  output '${result.output.name}' (${fused ? 'seq_len·batch' : batch * seqLen}, ${run.model.vocabSize}): next-word probabilities, time-major rows`);
  }
  return 0;
}
