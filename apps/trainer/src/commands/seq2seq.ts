// `bkt-train seq2seq`: trains the attention encoder–decoder on parallel files or the built-in
// parallel corpus with a BucketingModule on [source length, target length] keys: Speedometer lines,
// per-epoch validation perplexity and greedy BLEU / exact match, checkpoints, resume, a JSONL log;
// at the end, BLEU and exact match of the held-out test set (built-in corpus) with --beam-size.
// Ctrl-C stops after the current batch and writes a checkpoint.

import { type BaseModule, BucketingModule, chooseBuckets } from '@bkt/module';
import { cpu, random, setNumThreads, ValueError } from '@bkt/ndarray';
import { corpusBleu, exactMatch } from '../bleu.js';
import { type EpochRecord, readMetricsLog, writeMetricsLog } from '../metrics-log.js';
import { type RunDisplay, runDisplay } from '../progress.js';
import { ensureParentDir } from '../output-dirs.js';
import { completeCheckpointEpoch } from '../run-files.js';
import {
  BOS,
  buildSeq2SeqVocabs,
  encodePairs,
  loadParallelData,
  type ParallelDataSpec,
  paddingComparison,
  pairIter,
  type Seq2SeqVocabs,
} from '../seq2seq/data.js';
import { Translator } from '../seq2seq/decode.js';
import { type AttentionType, type Seq2SeqConfig, seq2seqSymGen } from '../seq2seq/model.js';
import { writeSeq2SeqReport } from '../seq2seq/report.js';
import { loadSeq2SeqRunFiles, saveSeq2SeqRunFiles, type Seq2SeqRunFile, seq2seqRunFilesOf } from '../seq2seq/run-files.js';
import type { SentencePair } from '../corpus/index.js';
import { EOS, vocabSize } from '../text-data.js';
import { epochFigures, fitWithFigures } from '../epoch-figures.js';
import { checkOptimizer, type TrainCommandOptions } from '../training-setup.js';

export interface Seq2SeqOptions extends TrainCommandOptions {
  trainSource?: string;
  trainTarget?: string;
  validSource?: string;
  validTarget?: string;
  /** Built-in corpus: training pairs, source vocabulary size, longest source sentence. */
  sentences: number;
  vocabSize: number;
  maxLength: number;
  buckets: { source: number[]; target: number[] } | 'auto';
  numBuckets: number;
  numLayers: number;
  numHidden: number;
  numEmbed: number;
  bidirectional: boolean;
  attention: AttentionType;
  tieWeights: boolean;
  labelSmoothing: number;
  beamSize: number;
  lengthPenalty: number;
}

/** One epoch's JSONL line: the LM's fields plus translation quality on the validation set. */
interface Seq2SeqEpochRecord extends EpochRecord {
  valid_bleu: number | null;
  valid_exact_match: number | null;
}

const pairsSpec = (o: Seq2SeqOptions): ParallelDataSpec => {
  const files = [o.trainSource, o.trainTarget, o.validSource, o.validTarget];
  const given = files.filter((f) => f !== undefined).length;
  if (given === 0)
    return { kind: 'builtin', seed: o.seed, sentences: o.sentences, vocabSize: o.vocabSize, maxLength: o.maxLength };
  if (given !== 4)
    throw new ValueError(
      '--train-source, --train-target, --valid-source and --valid-target go together (or give none for the built-in parallel corpus)',
    );
  return {
    kind: 'files',
    trainSource: o.trainSource!,
    trainTarget: o.trainTarget!,
    validSource: o.validSource!,
    validTarget: o.validTarget!,
  };
};

interface Prepared {
  run: Seq2SeqRunFile;
  vocabs: Seq2SeqVocabs;
  data: ReturnType<typeof loadParallelData>;
  /** The complete checkpoint a resumed run continues from. */
  resume?: { prefix: string; epoch: number };
}

function prepare(o: Seq2SeqOptions, log: (m: string) => void): Prepared {
  if (o.resume) {
    const { prefix } = o.resume;
    const epoch = completeCheckpointEpoch(prefix, o.resume.epoch, log);
    const { run, vocabs } = loadSeq2SeqRunFiles(prefix);
    log(`Resuming ${prefix} at epoch ${epoch}: model, data, grid and seed as that run was started`);
    return { run, vocabs, data: loadParallelData(run.data), resume: { prefix, epoch } };
  }
  const spec = pairsSpec(o);
  const data = loadParallelData(spec);
  const vocabs = buildSeq2SeqVocabs(data.train);
  const model: Seq2SeqConfig = {
    sourceVocabSize: vocabSize(vocabs.source),
    targetVocabSize: vocabSize(vocabs.target),
    numEmbed: o.numEmbed,
    numHidden: o.numHidden,
    numLayers: o.numLayers,
    bidirectional: o.bidirectional,
    attention: o.attention,
    tieWeights: o.tieWeights,
    labelSmoothing: o.labelSmoothing,
  };
  // the grid is fixed by the training pairs, so every later read of this run buckets the same way
  // (ParallelBucketIter's 'auto': each axis on its own; the target side counts BOS/EOS once)
  const grid =
    o.buckets === 'auto'
      ? {
          source: chooseBuckets(
            data.train.map((p) => p.source.length),
            o.numBuckets,
          ),
          target: chooseBuckets(
            data.train.map((p) => p.target.length + 1),
            o.numBuckets,
          ),
        }
      : o.buckets;
  return { run: { format: 'bkt-seq2seq', model, grid, data: spec, seed: o.seed }, vocabs, data };
}

/** Every bucket's symbol, the parameters, the optimizer states, then the manifest, which also checks the run files. */
const saveSeq2SeqCheckpoint = (mod: BaseModule, prefix: string, epoch: number): void =>
  (mod as BucketingModule).saveCheckpoint(prefix, epoch, true, { extraFiles: seq2seqRunFilesOf(prefix) });

/** Greedy or beam translations of `pairs` with the module's current parameters; BLEU and exact match. */
function translationQuality(
  translator: Translator,
  pairs: readonly SentencePair[],
  vocabs: Seq2SeqVocabs,
  beamSize: number,
  lengthPenalty: number,
): { bleu: number; exactMatch: number; hypotheses: string[] } {
  const words = new Map([...vocabs.target].map(([w, i]) => [i, w]));
  const ids = translator.translate(encodePairs(pairs, vocabs).source, { beamSize, lengthPenalty });
  const hypotheses = ids.map((s) => s.map((i) => words.get(i)!).join(' '));
  const refs = pairs.map((p) => p.target.join(' '));
  return { bleu: corpusBleu(hypotheses, [refs]).score, exactMatch: exactMatch(hypotheses, refs), hypotheses };
}

/** Runs `bkt-train seq2seq`; resolves with the exit code. */
export async function runSeq2Seq(o: Seq2SeqOptions, display: RunDisplay = runDisplay()): Promise<number> {
  const log = display.log;
  if (o.threads !== undefined) setNumThreads(o.threads);
  checkOptimizer(o);
  const { run, vocabs, data, resume } = prepare(o, log);
  const symGen = seq2seqSymGen(run.model);
  random.seed(run.seed);
  const iterOpts = { batchSize: o.batchSize, buckets: run.grid, numBuckets: o.numBuckets, logger: log };
  const trainIter = pairIter(encodePairs(data.train, vocabs), vocabs, iterOpts);
  const validIter = pairIter(encodePairs(data.valid, vocabs), vocabs, iterOpts);
  const pad = paddingComparison(data.train, run.grid);
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const m = run.model;
  log(
    `Data: ${data.train.length} training / ${data.valid.length} validation pairs${data.test ? ` / ${data.test.length} test pairs` : ''}, vocabulary ${m.sourceVocabSize} → ${m.targetVocabSize}, ` +
      `grid source [${run.grid.source.join(', ')}] × target [${run.grid.target.join(', ')}] (${trainIter.bucketKeys.length} buckets in use)`,
  );
  log(
    `Padding of the computed positions: ${pct(pad.grid)} with the 2-D grid, ${pct(pad.sourceOnly)} with source-length buckets only, ${pct(pad.none)} without bucketing`,
  );
  log(
    `Model: ${m.bidirectional ? 'bidirectional ' : ''}LSTM encoder ${m.numLayers} × ${m.numHidden}, LSTM decoder ${m.numHidden}, ${m.attention} attention, embed ${m.numEmbed}` +
      `${m.tieWeights ? ', tied output' : ''}, label smoothing ${m.labelSmoothing}; ${trainIter.numBatches} batches of ${o.batchSize} per epoch`,
  );

  const context = o.contexts.map((c) => cpu(c.deviceId));
  const beginEpoch = resume?.epoch ?? 0;
  // fitAsync binds, initializes (a loaded module keeps its parameters) and makes the optimizer
  // (a loaded module restores its states)
  const mod: BaseModule = resume
    ? BucketingModule.load(resume.prefix, resume.epoch, {
        symGen,
        defaultBucketKey: trainIter.defaultBucketKey,
        context,
        logger: log,
        loadOptimizerStates: true,
      })
    : new BucketingModule(symGen, { defaultBucketKey: trainIter.defaultBucketKey, context, logger: log });

  const prefix = o.checkpoint ?? o.resume?.prefix;
  const reportFile = o.report ?? (prefix ? `${prefix}-report.html` : 'bkt-seq2seq-report.html');
  if (prefix) ensureParentDir(o.checkpoint ? '--checkpoint' : '--resume', prefix);
  if (o.log) ensureParentDir('--log', o.log);
  ensureParentDir('--report', reportFile);
  // a run resumed under its own prefix keeps the run files its checkpoints' manifests verified
  if (prefix && prefix !== resume?.prefix) saveSeq2SeqRunFiles(prefix, run, vocabs);
  // a resumed run's earlier lines were written by this command, with the translation fields
  const records = o.log && resume ? (readMetricsLog(o.log) as Seq2SeqEpochRecord[]).filter((r) => r.epoch <= beginEpoch) : [];
  const cells = trainIter.bucketStats();
  const report = (status: string): void =>
    writeSeq2SeqReport(reportFile, {
      title: 'bkt-train seq2seq',
      status,
      config: { ...run.model, grid: `${run.grid.source.join(',')}x${run.grid.target.join(',')}`, seed: run.seed },
      epochs: records,
      grid: run.grid,
      cells,
    });
  const translatorOf = (): Translator => {
    const [args, aux] = mod.getParams();
    return new Translator({
      symGen,
      argParams: args,
      auxParams: aux,
      sourceBuckets: run.grid.source,
      bosId: vocabs.target.get(BOS)!,
      eosId: vocabs.target.get(EOS)!,
    });
  };

  const figures = epochFigures({
    trainIter,
    validIter,
    seed: run.seed,
    invalidLabel: 0,
    numEpoch: o.epochs,
    display,
    onTrained: (epoch) => {
      if (prefix) saveSeq2SeqCheckpoint(mod, prefix, epoch + 1);
    },
    onEpoch: (r) => {
      const translator = translatorOf();
      const q = (() => {
        try {
          return translationQuality(translator, data.valid, vocabs, 1, o.lengthPenalty);
        } finally {
          translator.dispose();
        }
      })();
      const rec: Seq2SeqEpochRecord = {
        epoch: r.epoch + 1,
        train_ppl: r.trainPpl,
        valid_ppl: r.validPpl,
        valid_bleu: +q.bleu.toFixed(2),
        valid_exact_match: +q.exactMatch.toFixed(4),
        tokens_per_s: Math.round(r.tokens / r.seconds),
        samples_per_s: Math.round(r.samples / r.seconds),
        seconds: +r.seconds.toFixed(3),
      };
      records.push(rec);
      log(
        `Epoch ${r.epoch + 1}/${o.epochs}: train ppl ${r.trainPpl.toFixed(3)}, valid ppl ${r.validPpl === null ? '-' : r.validPpl.toFixed(3)}, ` +
          `valid BLEU ${q.bleu.toFixed(2)} (greedy), exact match ${(q.exactMatch * 100).toFixed(1)}%, ${rec.tokens_per_s} tokens/s, ${r.seconds.toFixed(1)} s`,
      );
      if (o.log) writeMetricsLog(o.log, records);
      report(`running: ${rec.epoch} of ${o.epochs} epochs done`);
    },
  });
  const started = performance.now();
  const end = await fitWithFigures(mod, figures, {
    ...o,
    beginEpoch,
    kvstore: o.kvStore === 'none' ? null : o.kvStore,
    log,
    display,
  });
  const took = (performance.now() - started) / 1000;
  if (end.aborted) {
    const to = prefix ?? 'bkt-interrupted-seq2seq';
    if (!prefix) saveSeq2SeqRunFiles(to, run, vocabs);
    saveSeq2SeqCheckpoint(mod, to, end.epoch);
    report(`interrupted in epoch ${end.epoch + 1}`);
    log(
      `Stopped in epoch ${end.epoch + 1} after ${end.batches} of ${trainIter.numBatches} batches; saved ${to}-${String(end.epoch).padStart(4, '0')}.params (continue with --resume ${to}:${end.epoch})`,
    );
    return 0;
  }
  log(`Trained ${o.epochs - beginEpoch} epochs in ${took.toFixed(1)} s; report: ${reportFile}`);
  report(`finished ${o.epochs} epochs in ${took.toFixed(1)} s`);
  if (data.test) {
    const translator = translatorOf();
    try {
      const tic = performance.now();
      const q = translationQuality(translator, data.test, vocabs, o.beamSize, o.lengthPenalty);
      log(
        `Test (${data.test.length} held-out pairs, beam ${o.beamSize}, length penalty ${o.lengthPenalty}): BLEU ${q.bleu.toFixed(2)}, exact match ${(q.exactMatch * 100).toFixed(1)}%, ` +
          `decoded in ${((performance.now() - tic) / 1000).toFixed(1)} s; whole run ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    } finally {
      translator.dispose();
    }
  }
  return 0;
}
