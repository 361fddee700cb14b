/**
 * Event frames are written to sockets once the JavaScript job that produced them is done, all
 * together, rather than one `write` between each publish and the next: the kernel's send path
 * then runs back to back instead of interleaved with the publishing code (each keeps its caches,
 * and on loopback the reader is woken once per batch instead of once per frame), and a socket
 * that gets several frames in one job gets them in one `writev`. The flush is a microtask, so
 * frames wait only for the rest of the current job, never for I/O or timers; and a long job
 * (a catch-up burst, a large batch) is written every `MAX_BATCH_FRAMES` frames, so a frame does
 * not wait for the end of it. Measured in docs/benchmarks.md.
 */

export interface Flushable {
  /** Writes what was queued since the last flush. */
  flush(): void;
}

/** Frames queued across connections after which the batch is written without waiting. */
export const MAX_BATCH_FRAMES = 32;

let waiting: Flushable[] = [];
let frames = 0;

/**
 * Counts one frame queued on `target`, to be written at the end of the current job; `first`: it
 * is the first in the target's queue since its last flush.
 */
export function queued(target: Flushable, first: boolean): void {
  if (first) {
    if (waiting.length === 0) queueMicrotask(flushAll);
    waiting.push(target);
  }
  if (++frames >= MAX_BATCH_FRAMES) flushAll();
}

function flushAll(): void {
  const list = waiting;
  waiting = [];
  frames = 0;
  let i = 0;
  try {
    for (; i < list.length; i++) (list[i] as Flushable).flush();
  } finally {
    // A flush that threw must not strand the others' frames: they go in the next batch.
    for (i++; i < list.length; i++) queued(list[i] as Flushable, true);
  }
}
