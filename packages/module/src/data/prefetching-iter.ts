// MXNet's PrefetchingIter: several iterators read in lock step and joined into one batch (data of
// the first, then of the second …; labels likewise), with optional renaming of their inputs. MXNet
// read ahead on one thread per iterator; JS has no threads for this, so the iterators are read when
// the batch is asked for (the reading order is the same). The joined batch holds the iterators' own
// arrays, valid until the next batch, as theirs are.

import { ValueError } from '@bkt/ndarray';
import { DataBatch } from './data-batch.js';
import { DataDesc } from './data-desc.js';
import { DataIter } from './data-iter.js';

/** One `{oldName: newName}` map per iterator. */
export type RenameList = readonly Readonly<Record<string, string>>[];

function renamed(descs: readonly DataDesc[], rename: Readonly<Record<string, string>> | undefined): DataDesc[] {
  if (rename === undefined) return [...descs];
  return descs.map((d) => (Object.hasOwn(rename, d.name) ? d.with({ name: rename[d.name]! }) : d));
}

export class PrefetchingIter extends DataIter {
  readonly iters: readonly DataIter[];
  readonly renameData: RenameList | undefined;
  readonly renameLabel: RenameList | undefined;

  constructor(iters: DataIter | readonly DataIter[], renameData?: RenameList | null, renameLabel?: RenameList | null) {
    const list = Array.isArray(iters) ? (iters as readonly DataIter[]) : [iters as DataIter];
    if (list.length === 0) throw new ValueError('PrefetchingIter: needs at least one iterator');
    super(list[0]!.batchSize);
    this.iters = list;
    for (const [what, r] of [
      ['renameData', renameData],
      ['renameLabel', renameLabel],
    ] as const) {
      if (r && r.length !== list.length)
        throw new ValueError(`PrefetchingIter: ${what} needs one map per iterator (${list.length}), got ${r.length}`);
    }
    this.renameData = renameData ?? undefined;
    this.renameLabel = renameLabel ?? undefined;
    if (list[0]!.defaultBucketKey !== undefined) this.defaultBucketKey = list[0]!.defaultBucketKey;
  }

  get provideData(): DataDesc[] {
    return this.iters.flatMap((it, i) => renamed(it.provideData, this.renameData?.[i]));
  }

  get provideLabel(): DataDesc[] {
    return this.iters.flatMap((it, i) => renamed(it.provideLabel, this.renameLabel?.[i]));
  }

  override reset(): void {
    for (const it of this.iters) it.reset();
  }

  override next(): IteratorResult<DataBatch, undefined> {
    const batches = this.iters.map((it) => it.nextBatch());
    if (batches[0] === undefined) {
      if (batches.some((b) => b !== undefined))
        throw new ValueError('PrefetchingIter: the iterators hold different numbers of batches');
      return { done: true, value: undefined };
    }
    if (batches.some((b) => b === undefined))
      throw new ValueError('PrefetchingIter: the iterators hold different numbers of batches');
    const all = batches as DataBatch[];
    const first = all[0]!;
    if (all.some((b) => b.pad !== first.pad))
      throw new ValueError('PrefetchingIter: the iterators gave different pads for the same batch');
    const perBatch = (
      pick: (b: DataBatch) => readonly DataDesc[] | undefined,
      fallback: (it: DataIter) => readonly DataDesc[],
      rename: RenameList | undefined,
    ): DataDesc[] => all.flatMap((b, i) => renamed(pick(b) ?? fallback(this.iters[i]!), rename?.[i]));
    const batch = new DataBatch(
      all.flatMap((b) => b.data),
      all.flatMap((b) => b.label),
      {
        pad: first.pad,
        index: first.index ?? null,
        bucketKey: first.bucketKey ?? null,
        provideData: perBatch(
          (b) => b.provideData,
          (it) => it.provideData,
          this.renameData,
        ),
        provideLabel: perBatch(
          (b) => b.provideLabel,
          (it) => it.provideLabel,
          this.renameLabel,
        ),
      },
    );
    return { done: false, value: batch };
  }
}
