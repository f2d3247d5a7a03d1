// `bkt-train lm`: trains the bucketed language model (lstm_bucketing.py and more) with a progress
// display, Speedometer lines, per-epoch summaries, checkpoints, a JSONL log and an HTML report.
// Training is BaseModule.fitAsync; Ctrl-C aborts it after the current batch, then a final checkpoint
// and the report are written and the process exits 0.

import type { BaseModule } from '@bkt/module';
import { cpu, random, setNumThreads, ValueError } from '@bkt/ndarray';
import { bucketIter, bucketStats, loadTrainingText, resolveBuckets } from '../lm-data.js';
import { createLMModule, loadLMModule, saveLMCheckpoint } from '../lm-module.js';
import { type EpochRecord, readMetricsLog, writeMetricsLog } from '../metrics-log.js';
import { layoutOf, type LMConfig, lmSymGen } from '../model.js';
import type { CheckpointRef } from '../options.js';
import { plainDisplay, type RunDisplay, runDisplay } from '../progress.js';
import { writeReport } from '../report.js';
import { ensureParentDir } from '../output-dirs.js';
import { completeCheckpointEpoch, type DataSpec, loadRunFiles, type RunFile, saveRunFiles } from '../run-files.js';
import { epochFigures, fitWithFigures } from '../epoch-figures.js';
import { checkOptimizer, type TrainCommandOptions } from '../training-setup.js';
import { vocabSize } from '../text-data.js';
import { joinJob } from '../distributed.js';

export interface LmOptions extends TrainCommandOptions {
  train?: string;
  valid?: string;
  /** Built-in corpus size (training sentences); undefined: the corpus's default. */
  sentences?: number;
  /** Build the vocabulary from the training and validation files (the PyTorch reference's recipe). */
  vocabFromValid?: boolean;
  buckets: number[] | 'auto';
  numBuckets: number;
  cell: 'lstm' | 'gru';
  /** bfloat16: the module is bound with AMP (ModuleOptions.amp). */
  dtype: 'float32' | 'bfloat16';
  /** undefined: fused unless dropout asks for unrolled cells. */
  fused?: boolean;
  numLayers: number;
  numHidden: number;
  numEmbed: number;
  dropout: number;
  eos: boolean;
}

/** Where a Ctrl-C checkpoint goes when no --checkpoint was given. */
export const INTERRUPT_PREFIX = 'bkt-interrupted';

interface Prepared {
  run: RunFile;
  data: ReturnType<typeof loadTrainingText>;
  /** The complete checkpoint a resumed run continues from. */
  resume?: CheckpointRef;
}

// A fresh run's configuration, or a resumed run's (model and data as the checkpoint was trained).
function prepare(o: LmOptions, log: (m: string) => void): Prepared {
  if (o.resume) {
    const { prefix } = o.resume;
    const epoch = completeCheckpointEpoch(prefix, o.resume.epoch, log);
    const { run, vocab } = loadRunFiles(prefix);
    log(`Resuming ${prefix} at epoch ${epoch}: model, data, buckets and seed as that run was started`);
    return { run, data: loadTrainingText(run.data, run.eos, vocab), resume: { prefix, epoch } };
  }
  if ((o.train === undefined) !== (o.valid === undefined))
    throw new ValueError('--train and --valid go together (or give neither for the built-in corpus)');
  if (o.vocabFromValid && !o.train)
    throw new ValueError('--vocab-from-valid needs --train and --valid files (the built-in corpus has its own vocabulary)');
  const spec0: DataSpec = o.train
    ? { kind: 'files', train: o.train, valid: o.valid!, vocabFromValid: o.vocabFromValid ?? false }
    : { kind: 'builtin', seed: o.seed, sentences: o.sentences, floorPpl: NaN };
  const data = loadTrainingText(spec0, o.eos);
  // the run file records the corpus size actually drawn, so a resume regenerates the same text
  const spec: DataSpec = spec0.kind === 'builtin' ? { ...spec0, sentences: data.train.length, floorPpl: data.floorPpl! } : spec0;
  const lengths = data.train.map((s) => s.length);
  const buckets = resolveBuckets(o.buckets, o.numBuckets, lengths);
  const model: LMConfig = {
    cell: o.cell,
    fused: o.fused ?? o.dropout === 0,
    numLayers: o.numLayers,
    numHidden: o.numHidden,
    numEmbed: o.numEmbed,
    dropout: o.dropout,
    vocabSize: vocabSize(data.vocab),
  };
  return { run: { model, eos: o.eos, buckets, data: spec, seed: o.seed }, data };
}

function configTable(
  o: LmOptions,
  run: RunFile,
  resume: CheckpointRef | undefined,
  trainCount: number,
  validCount: number,
): Record<string, string | number | boolean | null> {
  const m = run.model;
  return {
    data:
      run.data.kind === 'builtin'
        ? `built-in corpus (seed ${run.data.seed}, ${run.data.sentences} sentences)`
        : `${run.data.train} / ${run.data.valid}`,
    'train sentences': trainCount,
    'valid sentences': validCount,
    vocabulary: m.vocabSize,
    buckets: run.buckets.join(', '),
    network: `${m.cell} ${m.fused ? 'fused' : 'unrolled'}, ${m.numLayers} × ${m.numHidden}, embed ${m.numEmbed}`,
    dropout: m.dropout,
    'batch size': o.batchSize,
    epochs: o.epochs,
    optimizer: o.optimizer,
    lr: o.lr,
    momentum: o.momentum,
    wd: o.wd,
    clip: o.clip,
    'lr scheduler': o.lrScheduler ? JSON.stringify(o.lrScheduler) : null,
    init: `${o.init.kind}:${o.init.kind === 'xavier' ? o.init.magnitude : o.init.scale}`,
    contexts: o.contexts.map((c) => `cpu(${c.deviceId})`).join(','),
    'kv store': o.kvStore,
    seed: run.seed,
    checkpoint: o.checkpoint ?? null,
    resumed: resume ? `${resume.prefix}:${resume.epoch}` : null,
  };
}

const gapText = (ppl: number | null, floor: number | null): string =>
  ppl === null || floor === null
    ? ''
    : ` (floor ${floor.toFixed(2)}, ${ppl >= floor ? '+' : ''}${(((ppl - floor) / floor) * 100).toFixed(1)}%)`;

/** Runs `bkt-train lm`; resolves with the exit code. */
export async function runLm(given: LmOptions, shown: RunDisplay = runDisplay()): Promise<number> {
  const job = joinJob(given.kvStore);
  const primary = job.rank === 0;
  // workers other than rank 0 train silently and write nothing
  const o: LmOptions = primary ? given : { ...given, log: undefined };
  const display = primary ? shown : plainDisplay(() => {});
  const log = display.log;
  if (job.kv)
    log(
      `Distributed: ${job.numWorkers} workers (${given.kvStore}); this is rank 0, each worker trains every ${job.numWorkers}-th batch`,
    );
  if (o.threads !== undefined) setNumThreads(o.threads);
  checkOptimizer(o);
  // a resumed run goes on checkpointing under its prefix unless --checkpoint names another
  const prefix = primary ? (o.checkpoint ?? o.resume?.prefix) : undefined;
  const reportFile = o.report ?? (prefix ? `${prefix}-report.html` : 'bkt-report.html');
  // every output folder is made and checked before the data is read and the model built
  if (prefix) ensureParentDir(o.checkpoint ? '--checkpoint' : '--resume', prefix);
  if (o.log) ensureParentDir('--log', o.log);
  if (primary) ensureParentDir('--report', reportFile);
  const { run, data, resume } = prepare(o, log);
  // the iterators shuffle once when made, so a resumed run seeds as its first run did
  random.seed(run.seed);
  const layout = layoutOf(run.model);
  const symGen = lmSymGen(run.model);
  const trainIter = bucketIter(data.train, o.batchSize, run.buckets, layout, log, {
    numParts: job.numWorkers,
    partIndex: job.rank,
  });
  const validIter = bucketIter(data.valid, o.batchSize, run.buckets, layout, log);
  if (trainIter.numBatches === 0)
    throw new ValueError(`--batch-size ${o.batchSize}: no bucket holds that many training sentences`);
  const floorPpl = data.floorPpl;
  log(
    `Data: ${data.train.length} training / ${data.valid.length} validation sentences, vocabulary ${run.model.vocabSize}, buckets [${run.buckets.join(', ')}]` +
      (floorPpl !== null ? `, source floor perplexity ${floorPpl.toFixed(2)}` : ''),
  );
  const m = run.model;
  log(
    `Model: ${m.cell} ${m.fused ? 'fused (TN)' : 'unrolled (NT)'}, ${m.numLayers} layers × ${m.numHidden} hidden, embed ${m.numEmbed}, ${trainIter.numBatches} batches of ${o.batchSize} per epoch`,
  );

  const context = o.contexts.map((c) => cpu(c.deviceId));
  const amp = o.dtype === 'bfloat16' ? ('bfloat16' as const) : null;
  const defaultKey = trainIter.defaultBucketKey;
  const beginEpoch = resume?.epoch ?? 0;
  // fitAsync binds, initializes (a loaded module keeps its parameters) and makes the optimizer
  // (a loaded module restores its states)
  const mod: BaseModule = resume
    ? loadLMModule(resume.prefix, resume.epoch, symGen, defaultKey, { context, logger: log, amp, loadOptimizerStates: true })
    : createLMModule(symGen, defaultKey, { context, logger: log, amp });

  // a run resumed under its own prefix keeps the run files its checkpoints' manifests verified
  if (prefix && prefix !== resume?.prefix) saveRunFiles(prefix, run, data.vocab);
  const writeReportFile = primary ? writeReport : (): void => {};
  const records: EpochRecord[] = o.log && resume ? readMetricsLog(o.log).filter((r) => r.epoch <= beginEpoch) : [];
  const stats = bucketStats(
    data.train.map((s) => s.length),
    run.buckets,
  );
  const config = configTable(o, run, resume, data.train.length, data.valid.length);
  const report = (status: string): void =>
    writeReportFile(reportFile, { title: 'bkt-train lm', config, epochs: records, buckets: stats, floorPpl, status });

  if (validIter.numBatches === 0)
    log(
      `Warning: no bucket holds ${o.batchSize} validation sentences, so there is no validation; lower --batch-size or --num-buckets`,
    );

  const figures = epochFigures({
    trainIter,
    validIter,
    seed: run.seed,
    invalidLabel: 0,
    numEpoch: o.epochs,
    display,
    onTrained: (epoch) => {
      if (prefix) saveLMCheckpoint(mod, prefix, epoch + 1);
    },
    onEpoch: (r) => {
      const rec: EpochRecord = {
        epoch: r.epoch + 1,
        train_ppl: r.trainPpl,
        valid_ppl: r.validPpl,
        ...(floorPpl !== null ? { floor_ppl: floorPpl } : {}),
        tokens_per_s: Math.round(r.tokens / r.seconds),
        samples_per_s: Math.round(r.samples / r.seconds),
        seconds: +r.seconds.toFixed(3),
      };
      records.push(rec);
      log(
        `Epoch ${r.epoch + 1}/${o.epochs}: train ppl ${r.trainPpl.toFixed(2)}, valid ppl ${r.validPpl === null ? '-' : r.validPpl.toFixed(2)}` +
          `${gapText(r.validPpl, floorPpl)}, ${rec.tokens_per_s} tokens/s, ${r.seconds.toFixed(1)} s`,
      );
      if (o.log) writeMetricsLog(o.log, records);
      report(`running: ${rec.epoch} of ${o.epochs} epochs done`);
    },
  });
  const started = performance.now();
  const end = await fitWithFigures(mod, figures, {
    ...o,
    beginEpoch,
    kvstore: job.kv ?? (o.kvStore === 'none' ? null : o.kvStore),
    log,
    display,
  });
  const took = (performance.now() - started) / 1000;
  const duration = took < 120 ? `${took.toFixed(1)} s` : `${(took / 60).toFixed(1)} min`;
  if (end.aborted) {
    const to = prefix ?? INTERRUPT_PREFIX;
    if (primary && !prefix) saveRunFiles(to, run, data.vocab);
    if (primary) saveLMCheckpoint(mod, to, end.epoch);
    log(
      `Stopped in epoch ${end.epoch + 1} after ${end.batches} of ${trainIter.numBatches} batches; saved ${to}-${String(end.epoch).padStart(4, '0')}.params ` +
        `(continue with --resume ${to}:${end.epoch}, which restarts epoch ${end.epoch + 1} from these parameters)`,
    );
    report(`interrupted in epoch ${end.epoch + 1} after ${duration}`);
  } else {
    report(`finished ${o.epochs} epochs in ${duration}`);
  }
  log(`Report: ${reportFile}`);
  return 0;
}
