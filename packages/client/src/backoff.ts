/** Reconnect delays: exponential with full jitter, capped, never below a floor. */
export interface BackoffOptions {
  /** Scale of the first retry's window; each failed attempt doubles the window. */
  initialDelayMs: number;
  /** Upper bound of the window. */
  maxDelayMs: number;
  /** Floor of every delay, so that a failing endpoint is never retried in a tight loop. */
  minDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialDelayMs: 250,
  maxDelayMs: 30_000,
  minDelayMs: 100,
};

/**
 * Attempt n waits `min + random() * min(max, initial * 2^n)`, at most `max`: the first retry comes
 * quickly (100–350 ms with the defaults), later ones spread out and are capped, and the jitter
 * keeps many clients that lost the same server from reconnecting in lockstep. `reset()` after a
 * connection proved stable.
 */
export class Backoff {
  private attempt = 0;
  private readonly options: BackoffOptions;

  constructor(
    options: Partial<BackoffOptions> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.options = { ...DEFAULT_BACKOFF, ...options };
  }

  /** The number of delays handed out since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  next(): number {
    const { initialDelayMs, maxDelayMs, minDelayMs } = this.options;
    const window = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.min(maxDelayMs, minDelayMs + this.random() * window);
  }

  reset(): void {
    this.attempt = 0;
  }
}
