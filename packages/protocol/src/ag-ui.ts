import { type Static, Type } from '@sinclair/typebox';
import type { AgentEvent, EventInput } from './events.js';

/**
 * AG-UI 1.x (https://docs.ag-ui.com) beside agentwire's events: the one mapping between the two,
 * in both directions. `AgUiEncoder` turns a stream of agentwire events into AG-UI events (adding
 * the start and end events AG-UI wants around messages and runs); `AgUiDecoder` turns an AG-UI
 * agent's events into agentwire events. `AG_UI_MAPPING` is the table both follow, and what
 * docs/protocol.md shows.
 */

/** The AG-UI event types this mapping speaks (the `type` strings of @ag-ui/core's EventType). */
export const AgUiEventType = {
  RunStarted: 'RUN_STARTED',
  RunFinished: 'RUN_FINISHED',
  RunError: 'RUN_ERROR',
  StepStarted: 'STEP_STARTED',
  StepFinished: 'STEP_FINISHED',
  TextMessageStart: 'TEXT_MESSAGE_START',
  TextMessageContent: 'TEXT_MESSAGE_CONTENT',
  TextMessageEnd: 'TEXT_MESSAGE_END',
  ToolCallStart: 'TOOL_CALL_START',
  ToolCallArgs: 'TOOL_CALL_ARGS',
  ToolCallEnd: 'TOOL_CALL_END',
  ToolCallResult: 'TOOL_CALL_RESULT',
  ReasoningStart: 'REASONING_START',
  ReasoningMessageStart: 'REASONING_MESSAGE_START',
  ReasoningMessageContent: 'REASONING_MESSAGE_CONTENT',
  ReasoningMessageEnd: 'REASONING_MESSAGE_END',
  ReasoningEnd: 'REASONING_END',
  Custom: 'CUSTOM',
} as const;

/** An AG-UI event: `type` plus the fields of that type (see @ag-ui/core). */
export interface AgUiEvent {
  type: string;
  timestamp?: number;
  [field: string]: unknown;
}

/** agentwire custom types that stand for AG-UI events with no built-in agentwire counterpart. */
export const AG_UI_STEP_STARTED = 'x-step_started';
export const AG_UI_STEP_FINISHED = 'x-step_finished';
/** Carries any other AG-UI event (state snapshots, deltas, activity, raw…) unchanged. */
export const AG_UI_PASSTHROUGH = 'x-ag-ui';
/** The `RUN_ERROR` code a cancelled run ends with. */
export const AG_UI_CANCELLED_CODE = 'run_cancelled';

/** The mapping, row by row: one agentwire event type and the AG-UI events it stands for. */
export const AG_UI_MAPPING: readonly { agentwire: string; agUi: string; notes: string }[] = [
  {
    agentwire: 'agent_started {agent}',
    agUi: 'RUN_STARTED {threadId, runId, metadata.agent}',
    notes: 'synthesized before the first event of a run that did not start with agent_started',
  },
  {
    agentwire: 'agent_message {messageId, delta}',
    agUi: 'TEXT_MESSAGE_START {messageId, role: assistant} (first delta only), TEXT_MESSAGE_CONTENT {messageId, delta}',
    notes:
      'an empty delta only opens the message (a TEXT_MESSAGE_START decodes to one); TEXT_MESSAGE_END when the run ends',
  },
  {
    agentwire: 'agent_thinking {text, messageId?}',
    agUi: 'REASONING_START + REASONING_MESSAGE_START (first), REASONING_MESSAGE_CONTENT {messageId, delta: text}',
    notes: 'REASONING_MESSAGE_END + REASONING_END before the next non-thinking event',
  },
  {
    agentwire: 'tool_executing {tool, callId, args, parentMessageId?, argsText?}',
    agUi: 'TOOL_CALL_START {toolCallId, toolCallName, parentMessageId}, TOOL_CALL_ARGS {delta: JSON of args}, TOOL_CALL_END',
    notes:
      'args that are not JSON stay a string; argsText keeps the exact text when JSON.stringify would change it',
  },
  {
    agentwire: 'tool_completed {tool, callId, result or error, durationMs, content?}',
    agUi: 'TOOL_CALL_RESULT {messageId, toolCallId, content: JSON of result (or {error}), role: tool}',
    notes:
      'messageId is `<callId>:result` unless data.messageId is set; content keeps the exact text',
  },
  {
    agentwire: 'agent_completed {result, text, durationMs}',
    agUi: 'RUN_FINISHED {threadId, runId, result}',
    notes: 'open messages are ended first',
  },
  { agentwire: 'agent_error {message, code}', agUi: 'RUN_ERROR {message, code}', notes: '' },
  {
    agentwire: 'run_cancelled {reason}',
    agUi: 'RUN_ERROR {message, code: run_cancelled}',
    notes: 'AG-UI has no cancelled outcome of its own',
  },
  { agentwire: `${AG_UI_STEP_STARTED} {stepName}`, agUi: 'STEP_STARTED {stepName}', notes: '' },
  { agentwire: `${AG_UI_STEP_FINISHED} {stepName}`, agUi: 'STEP_FINISHED {stepName}', notes: '' },
  {
    agentwire: `${AG_UI_PASSTHROUGH} {event}`,
    agUi: 'the AG-UI event in data.event, as it was',
    notes: 'STATE_SNAPSHOT, STATE_DELTA, MESSAGES_SNAPSHOT, ACTIVITY_*, RAW …',
  },
  {
    agentwire: 'x-<name> (any other custom type)',
    agUi: 'CUSTOM {name, value: data}',
    notes: '',
  },
];

const ENDED_RUNS_KEPT = 256;

interface RunState {
  runId: string;
  threadId: string;
  /** Open text messages, in the order they started. */
  text: Set<string>;
  /** The open reasoning message, if any. */
  reasoning: string | undefined;
  reasoningCount: number;
  /** Tool calls announced and not yet answered: callId → their start, args and end events. */
  pendingTools: Map<string, AgUiEvent[]>;
  /** Steps started and not yet finished. */
  steps: Set<string>;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function json(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
}

/**
 * agentwire → AG-UI, for one stream of events in seq order. Stateful: it knows which runs,
 * messages and tool calls are open, so it can add the events AG-UI requires around them and, for a
 * client that joins mid-run, replay the opening events of what is still open (`prelude`).
 */
export class AgUiEncoder {
  private readonly runs = new Map<string, RunState>();
  /**
   * Runs that ended, newest last (bounded): an event of one that still arrives — e.g. a token
   * published on another node while a cancel crossed to it — is dropped, not a new run.
   */
  private readonly ended = new Set<string>();

  /** The AG-UI events for one agentwire event (empty for events without a run). */
  encode(event: AgentEvent | EventInput): AgUiEvent[] {
    const out: AgUiEvent[] = [];
    const timestamp = event.ts ? Date.parse(event.ts) : undefined;
    const stamp = (e: AgUiEvent): AgUiEvent => {
      if (timestamp !== undefined && !Number.isNaN(timestamp)) e.timestamp = timestamp;
      out.push(e);
      return e;
    };
    const data = record(event.data);
    if (event.runId === undefined) {
      if (event.type === AG_UI_PASSTHROUGH && typeof data.event === 'object') {
        stamp({ ...(data.event as AgUiEvent) });
      } else if (event.type.startsWith('x-')) {
        stamp({ type: AgUiEventType.Custom, name: event.type.slice(2), value: event.data });
      }
      return out;
    }
    let run = this.runs.get(event.runId);
    if (!run && this.ended.has(event.runId)) return out;
    if (!run) {
      run = this.open(event.runId, event.threadId ?? event.runId);
      const started: AgUiEvent = {
        type: AgUiEventType.RunStarted,
        threadId: run.threadId,
        runId: run.runId,
      };
      if (event.type === 'agent_started') started.metadata = { agent: data.agent };
      stamp(started);
      if (event.type === 'agent_started') return out;
    } else if (event.type === 'agent_started') {
      return out; // a second start of the same run says nothing new
    }
    if (event.type !== 'agent_thinking') this.endReasoning(run, stamp);
    switch (event.type) {
      case 'agent_message': {
        const messageId = String(data.messageId);
        if (!run.text.has(messageId)) {
          run.text.add(messageId);
          stamp({ type: AgUiEventType.TextMessageStart, messageId, role: 'assistant' });
        }
        // An empty delta only opens the message (AG-UI content is never empty).
        const delta = String(data.delta);
        if (delta !== '') stamp({ type: AgUiEventType.TextMessageContent, messageId, delta });
        break;
      }
      case 'agent_thinking': {
        if (run.reasoning === undefined) {
          const messageId =
            typeof data.messageId === 'string'
              ? data.messageId
              : `${run.runId}:reasoning:${++run.reasoningCount}`;
          run.reasoning = messageId;
          stamp({ type: AgUiEventType.ReasoningStart, messageId });
          stamp({ type: AgUiEventType.ReasoningMessageStart, messageId, role: 'reasoning' });
        }
        stamp({
          type: AgUiEventType.ReasoningMessageContent,
          messageId: run.reasoning,
          delta: String(data.text),
        });
        break;
      }
      case 'tool_executing': {
        const toolCallId = String(data.callId);
        const start: AgUiEvent = {
          type: AgUiEventType.ToolCallStart,
          toolCallId,
          toolCallName: String(data.tool),
        };
        if (typeof data.parentMessageId === 'string') start.parentMessageId = data.parentMessageId;
        const events = [stamp(start)];
        if (data.args !== undefined) {
          const delta = typeof data.argsText === 'string' ? data.argsText : json(data.args);
          events.push(stamp({ type: AgUiEventType.ToolCallArgs, toolCallId, delta }));
        }
        events.push(stamp({ type: AgUiEventType.ToolCallEnd, toolCallId }));
        run.pendingTools.set(toolCallId, events);
        break;
      }
      case 'tool_completed': {
        const toolCallId = String(data.callId);
        run.pendingTools.delete(toolCallId);
        stamp({
          type: AgUiEventType.ToolCallResult,
          messageId: typeof data.messageId === 'string' ? data.messageId : `${toolCallId}:result`,
          toolCallId,
          content:
            typeof data.content === 'string'
              ? data.content
              : data.error !== undefined
                ? json({ error: data.error })
                : json(data.result ?? null),
          role: 'tool',
        });
        break;
      }
      case 'agent_completed':
        this.close(run, stamp);
        stamp({
          type: AgUiEventType.RunFinished,
          threadId: run.threadId,
          runId: run.runId,
          ...(data.result !== undefined
            ? { result: data.result }
            : data.text !== undefined && { result: data.text }),
        });
        break;
      case 'agent_error':
        this.close(run, stamp);
        stamp({
          type: AgUiEventType.RunError,
          message: String(data.message),
          ...(typeof data.code === 'string' && { code: data.code }),
        });
        break;
      case 'run_cancelled':
        this.close(run, stamp);
        stamp({
          type: AgUiEventType.RunError,
          message:
            typeof data.reason === 'string' ? `run cancelled: ${data.reason}` : 'run cancelled',
          code: AG_UI_CANCELLED_CODE,
        });
        break;
      case AG_UI_STEP_STARTED:
        run.steps.add(String(data.stepName));
        stamp({ type: AgUiEventType.StepStarted, stepName: String(data.stepName) });
        break;
      case AG_UI_STEP_FINISHED:
        run.steps.delete(String(data.stepName));
        stamp({ type: AgUiEventType.StepFinished, stepName: String(data.stepName) });
        break;
      case AG_UI_PASSTHROUGH:
        if (typeof data.event === 'object') stamp({ ...(data.event as AgUiEvent) });
        break;
      default:
        if (event.type.startsWith('x-')) {
          stamp({ type: AgUiEventType.Custom, name: event.type.slice(2), value: event.data });
        }
    }
    return out;
  }

  /**
   * The opening events of everything still open — `RUN_STARTED`, open steps, each unanswered
   * tool call with its args, `TEXT_MESSAGE_START`, the reasoning starts — for a client that joins
   * here (without them AG-UI's `verifyEvents` rejects the stream from its first event).
   */
  prelude(): AgUiEvent[] {
    const out: AgUiEvent[] = [];
    for (const run of this.runs.values()) {
      out.push({ type: AgUiEventType.RunStarted, threadId: run.threadId, runId: run.runId });
      for (const stepName of run.steps) out.push({ type: AgUiEventType.StepStarted, stepName });
      for (const events of run.pendingTools.values()) out.push(...events);
      for (const messageId of run.text) {
        out.push({ type: AgUiEventType.TextMessageStart, messageId, role: 'assistant' });
      }
      if (run.reasoning !== undefined) {
        out.push({ type: AgUiEventType.ReasoningStart, messageId: run.reasoning });
        out.push({
          type: AgUiEventType.ReasoningMessageStart,
          messageId: run.reasoning,
          role: 'reasoning',
        });
      }
    }
    return out;
  }

  /** Whether a run is open (started and not yet finished, failed or cancelled). */
  isOpen(runId: string): boolean {
    return this.runs.has(runId);
  }

  private open(runId: string, threadId: string): RunState {
    const run: RunState = {
      runId,
      threadId,
      text: new Set(),
      reasoning: undefined,
      reasoningCount: 0,
      pendingTools: new Map(),
      steps: new Set(),
    };
    this.runs.set(runId, run);
    return run;
  }

  private endReasoning(run: RunState, stamp: (e: AgUiEvent) => AgUiEvent): void {
    if (run.reasoning === undefined) return;
    stamp({ type: AgUiEventType.ReasoningMessageEnd, messageId: run.reasoning });
    stamp({ type: AgUiEventType.ReasoningEnd, messageId: run.reasoning });
    run.reasoning = undefined;
  }

  private close(run: RunState, stamp: (e: AgUiEvent) => AgUiEvent): void {
    this.endReasoning(run, stamp);
    for (const messageId of run.text) stamp({ type: AgUiEventType.TextMessageEnd, messageId });
    for (const stepName of run.steps) stamp({ type: AgUiEventType.StepFinished, stepName });
    this.runs.delete(run.runId);
    this.ended.add(run.runId);
    if (this.ended.size > ENDED_RUNS_KEPT) {
      this.ended.delete(this.ended.values().next().value as string);
    }
  }
}

/** An agentwire event decoded from AG-UI, without its run (the publisher stamps `runId`). */
export interface DecodedEvent {
  type: EventInput['type'];
  data: Record<string, unknown>;
}

/**
 * AG-UI → agentwire, for one AG-UI agent's run. Start and end events that agentwire does not
 * store (`TEXT_MESSAGE_START`, `REASONING_START` …) return nothing: the encoder makes them again.
 * A tool call becomes one `tool_executing` when its `TOOL_CALL_END` arrives, with the args joined.
 */
export class AgUiDecoder {
  private readonly tools = new Map<
    string,
    { name: string; args: string; parentMessageId?: string }
  >();
  private readonly toolNames = new Map<string, string>();
  private readonly startedAt = Date.now();

  decode(event: AgUiEvent): DecodedEvent[] {
    const e = event as Record<string, unknown>;
    switch (event.type) {
      case AgUiEventType.RunStarted: {
        const agent = record(e.metadata).agent;
        return [
          { type: 'agent_started', data: { agent: typeof agent === 'string' ? agent : 'agent' } },
        ];
      }
      case AgUiEventType.TextMessageStart:
        // A message may open without content (e.g. the one a tool call belongs to): keep it.
        return [{ type: 'agent_message', data: { messageId: String(e.messageId), delta: '' } }];
      case AgUiEventType.TextMessageContent:
        return [
          {
            type: 'agent_message',
            data: { messageId: String(e.messageId), delta: String(e.delta) },
          },
        ];
      case AgUiEventType.ReasoningMessageContent:
        return [
          {
            type: 'agent_thinking',
            data: { text: String(e.delta), messageId: String(e.messageId) },
          },
        ];
      case AgUiEventType.ToolCallStart: {
        const id = String(e.toolCallId);
        const name = String(e.toolCallName);
        this.toolNames.set(id, name);
        this.tools.set(id, {
          name,
          args: '',
          ...(typeof e.parentMessageId === 'string' && { parentMessageId: e.parentMessageId }),
        });
        return [];
      }
      case AgUiEventType.ToolCallArgs: {
        const call = this.tools.get(String(e.toolCallId));
        if (call) call.args += String(e.delta);
        return [];
      }
      case AgUiEventType.ToolCallEnd: {
        const callId = String(e.toolCallId);
        const call = this.tools.get(callId);
        if (!call) return [];
        this.tools.delete(callId);
        const data: Record<string, unknown> = { tool: call.name, callId };
        if (call.args !== '') {
          data.args = parseJson(call.args);
          // The text as the agent streamed it, when JSON.stringify would not give it back.
          if (json(data.args) !== call.args) data.argsText = call.args;
        }
        if (call.parentMessageId !== undefined) data.parentMessageId = call.parentMessageId;
        return [{ type: 'tool_executing', data }];
      }
      case AgUiEventType.ToolCallResult: {
        const callId = String(e.toolCallId);
        const content = typeof e.content === 'string' ? parseJson(e.content) : e.content;
        const error = record(content).error;
        const data: Record<string, unknown> = {
          tool: this.toolNames.get(callId) ?? 'tool',
          callId,
          durationMs: 0,
          messageId: String(e.messageId),
          ...(error !== undefined && Object.keys(record(content)).length === 1
            ? { error }
            : { result: content }),
        };
        if (typeof e.content === 'string' && json(content) !== e.content) data.content = e.content;
        return [{ type: 'tool_completed', data }];
      }
      case AgUiEventType.RunFinished:
        return [
          {
            type: 'agent_completed',
            data: {
              durationMs: Date.now() - this.startedAt,
              ...(e.result !== undefined && { result: e.result }),
            },
          },
        ];
      case AgUiEventType.RunError:
        if (e.code === AG_UI_CANCELLED_CODE) {
          const reason = /^run cancelled: (.*)$/s.exec(String(e.message))?.[1];
          return [{ type: 'run_cancelled', data: reason === undefined ? {} : { reason } }];
        }
        return [
          {
            type: 'agent_error',
            data: {
              message: String(e.message || 'run failed'),
              ...(typeof e.code === 'string' && { code: e.code }),
            },
          },
        ];
      case AgUiEventType.StepStarted:
        return [{ type: AG_UI_STEP_STARTED, data: { stepName: String(e.stepName) } }];
      case AgUiEventType.StepFinished:
        return [{ type: AG_UI_STEP_FINISHED, data: { stepName: String(e.stepName) } }];
      case AgUiEventType.Custom:
        return [
          {
            type: `x-${String(e.name)}`,
            data: record(e.value) === e.value ? record(e.value) : { value: e.value },
          },
        ];
      case AgUiEventType.TextMessageEnd:
      case AgUiEventType.ReasoningStart:
      case AgUiEventType.ReasoningMessageStart:
      case AgUiEventType.ReasoningMessageEnd:
      case AgUiEventType.ReasoningEnd:
        return [];
      default:
        return [{ type: AG_UI_PASSTHROUGH, data: { event } }];
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const AgUiMessage = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    role: Type.Union([
      Type.Literal('developer'),
      Type.Literal('system'),
      Type.Literal('assistant'),
      Type.Literal('user'),
      Type.Literal('tool'),
      Type.Literal('activity'),
      Type.Literal('reasoning'),
    ]),
  },
  { additionalProperties: true },
);

/** AG-UI's `RunAgentInput`: what an AG-UI client POSTs to start a run. */
export const RunAgentInputSchema = Type.Object(
  {
    threadId: Type.String({ minLength: 1, maxLength: 128 }),
    runId: Type.String({ minLength: 1, maxLength: 128 }),
    parentRunId: Type.Optional(Type.String({ maxLength: 128 })),
    protocolVersion: Type.Optional(Type.String({ maxLength: 32 })),
    state: Type.Optional(Type.Unknown()),
    messages: Type.Array(AgUiMessage),
    tools: Type.Array(Type.Object({ name: Type.String() }, { additionalProperties: true })),
    context: Type.Array(
      Type.Object(
        { description: Type.String(), value: Type.String() },
        { additionalProperties: true },
      ),
    ),
    forwardedProps: Type.Optional(Type.Unknown()),
    resume: Type.Optional(Type.Array(Type.Unknown())),
  },
  { additionalProperties: true },
);
export type RunAgentInput = Static<typeof RunAgentInputSchema>;
