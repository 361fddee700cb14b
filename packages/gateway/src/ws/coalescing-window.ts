/**
 * The coalescing window: each target added waits `windowMs`, then `onDue` runs for it. Every
 * target waits the same time, so they are due in the order they were added: one queue and one
 * timer serve all of them, however many users hold deltas. A target whose deltas went out early
 * (before another event) and that is added again may be due at its earlier entry: its deltas
 * then wait less than the window, never more.
 */
export class CoalescingWindow<T> {
  private queue: { target: T; at: number }[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly onDue: (target: T) => void,
  ) {}

  add(target: T): void {
    this.queue.push({ target, at: Date.now() + this.windowMs });
    if (!this.timer) this.arm(this.windowMs);
  }

  private arm(delay: number): void {
    this.timer = setTimeout(this.fire, delay);
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = Date.now();
    const queue = this.queue;
    while (this.head < queue.length && (queue[this.head] as { at: number }).at <= now) {
      const { target } = queue[this.head] as { target: T };
      this.head++;
      this.onDue(target);
    }
    if (this.head === queue.length) {
      this.queue = [];
      this.head = 0;
    } else {
      if (this.head > 1024) {
        this.queue = queue.slice(this.head);
        this.head = 0;
      }
      this.arm(Math.max(1, (this.queue[this.head] as { at: number }).at - now));
    }
  };
}
