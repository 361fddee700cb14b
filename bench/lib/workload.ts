/**
 * The benchmark workloads, shared by every target so that each one publishes the same events.
 *
 * Every event's `data` carries a marker `"x":"<user>:<n>:<t>"`: the user it is addressed to, its
 * index in that user's stream (0, 1, 2, … per user, whatever the target) and the publish time in
 * µs of the monotonic clock (the same clock in every process of this machine). The client finds
 * it with one byte search per frame, so it can check isolation and order on every delivery
 * without parsing whole frames.
 */

/** Microseconds on the monotonic clock (CLOCK_MONOTONIC: comparable across processes). */
export function nowUs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + Math.floor(ns / 1e3);
}

export function userId(index: number): string {
  return `u${index}`;
}

/** The nine events of one agent run (SPEC §10), in order. */
export const AGENT_RUN = [
  'agent_started',
  'agent_thinking',
  'agent_thinking',
  'agent_thinking',
  'agent_thinking',
  'agent_thinking',
  'tool_executing',
  'tool_completed',
  'agent_completed',
] as const;

export type BenchEventType = (typeof AGENT_RUN)[number] | 'agent_message';

const THOUGHTS = [
  'Reading the question and the account context before choosing a tool to call next.',
  'The cost report needs last month; the billing tool takes a month and a project id.',
  'Two projects match the name; picking the one with recent activity and spend.',
  'The query should group by service and sort by cost so the answer is short.',
  'Checking the row count before summarising so that the answer states its basis.',
];

const TOKENS = [' The', ' cost', ' of', ' project', ' atlas', ' rose', ' by', ' 12', '%', '.'];

/**
 * The `data` of step `step` of a run (0–8), with the marker. Sizes are chosen so that the event
 * as the gateway stores it (with its generated `id` and `ts`) is about 250 bytes.
 */
export function agentRunData(step: number, marker: string): Record<string, unknown> {
  switch (step) {
    case 0:
      return { x: marker, agent: 'billing-assistant' };
    case 6:
      return {
        x: marker,
        tool: 'cost_query',
        callId: 'call_1',
        args: { project: 'atlas', month: '2026-10', groupBy: 'service' },
      };
    case 7:
      return {
        x: marker,
        tool: 'cost_query',
        callId: 'call_1',
        result: { rows: 12, total: 4182.5, currency: 'EUR' },
        durationMs: 840,
      };
    case 8:
      return { x: marker, text: 'Atlas cost 4,182.50 EUR in October, up 12 %.', durationMs: 2100 };
    default:
      return { x: marker, text: THOUGHTS[(step - 1) % THOUGHTS.length] };
  }
}

/** The `data` of one streamed token (`agent_message`). */
export function tokenData(runIndex: number, n: number, marker: string): Record<string, unknown> {
  return { x: marker, messageId: `msg_${runIndex}`, delta: TOKENS[n % TOKENS.length] };
}

export type Workload = 'agent-run' | 'stream';

/** What the client needs to know about a target to speak to it. */
export type TargetName =
  | 'agentwire'
  | 'agentwire-base'
  | 'agentwire-redis'
  | 'ws'
  | 'socketio'
  | 'socketio-csr';

export const TARGETS: readonly TargetName[] = ['agentwire', 'ws', 'socketio', 'socketio-csr'];

/** Shared dev secret (≥ 32 bytes) for the benchmark's HS256 tokens; the client mints with it. */
export const BENCH_SECRET =
  process.env.AGENTWIRE_BENCH_SECRET ?? 'agentwire-bench-secret-0123456789abcdef';
