// Seeded mutations of symbol JSON for the fuzzer: edits of the parsed document that stay JSON
// (attribute values at and past their limits, other operators, broken entries, cycles, legacy
// layouts) and raw edits of the text (flipped, cut, repeated or truncated bytes).
import { createHash } from 'node:crypto';

import { listOps } from '../src/index.js';

export type Rng = () => number;

/** A seeded generator: SHA-256 of (key, counter), so a case replays from its key on any machine. */
export function makeRng(key: string): Rng {
  let counter = 0;
  return () => createHash('sha256').update(`${key}/${counter++}`).digest().readUInt32LE(0) / 2 ** 32;
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const int = (rng: Rng, n: number): number => Math.floor(rng() * n);

const NUMBERS = [-1, 0, 1, 2, 3, 7, 255, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e308, -1e308, 0.5];
const STRINGS = [
  '',
  '0',
  '1',
  '-1',
  '2',
  '3',
  '1e8',
  '100000000',
  '4294967296',
  '99999999999999999999',
  '1e400',
  '0.5',
  'nan',
  'inf',
  '-inf',
  '()',
  '(0,)',
  '(2, 3)',
  '(-1, 0)',
  '(1073741824, 1073741824, 1073741824)',
  '(2, 3, 4, 5, 6)',
  '[1,2]',
  'None',
  'True',
  'False',
  'relu',
  'tanh',
  'lstm',
  'gru',
  'float16',
  'int64',
  'batch',
  '(',
  ',,',
  '3L',
  ' 4 ',
  '\u0000',
  'x'.repeat(10_000),
];
const ATTR_KEYS = [
  'num_outputs',
  'num_args',
  'num_hidden',
  'num_layers',
  'state_size',
  'shape',
  'axis',
  'dim',
  'axes',
  'squeeze_axis',
  'p',
  'input_dim',
  'output_dim',
  'act_type',
  'mode',
  'no_bias',
  'flatten',
  'reverse',
  'keepdims',
  '__shape__',
  '__dtype__',
  '__lr_mult__',
  'lr_mult',
  'weight_lr_mult',
  'ctx_group',
  'fix_gamma',
  'eps',
  'momentum',
  'use_sequence_length',
  'kernel',
  'stride',
  'pad',
  'pool_type',
  'global_pool',
  'depth',
  'scalar',
  'begin',
  'end',
  'unknown_key',
];
const VERSIONS = [800, 900, 903, 904, 905, 10000, 10901, -1, 2 ** 40];

function interesting(rng: Rng): unknown {
  const r = rng();
  if (r < 0.5) return pick(rng, STRINGS);
  if (r < 0.8) return pick(rng, NUMBERS);
  if (r < 0.85) return null;
  if (r < 0.9) return [];
  if (r < 0.95) return {};
  let deep: unknown = 0;
  for (let i = 0; i < 1 + int(rng, 5000); i++) deep = [deep];
  return deep;
}

type Doc = Record<string, unknown> & { nodes?: unknown };
type JNode = Record<string, unknown>;

function nodesOf(doc: Doc): JNode[] {
  return Array.isArray(doc.nodes)
    ? (doc.nodes as unknown[]).filter((n): n is JNode => typeof n === 'object' && n !== null && !Array.isArray(n))
    : [];
}

function mutateEntry(rng: Rng, e: unknown, numNodes: number): unknown {
  if (!Array.isArray(e) || rng() < 0.15) return interesting(rng);
  const copy = [...e];
  const r = rng();
  if (r < 0.5) copy[int(rng, Math.max(copy.length, 1))] = rng() < 0.5 ? int(rng, numNodes + 2) : pick(rng, NUMBERS);
  else if (r < 0.7) copy.pop();
  else if (r < 0.85) copy.push(int(rng, 3));
  else copy[0] = numNodes - 1; // often the head itself: a cycle
  return copy;
}

// One edit of the parsed document; returns a short description of what it did.
function mutateDoc(rng: Rng, doc: Doc): string {
  const nodes = nodesOf(doc);
  const r = rng();
  if (nodes.length === 0 || r < 0.06) {
    const key = pick(rng, ['nodes', 'arg_nodes', 'heads', 'attrs', 'node_row_ptr']);
    if (rng() < 0.5) delete doc[key];
    else doc[key] = interesting(rng);
    return `top-level ${key}`;
  }
  const k = int(rng, nodes.length);
  const n = nodes[k]!;
  if (r < 0.4) {
    const attrs = (typeof n.attrs === 'object' && n.attrs !== null ? n.attrs : (n.attrs = {})) as Record<string, unknown>;
    const existing = Object.keys(attrs);
    const key = existing.length > 0 && rng() < 0.6 ? pick(rng, existing) : pick(rng, ATTR_KEYS);
    if (rng() < 0.15) delete attrs[key];
    else attrs[key] = rng() < 0.8 ? pick(rng, STRINGS) : interesting(rng);
    return `node ${k} attr ${key}`;
  }
  if (r < 0.5) {
    n.op = rng() < 0.9 ? pick(rng, listOps()) : interesting(rng);
    return `node ${k} op`;
  }
  if (r < 0.7) {
    const inputs = Array.isArray(n.inputs) ? [...(n.inputs as unknown[])] : [];
    const q = rng();
    if (q < 0.2) inputs.pop();
    else if (q < 0.35) inputs.push(inputs[int(rng, inputs.length)] ?? [0, 0, 0]);
    else if (inputs.length > 0) {
      const i = int(rng, inputs.length);
      inputs[i] = mutateEntry(rng, inputs[i], nodes.length);
    }
    n.inputs = rng() < 0.05 ? interesting(rng) : inputs;
    return `node ${k} inputs`;
  }
  if (r < 0.76) {
    n.control_deps = rng() < 0.8 ? [int(rng, nodes.length + 1)] : interesting(rng);
    return `node ${k} control_deps`;
  }
  if (r < 0.8) {
    n.name = rng() < 0.5 ? pick(rng, nodes).name : interesting(rng);
    return `node ${k} name`;
  }
  if (r < 0.84) {
    if (n.attrs !== undefined) {
      n[pick(rng, ['param', 'attr'])] = n.attrs;
      delete n.attrs;
    }
    return `node ${k} legacy attribute key`;
  }
  if (r < 0.9) {
    doc.attrs = { mxnet_version: ['int', pick(rng, VERSIONS)] };
    return 'mxnet_version';
  }
  if (r < 0.95) {
    const heads = Array.isArray(doc.heads) ? [...(doc.heads as unknown[])] : [];
    if (heads.length > 0 && rng() < 0.7) {
      const i = int(rng, heads.length);
      heads[i] = mutateEntry(rng, heads[i], nodes.length);
    } else heads.push([int(rng, nodes.length + 1), int(rng, 3), 0]);
    doc.heads = heads;
    return 'heads';
  }
  const list = doc.nodes as unknown[];
  if (rng() < 0.5) list.splice(k, 1);
  else list.splice(int(rng, list.length + 1), 0, structuredClone(n));
  return `node ${k} removed or duplicated`;
}

// One edit of the raw text.
function mutateText(rng: Rng, text: string): [string, string] {
  const at = int(rng, text.length + 1);
  const r = rng();
  if (r < 0.3) {
    const c = String.fromCharCode(pick(rng, [0x22, 0x5b, 0x5d, 0x7b, 0x7d, 0x2c, 0x3a, 0x30 + int(rng, 10), int(rng, 256)]));
    return [text.slice(0, at) + c + text.slice(at + 1), `byte ${at} replaced`];
  }
  if (r < 0.55) return [text.slice(0, at) + text.slice(at + 1 + int(rng, 64)), `bytes cut at ${at}`];
  if (r < 0.75) {
    const len = 1 + int(rng, 256);
    return [text.slice(0, at) + text.slice(at, at + len) + text.slice(at), `bytes repeated at ${at}`];
  }
  if (r < 0.9) return [text.slice(0, at), `truncated at ${at}`];
  return [text.slice(0, at) + '\ud800' + text.slice(at), `lone surrogate at ${at}`];
}

/** 1 to 4 edits of `text`: mostly of the document, some of the raw text. */
export function mutate(rng: Rng, text: string): { text: string; edits: string[] } {
  const edits: string[] = [];
  const count = 1 + int(rng, 4);
  let out = text;
  for (let i = 0; i < count; i++) {
    if (rng() < 0.8) {
      let doc: Doc;
      try {
        doc = JSON.parse(out) as Doc;
      } catch {
        const [t, what] = mutateText(rng, out);
        out = t;
        edits.push(what);
        continue;
      }
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) break;
      edits.push(mutateDoc(rng, doc));
      out = JSON.stringify(doc);
    } else {
      const [t, what] = mutateText(rng, out);
      out = t;
      edits.push(what);
    }
  }
  return { text: out, edits };
}
