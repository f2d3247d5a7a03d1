// The symbol-JSON fuzzer: mutates real symbols' JSON (seeded, every case reproducible), loads each
// with Symbol.fromJSON and, when that succeeds, lists, infers and round-trips it. Anything thrown
// must be a BktError; a case may not take longer than --max-ms; a loaded symbol must write JSON
// that reads back to the same JSON. It runs as its own process (the test starts it as a child, so
// a native crash or a hang shows as one):
//
//   node --conditions=source --import tsx packages/symbol/fuzz/symbol-json-fuzz.ts --cases 100000 --seed 7
//
// and prints one JSON summary line; the exit code is 1 when any case failed (each failure is listed
// with the arguments that replay it alone: --seed S --first N --cases 1).
import { BktError, type DType } from '@bkt/ndarray';
import { Symbol } from '../src/index.js';
import { makeRng, mutate } from './mutate.js';
import { seedSymbols } from './seed-symbols.js';

interface Options {
  seed: number;
  cases: number;
  first: number;
  maxMs: number;
}

function parseArgs(argv: readonly string[]): Options {
  const opts: Options = { seed: 1, cases: 1000, first: 0, maxMs: 2000 };
  const keys: Record<string, keyof Options> = { '--seed': 'seed', '--cases': 'cases', '--first': 'first', '--max-ms': 'maxMs' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = keys[argv[i]!];
    const value = Number(argv[i + 1]);
    if (!key || !Number.isSafeInteger(value) || value < 0) {
      throw new Error(
        `usage: symbol-json-fuzz [--seed N] [--cases N] [--first N] [--max-ms N] (bad '${argv[i]} ${argv[i + 1]}')`,
      );
    }
    opts[key] = value;
  }
  return opts;
}

interface Failure {
  case: number;
  seedSymbol: string;
  edits: string[];
  problem: string;
  replay: string;
}

// Everything a user may do with a loaded symbol that needs no arrays; typed errors are counted.
function exercise(sym: Symbol, shapes: Record<string, number[]>, errors: Record<string, number>): void {
  const args = new Set(sym.listArguments());
  sym.listOutputs();
  sym.listAuxiliaryStates();
  sym.getInternals().listOutputs();
  const known = Object.fromEntries(Object.entries(shapes).filter(([k]) => args.has(k)));
  const steps: (() => unknown)[] = [
    () => sym.inferShapePartial(known),
    () => sym.inferShape(known),
    () => sym.inferTypePartial(Object.fromEntries(Object.keys(known).map((k) => [k, 'float32' as DType]))),
    () => sym.attrDict(),
  ];
  for (const step of steps) {
    try {
      step();
    } catch (e) {
      if (!(e instanceof BktError)) throw e;
      errors[`${e.name} (after loading)`] = (errors[`${e.name} (after loading)`] ?? 0) + 1;
    }
  }
  const text = sym.toJSON();
  const again = Symbol.fromJSON(text).toJSON();
  if (again !== text) throw new Error('round trip: the JSON written for a loaded symbol reads back differently');
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  const seeds = seedSymbols();
  const failures: Failure[] = [];
  const errors: Record<string, number> = {};
  let loaded = 0;
  let slowest = 0;
  const started = performance.now();
  for (let c = opts.first; c < opts.first + opts.cases; c++) {
    const rng = makeRng(`${opts.seed}/${c}`);
    const seed = seeds[Math.floor(rng() * seeds.length)]!;
    const { text, edits } = mutate(rng, seed.json);
    const t0 = performance.now();
    let problem: string | undefined;
    try {
      exercise(Symbol.fromJSON(text), seed.shapes, errors);
      loaded++;
    } catch (e) {
      if (e instanceof BktError) errors[e.name] = (errors[e.name] ?? 0) + 1;
      else
        problem = `untyped ${(e as Error)?.name ?? typeof e}: ${String((e as Error)?.stack ?? e)
          .split('\n')
          .slice(0, 4)
          .join(' | ')}`;
    }
    const ms = performance.now() - t0;
    slowest = Math.max(slowest, ms);
    if (problem === undefined && ms > opts.maxMs) problem = `took ${ms.toFixed(0)} ms (limit ${opts.maxMs})`;
    if (problem !== undefined) {
      failures.push({ case: c, seedSymbol: seed.name, edits, problem, replay: `--seed ${opts.seed} --first ${c} --cases 1` });
    }
    if ((c - opts.first + 1) % 1000 === 0) process.stderr.write(`symbol-json-fuzz: ${c - opts.first + 1}/${opts.cases} cases\n`);
  }
  const summary = {
    seed: opts.seed,
    cases: opts.cases,
    loaded,
    errors,
    failures,
    slowestMs: Math.round(slowest),
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exitCode = failures.length > 0 ? 1 : 0;
}

main();
