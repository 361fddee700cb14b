/**
 * The memory engine's history memory: byte chunks of 1, 2, 4, 8 and 16 KB, recycled through free
 * lists that all of an engine's streams share.
 *
 * The chunks are SharedArrayBuffers on purpose. V8 11 (Node 20) counts every byte of ArrayBuffer
 * memory allocated since the last mark-compact towards starting the next one, so a history that
 * grows by megabytes a second made the gateway run a full GC every second on a small heap (see
 * docs/benchmarks.md). V8 leaves SharedArrayBuffer memory out of that count
 * (`BackingStore::PerIsolateAccountingLength`), so history's growth does not drive the GC. In
 * exchange the engine must not leave this memory for the GC to find, which it would do late: a
 * chunk history lets go comes back to a free list as soon as no frame handed out of it is still
 * held (`StoredEvent.release`), new chunks come from the free lists first, and free chunks that no
 * stream needed for a whole sweep interval are let go. A frame larger than the largest chunk gets
 * an ordinary buffer of its own, which V8 counts and the GC frees.
 */

import type { HistoryMemory } from './engine.js';

export const SMALLEST_CHUNK_BYTES = 1024;
export const LARGEST_CHUNK_BYTES = 16 * 1024;
const CLASSES = Math.log2(LARGEST_CHUNK_BYTES / SMALLEST_CHUNK_BYTES) + 1;

/** Free-list index of a chunk size, or -1 for a size no free list keeps. */
function sizeClass(size: number): number {
  if (size < SMALLEST_CHUNK_BYTES || size > LARGEST_CHUNK_BYTES || (size & (size - 1)) !== 0) {
    return -1;
  }
  return Math.log2(size / SMALLEST_CHUNK_BYTES);
}

/** The chunk size for `need` bytes when a stream's next chunk would be `preferred` bytes. */
export function chunkSize(need: number, preferred: number): number {
  if (need <= preferred) return preferred;
  if (need > LARGEST_CHUNK_BYTES) return need;
  return 2 ** Math.ceil(Math.log2(need));
}

/**
 * A chunk of history bytes, and how many views of it were handed out (events given to listeners
 * or returned by `read`, and retained copies of them) and not released yet. Its bytes are written
 * again only after history dropped it and that count came back to 0.
 */
export class Chunk {
  held = 0;
  /** History no longer refers to the chunk: it goes back to its pool when `held` reaches 0. */
  dropped = false;

  constructor(
    readonly bytes: Buffer,
    private readonly pool: ChunkPool | undefined,
  ) {}

  release(): void {
    if (--this.held === 0 && this.dropped) this.pool?.put(this);
  }
}

/** Free lists of chunks by size, for one engine. */
export class ChunkPool {
  private readonly free: Chunk[][] = Array.from({ length: CLASSES }, () => []);
  /** Per free list, its shortest length since the last `trim`: chunks no stream needed. */
  private readonly unneeded: number[] = new Array(CLASSES).fill(0);
  private allocated = 0;
  private freeTotal = 0;

  get memory(): HistoryMemory {
    return { allocatedBytes: this.allocated, freeBytes: this.freeTotal };
  }

  /** A chunk of `size` bytes: a free one when there is one, else a new one. */
  take(size: number): Chunk {
    const index = sizeClass(size);
    if (index < 0) return new Chunk(Buffer.allocUnsafeSlow(size), undefined);
    const list = this.free[index] as Chunk[];
    const chunk = list.pop();
    if (chunk === undefined) {
      this.allocated += size;
      return new Chunk(Buffer.from(new SharedArrayBuffer(size)), this);
    }
    if (list.length < (this.unneeded[index] as number)) this.unneeded[index] = list.length;
    this.freeTotal -= size;
    chunk.dropped = false;
    return chunk;
  }

  /** History lets go of `chunk`: free now, or when the last view handed out of it is released. */
  drop(chunk: Chunk): void {
    chunk.dropped = true;
    if (chunk.held === 0) this.put(chunk);
  }

  /** @internal For `Chunk.release` and `drop`. */
  put(chunk: Chunk): void {
    const size = chunk.bytes.length;
    const index = sizeClass(size);
    if (index < 0) return; // a buffer of its own: the garbage collector frees it
    (this.free[index] as Chunk[]).push(chunk);
    this.freeTotal += size;
  }

  /** Lets go of the free chunks that stayed free since the previous call. */
  trim(): void {
    for (let index = 0; index < CLASSES; index++) {
      const list = this.free[index] as Chunk[];
      const excess = this.unneeded[index] as number;
      if (excess > 0) {
        const bytes = excess * SMALLEST_CHUNK_BYTES * 2 ** index;
        list.splice(0, excess); // the coldest: chunks are taken from the end
        this.allocated -= bytes;
        this.freeTotal -= bytes;
      }
      this.unneeded[index] = list.length;
    }
  }
}
