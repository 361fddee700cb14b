import { type Static, type TObject, Type } from '@sinclair/typebox';

/** Limits on identifiers carried in events; long enough for ULIDs, UUIDs and prefixed ids. */
const Id = Type.String({ minLength: 1, maxLength: 128 });
const NonNegative = Type.Number({ minimum: 0 });
const Anything = Type.Unknown();

/** Required `data` fields of every built-in event type (SPEC §3). */
export const EventDataSchemas = {
  agent_started: Type.Object({ agent: Type.String({ minLength: 1, maxLength: 256 }) }),
  agent_thinking: Type.Object({ text: Type.String() }),
  tool_executing: Type.Object({
    tool: Type.String({ minLength: 1, maxLength: 256 }),
    callId: Id,
    args: Type.Optional(Anything),
  }),
  tool_completed: Type.Object({
    tool: Type.String({ minLength: 1, maxLength: 256 }),
    callId: Id,
    result: Type.Optional(Anything),
    error: Type.Optional(Anything),
    durationMs: NonNegative,
  }),
  agent_completed: Type.Object({
    result: Type.Optional(Anything),
    text: Type.Optional(Type.String()),
    durationMs: Type.Optional(NonNegative),
  }),
  agent_message: Type.Object({ messageId: Id, delta: Type.String() }),
  agent_error: Type.Object({
    message: Type.String({ minLength: 1 }),
    code: Type.Optional(Type.String({ maxLength: 128 })),
  }),
  run_cancelled: Type.Object({ reason: Type.Optional(Type.String()) }),
} satisfies Record<string, TObject>;

export type BuiltinEventType = keyof typeof EventDataSchemas;
/** Custom event types start with `x-` and carry any JSON `data`. */
export type CustomEventType = `x-${string}`;
export type EventType = BuiltinEventType | CustomEventType;

/** The lifecycle events every agent UI needs, in the order a run emits them. */
export const LIFECYCLE_EVENT_TYPES = [
  'agent_started',
  'agent_thinking',
  'tool_executing',
  'tool_completed',
  'agent_completed',
] as const satisfies readonly BuiltinEventType[];

/** The event types that end a run: nothing of the run follows one of them. */
export const TERMINAL_EVENT_TYPES = [
  'agent_completed',
  'agent_error',
  'run_cancelled',
] as const satisfies readonly BuiltinEventType[];

export function isTerminalEventType(type: string): boolean {
  return (TERMINAL_EVENT_TYPES as readonly string[]).includes(type);
}

/**
 * The `id` of a run's `run_cancelled` event: one per run, so a cancel from a tab, the gateway's
 * and the application's own `run_cancelled` are one event (publishing dedupes by id). A runId too
 * long for the prefix is hashed (FNV-1a, 64 bits: an idempotency key, not a secret).
 */
export function cancelEventId(runId: string): string {
  const id = `cancel_${runId}`;
  if (id.length <= 128) return id;
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < runId.length; i++) {
    hash = ((hash ^ BigInt(runId.charCodeAt(i))) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return `cancel_h${hash.toString(36)}_${runId.length}`;
}

export const BUILTIN_EVENT_TYPES = Object.keys(EventDataSchemas) as BuiltinEventType[];

export function isBuiltinEventType(type: string): type is BuiltinEventType {
  return Object.hasOwn(EventDataSchemas, type);
}

export function isCustomEventType(type: string): type is CustomEventType {
  return type.length > 2 && type.length <= 128 && type.startsWith('x-');
}

export type EventData<T extends EventType> = T extends BuiltinEventType
  ? Static<(typeof EventDataSchemas)[T]>
  : unknown;

/** Envelope fields shared by every event; `data` is checked per type. */
export const EventEnvelopeSchema = Type.Object({
  id: Type.Optional(Id),
  type: Type.String({ minLength: 1, maxLength: 128 }),
  runId: Type.Optional(Id),
  threadId: Type.Optional(Id),
  ts: Type.Optional(Type.String({ format: 'date-time', maxLength: 64 })),
  data: Type.Optional(Anything),
});

/**
 * What agent code publishes. `id` (the idempotency key) and `ts` are assigned by the gateway when
 * absent. Built-in events belong to a run, so they need `runId`; custom `x-` events may omit it.
 */
export type EventInput<T extends EventType = EventType> = {
  id?: string;
  type: T;
  runId?: string;
  threadId?: string;
  ts?: string;
  data: EventData<T>;
};

/** An event as stored and delivered: `id` and `ts` are always present. */
export type AgentEvent<T extends EventType = EventType> = EventInput<T> & {
  id: string;
  ts: string;
};

/** An event inside an `event` frame, with the user's stream position. */
export interface SequencedEvent {
  seq: number;
  event: AgentEvent;
}
