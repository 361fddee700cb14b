export interface LivenessOptions {
  /** Send a ping when nothing arrived for this long. */
  intervalMs: number;
  /** No frame within this long after a ping means the connection is dead. */
  timeoutMs: number;
}

/**
 * Application-level liveness of one socket (browsers cannot see protocol pings): when nothing
 * arrived for `intervalMs`, ping; no frame within `timeoutMs` after it means the socket is dead.
 */
export class Liveness {
  private lastFrameAt = 0;
  private interval: ReturnType<typeof setInterval> | undefined;
  private readonly deadlines = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly options: LivenessOptions | false) {}

  /** Something arrived on the socket (or it just opened). */
  seen(): void {
    this.lastFrameAt = Date.now();
  }

  start(ping: () => void, onDead: () => void): void {
    this.stop();
    const options = this.options;
    if (options === false) return;
    this.interval = setInterval(() => {
      const sentAt = Date.now();
      if (sentAt - this.lastFrameAt < options.intervalMs) return;
      ping();
      const deadline = setTimeout(() => {
        this.deadlines.delete(deadline);
        if (this.lastFrameAt < sentAt) onDead();
      }, options.timeoutMs);
      this.deadlines.add(deadline);
    }, options.intervalMs);
  }

  stop(): void {
    if (this.interval !== undefined) clearInterval(this.interval);
    this.interval = undefined;
    for (const deadline of this.deadlines) clearTimeout(deadline);
    this.deadlines.clear();
  }
}
