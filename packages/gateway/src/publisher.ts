import { randomBytes } from 'node:crypto';
import {
  type AgentEvent,
  ErrorCode,
  type EventData,
  type EventInput,
  nestingError,
  type PublishResult,
  type ValidationError,
  validateEvent,
} from '@agentwire/protocol';
import type { Delta } from './codec/deltas-frame.js';
import type { AppendResult, Engine } from './engine/engine.js';
import { PublishError } from './errors.js';
import type { GatewayMetrics } from './metrics.js';

const MAX_USER_ID_LENGTH = 256;

export function validateUserId(userId: unknown, field: string): ValidationError | undefined {
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > MAX_USER_ID_LENGTH) {
    return {
      code: ErrorCode.InvalidField,
      field,
      message: `${field}: must be a non-empty string of at most ${MAX_USER_ID_LENGTH} characters`,
    };
  }
  return undefined;
}

/**
 * The single publish path, shared by HTTP and in-process callers: validate, complete the event
 * (id, ts), bound its size, append to the user's stream. Resolves once the engine accepted it.
 */
export class Publisher {
  constructor(
    private readonly engine: Engine,
    private readonly metrics: GatewayMetrics,
    private readonly maxEventBytes: number,
    private readonly maxJsonDepth: number,
  ) {}

  /** Returns the validation error instead of throwing, for batch handling. */
  check(userId: unknown, input: unknown, prefix: string): ValidationError | AgentEventJson {
    const userError = validateUserId(userId, prefix ? `${prefix}.userId` : 'userId');
    if (userError) return userError;
    const eventField = prefix ? `${prefix}.event` : 'event';
    // Before anything recursive (the schema check, JSON.stringify) sees the event.
    const tooDeep = nestingError(input, this.maxJsonDepth, eventField);
    if (tooDeep) return tooDeep;
    const result = validateEvent(input, eventField);
    if (!result.ok) return result.error;
    const fresh = result.value.id === undefined;
    const event = complete(result.value);
    const json = JSON.stringify(event);
    // A UTF-16 code unit is at most 3 UTF-8 bytes: count bytes only when the length cannot tell.
    if (json.length * 3 > this.maxEventBytes && Buffer.byteLength(json) > this.maxEventBytes) {
      return {
        code: ErrorCode.TooLarge,
        field: eventField,
        message: `${eventField}: serialized event exceeds ${this.maxEventBytes} bytes`,
      };
    }
    return { id: event.id, json, fresh, delta: deltaFields(event) };
  }

  /** Appends an event `check` prepared. */
  async append(userId: string, prepared: AgentEventJson): Promise<PublishResult> {
    return this.commit(userId, prepared);
  }

  /** Checks and appends one event; a refused one rejects with PublishError. */
  async publish(userId: string, input: EventInput): Promise<PublishResult> {
    const prepared = this.check(userId, input, '');
    if (!('json' in prepared)) throw new PublishError(prepared);
    return this.commit(userId, prepared);
  }

  /**
   * The one path every publish ends in. An in-process engine appends synchronously and the result
   * is returned as it is: one promise per publish (the caller's) instead of three.
   */
  private commit(userId: string, prepared: AgentEventJson): PublishResult | Promise<PublishResult> {
    const engine = this.engine;
    if (engine.appendSync) {
      return this.accepted(
        engine.appendSync(userId, prepared.id, prepared.json, prepared.fresh, prepared.delta),
        prepared.id,
      );
    }
    return engine
      .append(userId, prepared.id, prepared.json)
      .then((result) => this.accepted(result, prepared.id));
  }

  private accepted(result: AppendResult, id: string): PublishResult {
    if (result.duplicate) this.metrics.duplicates.inc();
    else this.metrics.publishes.inc();
    return { seq: result.seq, epoch: result.epoch, id };
  }
}

export interface AgentEventJson {
  id: string;
  json: string;
  /** The gateway generated `id`: it cannot repeat an earlier event's. */
  fresh: boolean;
  /** An `agent_message`'s fields, for coalescing (`StoredEvent.delta`). */
  delta: Delta | undefined;
}

function deltaFields(event: AgentEvent): Delta | undefined {
  if (event.type !== 'agent_message') return undefined;
  const data = event.data as EventData<'agent_message'>;
  return {
    id: event.id,
    ts: event.ts,
    runId: event.runId as string,
    threadId: event.threadId,
    messageId: data.messageId,
    delta: data.delta,
  };
}

let isoMs = Number.NaN;
let iso = '';
/** `new Date().toISOString()`, formatted once per millisecond rather than once per event. */
function nowIso(): string {
  const ms = Date.now();
  if (ms !== isoMs) {
    isoMs = ms;
    iso = new Date(ms).toISOString();
  }
  return iso;
}

/**
 * Generated event ids: `evt_`, a random prefix drawn once per process (72 bits), `_`, and a
 * per-process counter in base 36 — e.g. `evt_q3Vx0b1F-8aZ_1k2`. Unique without a UUID per event
 * (drawing and formatting one was the most expensive part of building an event): no two events
 * of one process share the counter, and two processes (or restarts) share a prefix with
 * negligible probability. Ids are idempotency keys, not secrets.
 */
const ID_PREFIX = `evt_${randomBytes(9).toString('base64url')}_`;
let idCounter = 0;

function generatedId(): string {
  idCounter++;
  return `${ID_PREFIX}${idCounter.toString(36)}`;
}

function complete(input: EventInput): AgentEvent {
  // Field order is fixed so the stored JSON reads naturally: id, type, runId, threadId, ts, data.
  // Absent optional fields stay undefined, which JSON.stringify leaves out.
  return {
    id: input.id ?? generatedId(),
    type: input.type,
    runId: input.runId,
    threadId: input.threadId,
    ts: input.ts ?? nowIso(),
    data: input.data,
  } as AgentEvent;
}
