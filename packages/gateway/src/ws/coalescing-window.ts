/**
 * The coalescing window: one tick for every channel that holds deltas. The first target added
 * starts it; when it ends (`windowMs` later) `onDue` runs for every target added meanwhile, all
 * in one job, so every socket's coalesced frames go out in one write batch (ws/write-batch.ts)
 * rather than spread over the window. A delta waits at most the window, on average half of it.
 */
export class CoalescingWindow<T> {
  private due: T[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly onDue: (target: T) => void,
  ) {}

  add(target: T): void {
    this.due.push(target);
    if (!this.timer) {
      this.timer = setTimeout(this.fire, this.windowMs);
      this.timer.unref();
    }
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const due = this.due;
    this.due = [];
    for (const target of due) this.onDue(target);
  };
}
