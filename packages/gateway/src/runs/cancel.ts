import { cancelEventId, type PublishResult } from '@agentwire/protocol';
import type { Logger } from 'pino';
import type { Engine, StoredEvent } from '../engine/engine.js';
import { RunCancelledError } from '../errors.js';
import type { Publisher } from '../publisher.js';

/** A request to stop one of a user's runs, as the application's `onCancel` handler gets it. */
export interface RunCancel {
  userId: string;
  runId: string;
  reason?: string;
  /** Where it came from: a `cancel` frame, an AG-UI client that went away, an HTTP caller… */
  via: 'frame' | 'ag-ui' | 'api';
  /** The connection that sent the `cancel` frame, when it was one. */
  connectionId?: string;
}

/**
 * Hears cancels on the node where they arrive (like `onMessage`): return what the `ack` should
 * carry, or throw MessageError to refuse (the run then goes on, and no `run_cancelled` is sent).
 * An in-process run is told through `RunEmitter.signal` on whichever node runs it; a forwarder
 * (e.g. to a webhook of the application's backend) plugs in here the same way.
 */
export type CancelHandler = (cancel: RunCancel) => unknown;

/** Cheap test before parsing: only events whose JSON says run_cancelled can end a run here. */
const CANCELLED = '"type":"run_cancelled"';

interface UserRuns {
  runs: Map<string, AbortController>;
  unsubscribe: Promise<() => Promise<void>>;
}

/**
 * Cancels that survive resume and nodes. `request` asks the application (`onCancel`), then puts
 * `run_cancelled` into the user's stream — so every tab, on every node, sees the run end — and
 * the runs this process executes (`track`) listen to their users' streams through the engine:
 * the `run_cancelled` event aborts their signal wherever the cancel arrived.
 */
export class RunCancels {
  private readonly users = new Map<string, UserRuns>();

  constructor(
    private readonly engine: Engine,
    private readonly publisher: Publisher,
    private readonly handler: CancelHandler | undefined,
    private readonly log: Logger,
  ) {}

  /** Asks the application, then ends the run in every tab. Throws what the handler threw. */
  async request(cancel: RunCancel): Promise<{ result: unknown; published: PublishResult }> {
    const result = await this.handler?.(cancel);
    const published = await this.publisher.publish(cancel.userId, {
      id: cancelEventId(cancel.runId),
      type: 'run_cancelled',
      runId: cancel.runId,
      data: cancel.reason === undefined ? {} : { reason: cancel.reason },
    });
    return { result, published };
  }

  /**
   * An AbortSignal that aborts when the run is cancelled from anywhere, until `done` is called.
   * The user's stream is watched (one engine subscription per user) while any of their runs is.
   */
  track(
    userId: string,
    runId: string,
  ): { signal: AbortSignal; ready: Promise<unknown>; done: () => void } {
    // With a networked engine the subscription takes a round trip (`ready`); a cancel published
    // before it is active still ends the run in every tab, only this signal does not hear it.
    let user = this.users.get(userId);
    if (!user) {
      const runs = new Map<string, AbortController>();
      const unsubscribe = this.engine.subscribe(userId, (_target, event) =>
        this.onEvent(runs, event),
      );
      unsubscribe.catch((error: unknown) =>
        this.log.error({ err: error, userId }, 'cancel subscription failed'),
      );
      user = { runs, unsubscribe };
      this.users.set(userId, user);
    }
    const controller = user.runs.get(runId) ?? new AbortController();
    user.runs.set(runId, controller);
    const held = user;
    const done = () => {
      if (held.runs.get(runId) !== controller) return;
      held.runs.delete(runId);
      if (held.runs.size > 0 || this.users.get(userId) !== held) return;
      this.users.delete(userId);
      held.unsubscribe
        .then((unsubscribe) => unsubscribe())
        .catch((error: unknown) => this.log.error({ err: error }, 'cancel unsubscribe failed'));
    };
    controller.signal.addEventListener('abort', done, { once: true });
    return { signal: controller.signal, ready: held.unsubscribe.catch(() => {}), done };
  }

  /** Runs of this process currently watched for cancels (for tests and metrics). */
  get tracked(): number {
    let n = 0;
    for (const user of this.users.values()) n += user.runs.size;
    return n;
  }

  private onEvent(runs: Map<string, AbortController>, event: StoredEvent): void {
    try {
      if (!event.json.includes(CANCELLED)) return;
      const parsed = JSON.parse(event.json) as { runId?: string; data?: { reason?: unknown } };
      const controller = parsed.runId === undefined ? undefined : runs.get(parsed.runId);
      if (!controller) return;
      const reason = parsed.data?.reason;
      controller.abort(new RunCancelledError(parsed.runId as string, reason));
    } finally {
      event.release?.();
    }
  }

  async close(): Promise<void> {
    const users = [...this.users.values()];
    this.users.clear();
    await Promise.allSettled(users.map(async (user) => (await user.unsubscribe)()));
  }
}
