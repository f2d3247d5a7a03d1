// The free space of an arena while memory is planned: best fit (the smallest free block that holds
// the request, the lowest offset among equals) and freed blocks merged with free neighbours. Every
// operation costs O(log n) in the number of free blocks (plus an O(distinct sizes) insertion when a
// size appears), so planning a graph of many intermediates stays close to linear.
//
// The maps are never shrunk with `delete`: V8 keeps a deleted Map entry in its hash bucket until the
// table is rebuilt, so deleting and re-adding one key (an offset freed and taken again and again)
// makes every lookup of that key walk all its dead copies. Absent entries are written as 0 / -1.

export class FreeBlocks {
  /** Block start → its bytes while the block is free, else 0. */
  readonly #byStart = new Map<number, number>();
  /** Block end → its start while the block is free, else -1. */
  readonly #byEnd = new Map<number, number>();
  /** Distinct sizes of the free blocks, ascending. */
  readonly #sizes: number[] = [];
  /** Per size: how many free blocks have it, and a min-heap of their starts (entries of blocks taken or merged since are skipped). */
  readonly #count = new Map<number, number>();
  readonly #starts = new Map<number, number[]>();

  /** Removes the free block ending exactly at `end` and returns its start; undefined when there is none. */
  takeBlockEndingAt(end: number): number | undefined {
    const start = this.#startEndingAt(end);
    if (start === undefined) return undefined;
    this.#take(start);
    return start;
  }

  /** Takes `bytes` (> 0) from the best-fitting free block; undefined when none is large enough. */
  takeBestFit(bytes: number): number | undefined {
    const k = lowerBound(this.#sizes, bytes);
    if (k === this.#sizes.length) return undefined;
    const size = this.#sizes[k]!;
    const heap = this.#starts.get(size)!;
    let start = heapPop(heap)!;
    while (this.#byStart.get(start) !== size) start = heapPop(heap)!;
    this.#take(start);
    if (size > bytes) this.#insert(start + bytes, size - bytes);
    return start;
  }

  /** Returns [start, start + bytes) (bytes > 0) to the free space, merged with the free blocks around it. */
  release(start: number, bytes: number): void {
    let begin = start;
    let end = start + bytes;
    const before = this.#startEndingAt(begin);
    if (before !== undefined) {
      this.#take(before);
      begin = before;
    }
    const after = this.#byStart.get(end) ?? 0;
    if (after > 0) {
      this.#take(end);
      end += after;
    }
    this.#insert(begin, end - begin);
  }

  #startEndingAt(end: number): number | undefined {
    const start = this.#byEnd.get(end) ?? -1;
    return start >= 0 ? start : undefined;
  }

  /** Removes the free block starting at `start` (one exists) and returns its bytes. */
  #take(start: number): number {
    const bytes = this.#byStart.get(start)!;
    this.#byStart.set(start, 0);
    this.#byEnd.set(start + bytes, -1);
    const left = this.#count.get(bytes)! - 1;
    this.#count.set(bytes, left);
    if (left === 0) {
      this.#starts.get(bytes)!.length = 0;
      this.#sizes.splice(lowerBound(this.#sizes, bytes), 1);
    }
    return bytes;
  }

  #insert(start: number, bytes: number): void {
    this.#byStart.set(start, bytes);
    this.#byEnd.set(start + bytes, start);
    const n = this.#count.get(bytes) ?? 0;
    this.#count.set(bytes, n + 1);
    let heap = this.#starts.get(bytes);
    if (!heap) this.#starts.set(bytes, (heap = []));
    if (n === 0) this.#sizes.splice(lowerBound(this.#sizes, bytes), 0, bytes);
    heapPush(heap, start);
  }
}

/** The first index of ascending `a` whose value is >= x. */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function heapPush(h: number[], v: number): void {
  h.push(v);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >>> 1;
    if (h[p]! <= v) break;
    h[i] = h[p]!;
    i = p;
  }
  h[i] = v;
}

function heapPop(h: number[]): number | undefined {
  if (h.length === 0) return undefined;
  const top = h[0]!;
  const last = h.pop()!;
  if (h.length > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const c = l + 1 < h.length && h[l + 1]! < h[l]! ? l + 1 : l;
      if (h[c]! >= last) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
  return top;
}
