import { randomUUID } from 'node:crypto';
import {
  cancelEventId,
  type EventData,
  type EventInput,
  type EventType,
  isTerminalEventType,
  type PublishResult,
} from '@agentwire/protocol';
import { PublishError } from './errors.js';
import { type Publisher, validateUserId } from './publisher.js';
import type { RunCancels } from './runs/cancel.js';

/**
 * Everything addressed to one user: the only way application code sends anything. Publishes
 * resolve with the event's `seq` once accepted (durable per I7).
 */
export class UserEmitter {
  constructor(
    readonly userId: string,
    private readonly publisher: Publisher,
    private readonly cancels?: RunCancels,
  ) {
    const error = validateUserId(userId, 'userId');
    if (error) throw new PublishError(error);
  }

  publish<T extends EventType>(event: EventInput<T>): Promise<PublishResult> {
    return this.publisher.publish(this.userId, event as EventInput);
  }

  /**
   * Cancels one of the user's runs from the application's side, as a `cancel` frame would:
   * `onCancel` (via `api`), `run_cancelled` in every tab, the run's signal on whichever node.
   */
  async cancel(runId: string, reason?: string): Promise<PublishResult> {
    if (!this.cancels) throw new Error('cancel needs a gateway');
    const { published } = await this.cancels.request({
      userId: this.userId,
      runId,
      via: 'api',
      ...(reason !== undefined && { reason }),
    });
    return published;
  }

  /**
   * Starts an agent run; its helpers stamp `runId` (and `threadId`) on every event. Its `signal`
   * aborts when the run is cancelled (a `cancel` frame on any node), until the run ends.
   */
  run(options: { runId?: string; threadId?: string } = {}): RunEmitter {
    const runId = options.runId ?? `run_${randomUUID()}`;
    return new RunEmitter(this, runId, options.threadId, this.cancels?.track(this.userId, runId));
  }
}

type Tracked = ReturnType<RunCancels['track']>;

/** Typed helpers for one run's events (SPEC §3). */
export class RunEmitter {
  private readonly startedAt = Date.now();
  /** Aborts (with a RunCancelledError) when the run is cancelled; never for a run that ended. */
  readonly signal: AbortSignal;

  constructor(
    readonly user: UserEmitter,
    readonly runId: string,
    readonly threadId: string | undefined,
    private readonly tracked?: Tracked,
  ) {
    this.signal = tracked?.signal ?? new AbortController().signal;
  }

  /** Rejects with the signal's RunCancelledError once the run was cancelled. */
  async emit<T extends EventType>(
    type: T,
    data: EventData<T>,
    id?: string,
  ): Promise<PublishResult> {
    const tracked = this.tracked;
    if (this.signal.aborted && type !== 'run_cancelled') throw this.signal.reason;
    const event = { type, runId: this.runId, data } as EventInput<T>;
    if (this.threadId !== undefined) event.threadId = this.threadId;
    if (id !== undefined) event.id = id;
    const published = await this.user.publish(event);
    if (isTerminalEventType(type)) tracked?.done();
    return published;
  }

  started(agent: string): Promise<PublishResult> {
    return this.emit('agent_started', { agent });
  }

  thinking(text: string): Promise<PublishResult> {
    return this.emit('agent_thinking', { text });
  }

  toolExecuting(tool: string, callId: string, args?: unknown): Promise<PublishResult> {
    return this.emit('tool_executing', { tool, callId, ...(args !== undefined && { args }) });
  }

  toolCompleted(
    tool: string,
    callId: string,
    outcome: { result?: unknown; error?: unknown; durationMs: number },
  ): Promise<PublishResult> {
    return this.emit('tool_completed', { tool, callId, ...outcome });
  }

  /** One streamed chunk of the answer. */
  message(messageId: string, delta: string): Promise<PublishResult> {
    return this.emit('agent_message', { messageId, delta });
  }

  completed(outcome: { result?: unknown; text?: string; durationMs?: number } = {}) {
    return this.emit('agent_completed', {
      durationMs: Date.now() - this.startedAt,
      ...outcome,
    });
  }

  error(message: string, code?: string): Promise<PublishResult> {
    return this.emit('agent_error', { message, ...(code !== undefined && { code }) });
  }

  /** Ends the run as cancelled; the same event as a client's cancel, so the two dedupe. */
  cancelled(reason?: string): Promise<PublishResult> {
    return this.emit(
      'run_cancelled',
      reason === undefined ? {} : { reason },
      cancelEventId(this.runId),
    );
  }
}
