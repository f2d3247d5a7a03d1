// The kill test: a child `bkt-train lm` (tiny model, tiny corpus, a checkpoint every epoch of a few
// batches) is killed with SIGKILL at seeded random points, then resumed and killed again, several
// times on one prefix. Half the kills aim at the checkpoint writes (the moment the params file is
// reported saved, plus 0-3 ms), the others at any time while it trains. Afterwards every
// checkpoint that counts as complete loads with its optimizer states and resumes, and
// `--resume PREFIX` picks the newest complete one, naming the incomplete ones it skips.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listCheckpoints } from '@bkt/module';
import { cpu } from '@bkt/ndarray';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/corpus/rng.js';
import { loadLMModule } from '../src/lm-module.js';
import { lmSymGen } from '../src/model.js';
import { loadRunFiles } from '../src/run-files.js';
import { cliInProcess, finished, spawnCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'bkt-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TINY = [
  '--sentences',
  '120',
  '--num-layers',
  '1',
  '--num-hidden',
  '8',
  '--num-embed',
  '8',
  '--batch-size',
  '8',
  '--num-buckets',
  '2',
  '--disp-batches',
  '1000',
  '--threads',
  '1',
  '--seed',
  '3',
];
const RUNS = 6;

// Starts a run and SIGKILLs it after it has trained for a random while, or (atSave) a random 0-3 ms
// after it reports the `saves`-th params file written, while it goes on with the states and manifest.
async function killedRun(
  args: string[],
  rng: Rng,
  atSave: boolean,
  saves = 1 + rng.int(3),
): Promise<{ signal: NodeJS.Signals | null; out: string }> {
  const child = spawnCli(args);
  const delay = atSave ? rng.int(4) : 20 + rng.int(400);
  let seen = 0;
  let armed = false;
  child.stdout!.on('data', (d: Buffer) => {
    const text = d.toString();
    // training has started once the model line is out
    seen += atSave ? (text.match(/Saved checkpoint to /g) ?? []).length : /^Model: /m.test(text) ? saves : 0;
    if (!armed && seen >= saves) {
      armed = true;
      setTimeout(() => child.kill('SIGKILL'), delay);
    }
  });
  const { signal, out } = await finished(child, 40_000);
  return { signal, out };
}

describe('SIGKILL at random points', () => {
  it('leaves only checkpoints that load and resume; --resume PREFIX picks the newest complete one', async () => {
    const prefix = join(dir, 'lm');
    const rng = new Rng(20261207);
    let skipped = 0;
    for (let run = 0; run < RUNS; run++) {
      // 1000 epochs: every run ends by the kill. The first one is killed after its second save, so
      // its first checkpoint is complete and the others have one to resume.
      const where = run === 0 ? ['--checkpoint', prefix] : ['--resume', prefix];
      const { signal, out } = await killedRun(
        ['lm', ...TINY, '--epochs', '1000', ...where],
        rng,
        run % 2 === 0,
        run === 0 ? 2 : undefined,
      );
      expect(signal, out).toBe('SIGKILL');
      if (run > 0) expect(out, out).toMatch(/Resuming .*lm at epoch \d+/);
      skipped += (out.match(/Skipping incomplete checkpoint/g) ?? []).length;
    }
    const all = listCheckpoints(prefix);
    const complete = all.filter((c) => c.complete).map((c) => c.epoch);
    expect(complete.length).toBeGreaterThan(0);

    const { run } = loadRunFiles(prefix);
    const symGen = lmSymGen(run.model);
    for (const epoch of complete) {
      const mod = loadLMModule(prefix, epoch, symGen, Math.max(...run.buckets), {
        context: [cpu(0)],
        logger: () => {},
        loadOptimizerStates: true,
      });
      expect(mod.paramsInitialized).toBe(true);
    }
    // every complete checkpoint resumes (under another prefix, so the runs do not disturb the next)
    for (const epoch of complete.slice(-4)) {
      const r = await cliInProcess(
        'lm',
        ...TINY,
        '--epochs',
        String(epoch + 1),
        '--resume',
        `${prefix}:${epoch}`,
        '--checkpoint',
        join(dir, `again-${epoch}`),
      );
      expect(r.err, r.err.join('\n')).toEqual([]);
      expect(r.out.join('\n')).toMatch(new RegExp(`Epoch ${epoch + 1}/${epoch + 1}: train ppl [\\d.]+`));
    }
    // a kill between the params file and the manifest, made certain: a params file with no manifest
    const last = complete.at(-1)!;
    const tag = (e: number): string => String(e).padStart(4, '0');
    copyFileSync(`${prefix}-${tag(last)}.params`, `${prefix}-${tag(last + 1)}.params`);
    const newest = await cliInProcess(
      'lm',
      ...TINY,
      '--epochs',
      String(last + 1),
      '--resume',
      prefix,
      '--checkpoint',
      join(dir, 'newest'),
    );
    expect(newest.code).toBe(0);
    const text = newest.out.join('\n');
    expect(text).toMatch(new RegExp(`Resuming .*lm at epoch ${last}:`));
    expect(text).toMatch(new RegExp(`Skipping incomplete checkpoint .*lm:${last + 1}: it has no manifest`));
    // an explicit incomplete epoch is refused with the reason and the newest complete one
    const r = await cliInProcess('lm', ...TINY, '--resume', `${prefix}:${last + 1}`);
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(
      new RegExp(`lm:${last + 1}' is incomplete: it has no manifest .*the newest complete one is .*lm:${last}`),
    );
    console.info(
      `kill test: ${RUNS} runs killed; resumes skipped ${skipped} incomplete checkpoints; ${complete.length} complete of ${all.length} at the end`,
    );
  }, 120_000);
});
