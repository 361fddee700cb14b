import { randomUUID } from 'node:crypto';
import type { EventData, EventInput, EventType, PublishResult } from '@agentwire/protocol';
import { PublishError } from './errors.js';
import { type Publisher, validateUserId } from './publisher.js';

/**
 * Everything addressed to one user: the only way application code sends anything. Publishes
 * resolve with the event's `seq` once accepted (durable per I7).
 */
export class UserEmitter {
  constructor(
    readonly userId: string,
    private readonly publisher: Publisher,
  ) {
    const error = validateUserId(userId, 'userId');
    if (error) throw new PublishError(error);
  }

  publish<T extends EventType>(event: EventInput<T>): Promise<PublishResult> {
    return this.publisher.publish(this.userId, event as EventInput);
  }

  /** Starts an agent run; its helpers stamp `runId` (and `threadId`) on every event. */
  run(options: { runId?: string; threadId?: string } = {}): RunEmitter {
    return new RunEmitter(this, options.runId ?? `run_${randomUUID()}`, options.threadId);
  }
}

/** Typed helpers for one run's events (SPEC §3). */
export class RunEmitter {
  private readonly startedAt = Date.now();

  constructor(
    readonly user: UserEmitter,
    readonly runId: string,
    readonly threadId: string | undefined,
  ) {}

  emit<T extends EventType>(type: T, data: EventData<T>, id?: string): Promise<PublishResult> {
    const event = { type, runId: this.runId, data } as EventInput<T>;
    if (this.threadId !== undefined) event.threadId = this.threadId;
    if (id !== undefined) event.id = id;
    return this.user.publish(event);
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

  cancelled(reason?: string): Promise<PublishResult> {
    return this.emit('run_cancelled', reason === undefined ? {} : { reason });
  }
}
