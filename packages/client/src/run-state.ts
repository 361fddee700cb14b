import type { AgentEvent, EventData } from '@agentwire/protocol';

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface ToolCallState {
  kind: 'tool';
  callId: string;
  tool: string;
  args?: unknown;
  status: 'running' | 'completed' | 'failed';
  result?: unknown;
  error?: unknown;
  durationMs?: number;
  /** Event timestamps (ISO 8601). */
  startedAt: string;
  completedAt?: string;
}

export interface ThinkingStep {
  kind: 'thinking';
  text: string;
  ts: string;
}

export interface CustomStep {
  kind: 'custom';
  type: string;
  data: unknown;
  ts: string;
}

/** One line of a run's timeline, in the order the events arrived. */
export type RunStep = ThinkingStep | ToolCallState | CustomStep;

/** A run folded from its events: everything a UI needs to render it. */
export interface RunState {
  runId: string;
  threadId?: string;
  agent?: string;
  status: RunStatus;
  startedAt?: string;
  completedAt?: string;
  /** Thinking, tool calls and custom events in arrival order. */
  steps: RunStep[];
  /** Every agent_thinking text, joined with newlines. */
  thinking: string;
  toolCalls: ToolCallState[];
  /** The answer: agent_message deltas in order, or agent_completed's `text` once it arrives. */
  text: string;
  result?: unknown;
  error?: { message: string; code?: string };
  cancelReason?: string;
  durationMs?: number;
  /** Number of events folded in. */
  events: number;
}

function emptyRun(event: AgentEvent): RunState {
  return {
    runId: event.runId ?? '',
    ...(event.threadId !== undefined && { threadId: event.threadId }),
    status: 'running',
    steps: [],
    thinking: '',
    toolCalls: [],
    text: '',
    events: 0,
  };
}

function replaceTool(state: RunState, call: ToolCallState): RunState {
  const steps = state.steps.map((s) => (s.kind === 'tool' && s.callId === call.callId ? call : s));
  if (!steps.includes(call)) steps.push(call);
  return { ...state, steps, toolCalls: steps.filter((s) => s.kind === 'tool') };
}

/**
 * Folds one event into a run's state and returns the new state (the old one is not changed, so
 * UIs can compare by reference). Feed it each run's events in `seq` order, as the client delivers
 * them; `state` is undefined for a run's first event.
 */
export function foldRun(state: RunState | undefined, event: AgentEvent): RunState {
  const base = state ?? emptyRun(event);
  const next: RunState = { ...base, events: base.events + 1 };
  switch (event.type) {
    case 'agent_started': {
      const data = event.data as EventData<'agent_started'>;
      return { ...next, agent: data.agent, status: 'running', startedAt: event.ts };
    }
    case 'agent_thinking': {
      const data = event.data as EventData<'agent_thinking'>;
      const step: ThinkingStep = { kind: 'thinking', text: data.text, ts: event.ts };
      return {
        ...next,
        steps: [...next.steps, step],
        thinking: next.thinking ? `${next.thinking}\n${data.text}` : data.text,
      };
    }
    case 'tool_executing': {
      const data = event.data as EventData<'tool_executing'>;
      return replaceTool(next, {
        kind: 'tool',
        callId: data.callId,
        tool: data.tool,
        ...(data.args !== undefined && { args: data.args }),
        status: 'running',
        startedAt: event.ts,
      });
    }
    case 'tool_completed': {
      const data = event.data as EventData<'tool_completed'>;
      const previous = next.toolCalls.find((c) => c.callId === data.callId);
      return replaceTool(next, {
        kind: 'tool',
        callId: data.callId,
        tool: data.tool,
        ...(previous?.args !== undefined && { args: previous.args }),
        status: data.error !== undefined ? 'failed' : 'completed',
        ...(data.result !== undefined && { result: data.result }),
        ...(data.error !== undefined && { error: data.error }),
        durationMs: data.durationMs,
        startedAt: previous?.startedAt ?? event.ts,
        completedAt: event.ts,
      });
    }
    case 'agent_message': {
      const data = event.data as EventData<'agent_message'>;
      return { ...next, text: next.text + data.delta };
    }
    case 'agent_completed': {
      const data = event.data as EventData<'agent_completed'>;
      return {
        ...next,
        status: 'completed',
        completedAt: event.ts,
        text: data.text ?? next.text,
        ...(data.result !== undefined && { result: data.result }),
        ...(data.durationMs !== undefined && { durationMs: data.durationMs }),
      };
    }
    case 'agent_error': {
      const data = event.data as EventData<'agent_error'>;
      return { ...next, status: 'failed', completedAt: event.ts, error: data };
    }
    case 'run_cancelled': {
      const data = event.data as EventData<'run_cancelled'>;
      return {
        ...next,
        status: 'cancelled',
        completedAt: event.ts,
        ...(data.reason !== undefined && { cancelReason: data.reason }),
      };
    }
    default: {
      const step: CustomStep = { kind: 'custom', type: event.type, data: event.data, ts: event.ts };
      return { ...next, steps: [...next.steps, step] };
    }
  }
}

/**
 * Keeps the state of every run seen, by `runId`, in the order runs started. Events without a
 * `runId` (custom events outside runs) are ignored.
 */
export class RunTracker {
  private readonly runs = new Map<string, RunState>();

  constructor(private readonly onChange?: (run: RunState) => void) {}

  apply(event: AgentEvent): RunState | undefined {
    if (event.runId === undefined) return undefined;
    const run = foldRun(this.runs.get(event.runId), event);
    this.runs.set(event.runId, run);
    this.onChange?.(run);
    return run;
  }

  get(runId: string): RunState | undefined {
    return this.runs.get(runId);
  }

  all(): RunState[] {
    return [...this.runs.values()];
  }

  /** Forget everything, e.g. on `resync` before refetching state from the application. */
  clear(): void {
    this.runs.clear();
  }

  /** Restores states saved earlier (e.g. from sessionStorage alongside the stream position). */
  restore(runs: readonly RunState[]): void {
    this.runs.clear();
    for (const run of runs) this.runs.set(run.runId, run);
  }
}
