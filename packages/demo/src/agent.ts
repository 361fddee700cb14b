import type { Gateway, RunEmitter, UpstreamMessage } from '@agentwire/gateway';
import { MessageError } from '@agentwire/gateway';
import { calculate, describe, findExpression, searchPlanets, ToolError } from './tools.js';

export interface AgentOptions {
  /** Simulated latency of one step, ms (thinking, each tool call). */
  stepMs: number;
  /** Delay between streamed tokens, ms. */
  tokenMs: number;
  /** Runs one user may have in flight. */
  maxRunsPerUser: number;
}

export const DEFAULT_AGENT: AgentOptions = { stepMs: 350, tokenMs: 45, maxRunsPerUser: 3 };

export const AGENT_NAME = 'demo-agent';

const HELP =
  'I can do arithmetic (try "What is 17 * 23?") and answer questions about the planets (try "How many moons does Saturn have?" or "Which planet is the largest?").';

/** What the page sends as an upstream message. */
export interface ChatMessage {
  text: string;
  /** Chosen by the page so it can place the run before the ack arrives. */
  runId?: string;
}

export function parseChatMessage(data: unknown): ChatMessage {
  const body = data as Partial<ChatMessage> | null;
  if (typeof body !== 'object' || body === null) throw new MessageError('data: must be an object');
  if (typeof body.text !== 'string' || body.text.trim() === '' || body.text.length > 500) {
    throw new MessageError('data.text: must be a non-empty string of at most 500 characters');
  }
  if (body.runId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(String(body.runId))) {
    throw new MessageError('data.runId: must be 1–64 letters, digits, _ or -');
  }
  return { text: body.text.trim(), ...(body.runId !== undefined && { runId: body.runId }) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Milliseconds since `start`, to the microsecond: what a tool call really took. */
const elapsed = (start: number) => Math.round((performance.now() - start) * 1000) / 1000;

/** Splits an answer into streamed tokens: words with their leading whitespace. */
export function tokens(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

/**
 * The simulated agent, registered as the gateway's upstream message handler exactly as an
 * application's would be: each chat message starts a run that thinks, calls real tools (a
 * calculator, a search over the bundled planet data), streams its answer and completes.
 */
export function createAgent(getGateway: () => Gateway, options: Partial<AgentOptions> = {}) {
  const opts = { ...DEFAULT_AGENT, ...options };
  const active = new Map<string, number>();

  async function execute(run: RunEmitter, text: string): Promise<void> {
    await run.started(AGENT_NAME);
    await run.thinking(`Reading the question: “${text}”`);
    await sleep(opts.stepMs);
    const answers: string[] = [];
    let calls = 0;

    const expression = findExpression(text);
    if (expression) {
      const callId = `call_${++calls}`;
      await run.thinking(`It contains arithmetic, so I will use the calculator on ${expression}.`);
      // The pause is the agent's (so a person can watch), not the tool's: durations are measured
      // around the tool's own work.
      await sleep(opts.stepMs);
      await run.toolExecuting('calculator', callId, { expression });
      const started = performance.now();
      try {
        const value = calculate(expression);
        const durationMs = elapsed(started);
        await run.toolCompleted('calculator', callId, { result: { value }, durationMs });
        answers.push(`${expression} = ${value}.`);
      } catch (error) {
        const durationMs = elapsed(started);
        const message = error instanceof ToolError ? error.message : 'calculation failed';
        await run.toolCompleted('calculator', callId, { error: message, durationMs });
        answers.push(`I could not calculate ${expression}: ${message}.`);
      }
    }

    // The search runs once, here; its measured time is the tool call's duration.
    const searchStarted = performance.now();
    const search = searchPlanets(text);
    const durationMs = elapsed(searchStarted);
    if (search.matches.length > 0 || !expression) {
      const callId = `call_${++calls}`;
      await run.thinking('Searching the planet dataset.');
      await sleep(opts.stepMs);
      await run.toolExecuting('planet_search', callId, { query: text });
      await run.toolCompleted('planet_search', callId, {
        result: { matches: search.matches.map((p) => p.name), attribute: search.attribute ?? null },
        durationMs,
      });
      const sentence = describe(search);
      if (sentence) answers.push(sentence);
    }

    const answer = answers.length > 0 ? answers.join(' ') : HELP;
    await run.thinking('Writing the answer.');
    const messageId = `${run.runId}_answer`;
    for (const token of tokens(answer)) {
      await sleep(opts.tokenMs);
      await run.message(messageId, token);
    }
    await run.completed({ result: { answer, toolCalls: calls } });
  }

  return function onMessage(message: UpstreamMessage): { runId: string } {
    const chat = parseChatMessage(message.data);
    const running = active.get(message.userId) ?? 0;
    if (running >= opts.maxRunsPerUser) {
      throw new MessageError(
        `at most ${opts.maxRunsPerUser} runs at a time; wait for one to finish`,
      );
    }
    const user = getGateway().forUser(message.userId);
    const run = user.run(chat.runId === undefined ? {} : { runId: chat.runId });
    active.set(message.userId, running + 1);
    execute(run, chat.text)
      .catch(async (error: unknown) => {
        await run.error(`the agent failed: ${(error as Error).message}`).catch(() => {});
      })
      .finally(() => {
        const left = (active.get(message.userId) ?? 1) - 1;
        if (left > 0) active.set(message.userId, left);
        else active.delete(message.userId);
      });
    return { runId: run.runId };
  };
}
