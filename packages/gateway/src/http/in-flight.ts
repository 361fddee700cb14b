import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Counts requests being answered, so that a drain lets in-flight publishes finish (their callers
 * learn whether they were accepted) instead of cutting them with a reset.
 */
export class InFlightRequests {
  private count = 0;
  private waiters: (() => void)[] = [];

  /** Tracks `res` until it is finished or its connection closed. */
  track(_req: IncomingMessage, res: ServerResponse): void {
    this.count++;
    res.once('close', () => {
      this.count--;
      if (this.count === 0) for (const resolve of this.waiters.splice(0)) resolve();
    });
  }

  get size(): number {
    return this.count;
  }

  /** Resolves when no request is in flight, or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
