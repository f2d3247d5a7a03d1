// The bkt-train program: parses and validates the options of each subcommand (commander prints
// what is wrong and exits non-zero), then hands typed options to the command. An error while
// running prints one line (no stack for bkt's own errors unless BKT_TRACE=1) and sets exit code 1.

import { Command, Option } from 'commander';
import { BktError } from '@bkt/ndarray';
import { runBench } from './commands/bench.js';
import { runCorpus } from './commands/corpus.js';
import { runEval } from './commands/eval.js';
import { runExport } from './commands/export.js';
import { runGenerate } from './commands/generate.js';
import { runLm } from './commands/lm.js';
import { addSeq2SeqCommands } from './commands/seq2seq-cli.js';
import {
  intAtLeast,
  numberIn,
  parseBuckets,
  parseCheckpointRef,
  parseContexts,
  parseInit,
  parseLrScheduler,
  parseResumeRef,
} from './options.js';

const run = (fn: () => Promise<number>): Promise<void> =>
  fn().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const err = e as Error;
      console.error(
        `bkt-train: error: ${err instanceof BktError && !process.env['BKT_TRACE'] ? err.message : (err.stack ?? String(err))}`,
      );
      process.exitCode = 1;
    },
  );

const contextsOption = (): Option =>
  new Option('--contexts <list>', 'devices, e.g. cpu(0),cpu(1)')
    .argParser(parseContexts)
    .default(parseContexts('cpu(0)'), 'cpu(0)');
const checkpointRefOption = (what: string): Option =>
  new Option('--checkpoint <prefix:epoch>', what).argParser(parseCheckpointRef).makeOptionMandatory();
const threadsOption = (): Option =>
  new Option('--threads <n>', 'native worker threads (default: the machine’s cores)').argParser(intAtLeast(1));

/** The bkt-train program; `configure` runs before the subcommands are added, so they inherit it (tests use exitOverride). */
export function buildProgram(configure: (root: Command) => void = () => {}): Command {
  const program = new Command('bkt-train')
    .description('Train, evaluate and sample bucketed LSTM/GRU language models (MXNet lstm_bucketing.py on bkt).')
    .showHelpAfterError('(add --help for the options)')
    .configureHelp({ sortOptions: false });
  configure(program);
  program
    .command('lm')
    .description('train the language model on text files or the built-in corpus')
    .option('--train <file>', 'training text, one sentence a line, words split on spaces (with --valid)')
    .option('--valid <file>', 'validation text (with --train)')
    .option('--vocab-from-valid', 'build the vocabulary from --train and --valid (as the PyTorch reference does)')
    .option(
      '--sentences <n>',
      'built-in corpus: training sentences (validation gets a tenth; default: the corpus’s own)',
      intAtLeast(10),
    )
    .option(
      '--buckets <list>',
      "bucket lengths '10,20,30' or 'auto' (chosen from the length histogram)",
      parseBuckets,
      'auto' as const,
    )
    .option('--num-buckets <n>', 'how many buckets --buckets auto chooses', intAtLeast(1), 6)
    .addOption(new Option('--cell <type>', 'recurrent cell').choices(['lstm', 'gru']).default('lstm'))
    .addOption(
      new Option(
        '--dtype <type>',
        "compute type: bfloat16 is MXNet's AMP (GEMMs in bfloat16 with float32 accumulation; weights, softmax, loss, optimizer float32)",
      )
        .choices(['float32', 'bfloat16'])
        .default('float32'),
    )
    .addOption(new Option('--fused', 'the fused RNN operator, layout TN (the default unless --dropout)').conflicts('unrolled'))
    .addOption(new Option('--unrolled', 'unrolled step cells, layout NT (as lstm_bucketing.py)'))
    .option('--num-layers <n>', 'stacked recurrent layers', intAtLeast(1), 2)
    .option('--num-hidden <n>', 'hidden units per layer', intAtLeast(1), 200)
    .option('--num-embed <n>', 'embedding size', intAtLeast(1), 200)
    .option('--dropout <p>', 'dropout between layers, in [0, 1) (needs --unrolled)', numberIn(0, 0.99), 0)
    .option('--batch-size <n>', 'sentences per batch', intAtLeast(1), 32)
    .option('--epochs <n>', 'train until this many epochs are done', intAtLeast(1), 3)
    .option(
      '--optimizer <name>',
      'adam, sgd, nag, rmsprop, … (any registered optimizer; lstm_bucketing.py: sgd, --lr 0.01)',
      'adam',
    )
    .option('--lr <rate>', 'learning rate', numberIn(0, Infinity, true), 0.005)
    .option('--momentum <m>', 'momentum (sgd, nag, signum)', numberIn(0, 0.999), 0)
    .option('--wd <w>', 'weight decay', numberIn(0), 0.00001)
    .option('--clip <c>', 'clip each gradient element to [-c, c]', numberIn(0, Infinity, true))
    .option(
      '--lr-scheduler <spec>',
      'factor:STEP:FACTOR | multifactor:S1,S2:FACTOR | poly:MAX_UPDATE[:POWER] | cosine:MAX_UPDATE',
      parseLrScheduler,
    )
    .addOption(
      new Option(
        '--init <spec>',
        'xavier[:MAGNITUDE] (factor_type in), uniform[:SCALE] (weights) or uniform-all[:SCALE] (every parameter)',
      )
        .argParser(parseInit)
        .default(parseInit('xavier'), 'xavier:2.34'),
    )
    .addOption(contextsOption())
    .addOption(
      new Option(
        '--kv-store <type>',
        'gradient aggregation over contexts, or over the workers of a bkt-launch job (dist_*; dist_async needs server ranks: bkt-launch -s)',
      )
        .choices(['device', 'local', 'none', 'dist_sync', 'dist_device_sync', 'dist_async'])
        .default('device'),
    )
    .option('--seed <n>', 'random seed (corpus, initialization, shuffling)', intAtLeast(0), 42)
    .option('--checkpoint <prefix>', 'save <prefix>-NNNN.params (+ optimizer states, vocab, run config) every epoch')
    .option(
      '--resume <prefix[:epoch]>',
      'continue a checkpointed run after that epoch (default: its newest complete checkpoint)',
      parseResumeRef,
    )
    .option('--log <file>', 'JSONL metrics, one object per epoch')
    .option('--report <file>', 'HTML report (default: <checkpoint>-report.html or ./bkt-report.html)')
    .option('--disp-batches <n>', 'a Speedometer line every n batches', intAtLeast(1), 50)
    .option('--no-eos', 'do not end sentences with </s> (as MXNet and the PyTorch reference read text)')
    .addOption(threadsOption())
    .action((opts) =>
      run(() =>
        runLm({
          ...opts,
          clip: opts.clip ?? null,
          lrScheduler: opts.lrScheduler ?? null,
          fused: opts.fused ? true : opts.unrolled ? false : undefined,
        }),
      ),
    );

  program
    .command('eval')
    .description('perplexity of a checkpoint on a text file')
    .addOption(checkpointRefOption('the checkpoint to evaluate'))
    .requiredOption('--data <file>', 'text, one sentence a line')
    .option('--batch-size <n>', 'sentences per batch', intAtLeast(1), 32)
    .option('--json', 'print one JSON object')
    .addOption(contextsOption())
    .addOption(threadsOption())
    .action((opts) => run(() => runEval(opts)));

  program
    .command('generate')
    .description('sample text from a checkpoint')
    .addOption(checkpointRefOption('the checkpoint to sample'))
    .option('--prompt <words>', 'words to continue (default: a random first word)')
    .option('--length <n>', 'words to generate at most (stops early at </s>)', intAtLeast(1), 20)
    .option('--temperature <t>', 'sampling temperature (> 0; lower is greedier)', numberIn(0, 100, true), 1)
    .option('--seed <n>', 'random seed', intAtLeast(0), 1)
    .option('--count <n>', 'how many samples', intAtLeast(1), 1)
    .addOption(threadsOption())
    .action((opts) => run(() => runGenerate(opts)));

  program
    .command('export')
    .description('write a checkpoint as an ONNX model for onnxruntime (any sequence length and batch size)')
    .addOption(checkpointRefOption('the checkpoint to export'))
    .requiredOption('--out <file>', 'the .onnx file to write (atomically)')
    .option('--opset <n>', 'ONNX opset (13 to 15)', intAtLeast(13), 13)
    .option('--json', 'print one JSON object')
    .action((opts) => run(() => runExport(opts)));

  program
    .command('corpus')
    .description('write the built-in corpus as text files (train.txt, valid.txt) and print its floor perplexity')
    .requiredOption('--out <dir>', 'folder for train.txt and valid.txt (created if missing)')
    .option('--seed <n>', 'corpus seed (bkt-train lm uses its --seed)', intAtLeast(0), 42)
    .option('--sentences <n>', 'training sentences (validation gets a tenth; default: the corpus’s own)', intAtLeast(10))
    .option('--json', 'print one JSON object')
    .action((opts) => run(() => runCorpus(opts)));

  program
    .command('bench')
    .description('training throughput of the LM on random tokens (JSON lines, one per variant)')
    .option('--seq-len <n>', 'sequence length', intAtLeast(2), 30)
    .option('--batches <n>', 'timed training steps', intAtLeast(1), 40)
    .option('--vocab <n>', 'vocabulary size', intAtLeast(2), 10000)
    .option('--batch-size <n>', 'sentences per batch', intAtLeast(1), 32)
    .option('--num-hidden <n>', 'hidden units per layer', intAtLeast(1), 200)
    .option('--num-embed <n>', 'embedding size', intAtLeast(1), 200)
    .option('--num-layers <n>', 'stacked layers', intAtLeast(1), 2)
    .addOption(new Option('--cell <type>', 'recurrent cell').choices(['lstm', 'gru']).default('lstm'))
    .addOption(new Option('--variant <v>', 'which build to time').choices(['fused', 'unrolled', 'both']).default('both'))
    .addOption(threadsOption())
    .action((opts) => run(() => runBench(opts)));

  addSeq2SeqCommands(program, { run, contextsOption, threadsOption });
  return program;
}
