/**
 * Event frames are written to sockets once the JavaScript job that produced them is done, all
 * together, rather than one `write` between each publish and the next: the kernel's send path
 * then runs back to back instead of interleaved with the publishing code (each keeps its caches,
 * and on loopback the reader is woken once per batch instead of once per frame), and a socket
 * that gets several frames in one job gets them in one `writev`. The flush is a microtask, so
 * frames wait only for the rest of the current job (say, a loop that publishes a batch), never
 * for I/O or timers; a connection also writes its queue as soon as it reaches 64 KB
 * (connection.ts). Measured, with the caps tried and not kept, in docs/benchmarks.md.
 */

export interface Flushable {
  /** Writes what was queued since the last flush. */
  flush(): void;
}

let waiting: Flushable[] = [];

/** Flushes `target` at the end of the current job; call it when its queue becomes non-empty. */
export function flushLater(target: Flushable): void {
  if (waiting.length === 0) queueMicrotask(flushAll);
  waiting.push(target);
}

function flushAll(): void {
  const list = waiting;
  waiting = [];
  let i = 0;
  try {
    for (; i < list.length; i++) (list[i] as Flushable).flush();
  } finally {
    // A flush that threw must not strand the others' frames: they go in the next batch.
    for (i++; i < list.length; i++) flushLater(list[i] as Flushable);
  }
}
