// The translation commands of bkt-train (`seq2seq`, `translate`, `eval-bleu`), added to the program
// with the helpers every command shares (error handling, the contexts, threads and checkpoint options).

import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_MAX_SENTENCE_LENGTH, DEFAULT_PARALLEL_SENTENCES, DEFAULT_PARALLEL_VOCAB_SIZE } from '../corpus/index.js';
import {
  intAtLeast,
  numberIn,
  parseBuckets,
  parseCheckpointRef,
  parseInit,
  parseLrScheduler,
  parseResumeRef,
} from '../options.js';
import { ATTENTION_TYPES } from '../seq2seq/model.js';
import { runEvalBleu } from './eval-bleu.js';
import { runSeq2Seq } from './seq2seq.js';
import { runTranslate } from './translate.js';

export interface CommandHelpers {
  run: (fn: () => Promise<number>) => Promise<void>;
  contextsOption: () => Option;
  threadsOption: () => Option;
}

/** `auto`, or `S1,S2,...xT1,T2,...`: the source and target boundaries of the bucket grid. */
export function parseBucketGrid(v: string): { source: number[]; target: number[] } | 'auto' {
  if (v === 'auto') return 'auto';
  const halves = v.split('x');
  const [source, target] = halves.map((h) => parseBuckets(h));
  if (halves.length !== 2 || source === 'auto' || target === 'auto') {
    throw new InvalidArgumentError(`'${v}' is not 'auto' nor a grid SOURCE_LENGTHSxTARGET_LENGTHS such as 5,8,12x6,9,13.`);
  }
  return { source: source!, target: target! };
}

const decodeOptions = (cmd: Command): Command =>
  cmd
    .option('--beam-size <n>', 'beam size (1: greedy)', intAtLeast(1), 4)
    .option('--length-penalty <alpha>', 'GNMT length penalty exponent ((5+len)/6)^alpha; 0: none', numberIn(0, 10), 1)
    .option('--batch-rows <n>', 'rows decoded together (sentences × beam)', intAtLeast(1), 128)
    .option('--max-length-ratio <r>', 'longest translation: ceil(source bucket × r) tokens', numberIn(0, 100, true), 1.5);

export function addSeq2SeqCommands(program: Command, h: CommandHelpers): void {
  program
    .command('seq2seq')
    .description(
      'train the attention encoder–decoder on parallel files or the built-in parallel corpus ([source, target] bucket keys)',
    )
    .option('--train-source <file>', 'training source sentences, one a line (with the three other files)')
    .option('--train-target <file>', 'their translations, line by line')
    .option('--valid-source <file>', 'validation source sentences')
    .option('--valid-target <file>', 'validation translations')
    .option(
      '--sentences <n>',
      'built-in corpus: training pairs (validation and test get a tenth each)',
      intAtLeast(10),
      DEFAULT_PARALLEL_SENTENCES,
    )
    .option('--vocab-size <n>', 'built-in corpus: source words', intAtLeast(64), DEFAULT_PARALLEL_VOCAB_SIZE)
    .option('--max-length <n>', 'built-in corpus: longest source sentence in words', intAtLeast(3), DEFAULT_MAX_SENTENCE_LENGTH)
    .option(
      '--buckets <grid>',
      "'auto' (each axis chosen from its length histogram) or SOURCExTARGET lengths, e.g. 5,8,12x6,9,13",
      parseBucketGrid,
      'auto' as const,
    )
    .option('--num-buckets <n>', 'boundaries per axis that --buckets auto chooses', intAtLeast(1), 4)
    .option('--num-layers <n>', 'encoder layers', intAtLeast(1), 1)
    .option(
      '--num-hidden <n>',
      'decoder state size (the encoder’s output: half per direction when bidirectional)',
      intAtLeast(2),
      128,
    )
    .option('--num-embed <n>', 'embedding size', intAtLeast(1), 128)
    .option('--no-bidirectional', 'a left-to-right encoder only')
    .addOption(new Option('--attention <type>', 'attention scores').choices([...ATTENTION_TYPES]).default('dot'))
    .option('--tie-weights', 'the output layer uses the target embedding (needs --num-embed = --num-hidden)')
    .option('--label-smoothing <a>', 'SoftmaxOutput smooth_alpha, in [0, 1)', numberIn(0, 0.99), 0.1)
    .option('--batch-size <n>', 'sentence pairs per batch', intAtLeast(1), 64)
    .option('--epochs <n>', 'train until this many epochs are done', intAtLeast(1), 3)
    .option('--optimizer <name>', 'adam, sgd, … (any registered optimizer)', 'adam')
    .option('--lr <rate>', 'learning rate', numberIn(0, Infinity, true), 0.01)
    .option('--momentum <m>', 'momentum (sgd, nag, signum)', numberIn(0, 0.999), 0)
    .option('--wd <w>', 'weight decay', numberIn(0), 0)
    .option('--clip <c>', 'clip each gradient element to [-c, c]', numberIn(0, Infinity, true), 5)
    .option(
      '--lr-scheduler <spec>',
      'factor:STEP:FACTOR | multifactor:S1,S2:FACTOR | poly:MAX_UPDATE[:POWER] | cosine:MAX_UPDATE',
      parseLrScheduler,
    )
    .addOption(
      new Option('--init <spec>', 'xavier[:MAGNITUDE], uniform[:SCALE] or uniform-all[:SCALE]')
        .argParser(parseInit)
        .default(parseInit('xavier'), 'xavier:2.34'),
    )
    .addOption(h.contextsOption())
    .addOption(
      new Option('--kv-store <type>', 'gradient aggregation over contexts')
        .choices(['device', 'local', 'none'])
        .default('device'),
    )
    .option('--seed <n>', 'random seed (corpus, initialization, shuffling)', intAtLeast(0), 42)
    .option('--checkpoint <prefix>', 'save <prefix>-NNNN.params (+ optimizer states, vocabularies, run config) every epoch')
    .option(
      '--resume <prefix[:epoch]>',
      'continue a checkpointed run after that epoch (default: its newest complete checkpoint)',
      parseResumeRef,
    )
    .option('--log <file>', 'JSONL metrics, one object per epoch')
    .option(
      '--report <file>',
      'HTML report with the bucket-grid heat map (default: <checkpoint>-report.html or ./bkt-seq2seq-report.html)',
    )
    .option('--disp-batches <n>', 'a Speedometer line every n batches', intAtLeast(1), 50)
    .option('--beam-size <n>', 'beam size of the final test-set translation (built-in corpus)', intAtLeast(1), 4)
    .option('--length-penalty <alpha>', 'GNMT length penalty exponent of that translation', numberIn(0, 10), 1)
    .addOption(h.threadsOption())
    .action((opts) =>
      h.run(() =>
        runSeq2Seq({
          ...opts,
          tieWeights: opts.tieWeights ?? false,
          clip: opts.clip ?? null,
          lrScheduler: opts.lrScheduler ?? null,
        }),
      ),
    );

  decodeOptions(
    program
      .command('translate')
      .description(
        'translate a file or standard input, one sentence a line, with a seq2seq checkpoint (one translation a line on standard output)',
      )
      .addOption(new Option('--checkpoint <prefix:epoch>', 'the checkpoint').argParser(parseCheckpointRef).makeOptionMandatory())
      .option('--input <file>', 'source sentences (default: standard input)'),
  )
    .addOption(h.threadsOption())
    .action((opts) => h.run(() => runTranslate(opts)));

  decodeOptions(
    program
      .command('eval-bleu')
      .description(
        'corpus BLEU (sacreBLEU defaults) and exact match of translations: a file, or a checkpoint’s on --source (or on the built-in test set)',
      )
      .option('--hypotheses <file>', 'translations to score, one a line (with --reference)')
      .addOption(new Option('--checkpoint <prefix:epoch>', 'translate with this checkpoint').argParser(parseCheckpointRef))
      .option('--source <file>', 'with --checkpoint: the sentences to translate')
      .option('--reference <file>', 'the reference translations, one a line')
      .option('--json', 'print one JSON object'),
  )
    .addOption(h.threadsOption())
    .action((opts) => h.run(() => runEvalBleu(opts)));
}
