// The demo page: signs in as a demo user, sends chat messages upstream and renders each agent
// run as a live timeline with the client SDK. Plain TypeScript and DOM, bundled by esbuild.

import {
  type AgentwireClient,
  connect,
  type PositionStore,
  type RunState,
  RunTracker,
  type StreamPosition,
} from '@agentwire/client';
import type { AgentEvent } from '@agentwire/protocol';

interface ChatEntry {
  text: string;
  runId: string;
  error?: string;
}

/**
 * A mark in the timeline: a reconnect (with the seq range the resume replayed) or a resync.
 * Inside a run's card when that run was in flight, else between the cards (`order`).
 */
interface Mark {
  id: string;
  kind: 'reconnect' | 'resync';
  text: string;
  /** The run it interrupted, and where: after this many steps, after the streamed text or not. */
  runId?: string;
  afterSteps?: number;
  afterText?: boolean;
}

const MARK_PREFIX = 'mark:';

/** Everything the tab shows, saved with the stream position so a reload resumes exactly. */
interface Saved {
  position?: StreamPosition;
  runs: RunState[];
  chat: ChatEntry[];
  order: string[];
  seqs: Record<string, number[]>;
  marks: Mark[];
  reset: string[];
}

const USER_KEY = 'agentwire-demo.user';
const USERS: Record<string, string> = { alice: 'Alice', bob: 'Bob' };

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el as T;
}

type Child = Node | string | undefined | false;
function h(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  for (const child of children) {
    if (child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

function brief(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${ms < 1 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
}

/** Whether the reader is at the bottom of the page (then new events keep them there). */
function atBottom(): boolean {
  const root = document.documentElement;
  return window.innerHeight + window.scrollY >= root.scrollHeight - 48;
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function signIn(user: string): Promise<string> {
  const res = await fetch('/demo/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  const body = (await res.json()) as { token?: string; error?: { message: string } };
  if (!res.ok || !body.token)
    throw new Error(body.error?.message ?? `sign-in failed (${res.status})`);
  return body.token;
}

class DemoPage {
  private readonly key: string;
  private readonly tracker = new RunTracker();
  private chat: ChatEntry[] = [];
  private order: string[] = [];
  private seqs: Record<string, number[]> = {};
  private marks: Mark[] = [];
  /** Runs shown before a resync: kept as they were, marked "history reset". */
  private reset = new Set<string>();
  /** The seq of the last event this tab received (the client's position before a reconnect). */
  private lastSeq = 0;
  private connects = 0;
  private pendingAnnouncements: string[] = [];
  private readonly client: AgentwireClient;
  private renderQueued = false;

  constructor(private readonly user: string) {
    this.key = `agentwire-demo.${user}`;
    const saved = this.load();
    if (saved) {
      this.tracker.restore(saved.runs);
      this.chat = saved.chat;
      this.order = saved.order;
      this.seqs = saved.seqs;
      this.marks = saved.marks ?? [];
      this.reset = new Set(saved.reset ?? []);
      this.lastSeq = saved.position?.seq ?? 0;
    }
    const store: PositionStore = {
      load: () => saved?.position,
      save: (position) => this.save(position),
      clear: () => sessionStorage.removeItem(this.key),
    };
    this.client = connect({
      url: '/ws',
      token: () => signIn(user),
      persist: store,
      onResync: (info) => {
        // Everything shown so far stays, marked: the gateway cannot replay what came after it.
        for (const runId of this.order) if (!runId.startsWith(MARK_PREFIX)) this.reset.add(runId);
        const text = `History reset: the gateway could not replay what this tab missed (${info.reason}). Earlier runs are shown as they were; new events continue from seq ${info.seq + 1}.`;
        this.addMark({ kind: 'resync', text });
        this.notice(text);
        this.announce(text);
        this.lastSeq = info.seq;
        this.render(true);
      },
    });
    this.client.on('event', ({ seq, event }) => {
      this.lastSeq = seq;
      this.queueAnnouncement(event);
      const runId = event.runId;
      if (runId === undefined) return;
      if (!this.order.includes(runId)) this.order.push(runId);
      const list = this.seqs[runId] ?? [];
      list.push(seq);
      this.seqs[runId] = list;
      this.tracker.apply(event);
      this.scheduleRender();
    });
    this.client.on('state', () => this.renderHeader());
    this.client.on('welcome', (welcome) => {
      this.connects++;
      // A reconnect that resumed: draw it where it happened, with the seqs the replay covers.
      if (welcome.resumed && this.connects > 1) {
        const from = this.lastSeq + 1;
        const text =
          welcome.seq >= from
            ? `Reconnected · resumed seq ${from}–${welcome.seq} (${welcome.seq - from + 1} missed, replayed)`
            : `Reconnected · resumed after seq ${this.lastSeq}, nothing missed`;
        this.addMark({ kind: 'reconnect', text });
        this.announce(text);
      }
      this.scheduleRender();
    });
    this.client.on('error', (error) => {
      if (error.code === 'connection_lost') return;
      this.notice(`${error.code}: ${error.message}`);
    });
    this.bind();
    this.render();
  }

  private load(): Saved | undefined {
    try {
      const saved = JSON.parse(sessionStorage.getItem(this.key) ?? 'null') as Saved | null;
      return saved ?? undefined;
    } catch {
      return undefined;
    }
  }

  private save(position: StreamPosition): void {
    const saved: Saved = {
      position,
      runs: this.tracker.all(),
      chat: this.chat,
      order: this.order,
      seqs: this.seqs,
      marks: this.marks,
      reset: [...this.reset],
    };
    try {
      sessionStorage.setItem(this.key, JSON.stringify(saved));
    } catch {
      // Storage full: a reload would start a fresh timeline, nothing worse.
    }
  }

  private bind(): void {
    byId('session').hidden = false;
    byId('sign-in').hidden = true;
    byId('chat').hidden = false;
    byId('user').textContent = USERS[this.user] ?? this.user;
    const other = Object.keys(USERS).find((u) => u !== this.user) ?? 'bob';
    const link = byId<HTMLAnchorElement>('other');
    link.href = `/?user=${other}`;
    link.textContent = `Open a tab as ${USERS[other]} ↗`;
    document.title = `${USERS[this.user] ?? this.user} — agentwire demo`;
    document.body.dataset.view = 'chat';
    byId('title').textContent = `${USERS[this.user] ?? this.user}'s agent runs`;
    byId('empty').textContent =
      `Nothing here yet: this tab receives ${USERS[this.user] ?? this.user}'s runs only. ` +
      `Ask a question below — or send one in ${USERS[other]}'s tab and watch this one stay empty. ` +
      'Mid-run, press Drop connection: the run resumes with no gap.';

    const input = byId<HTMLInputElement>('input');
    byId<HTMLFormElement>('composer').addEventListener('submit', (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      input.value = '';
      this.send(text);
    });
    for (const chip of document.querySelectorAll<HTMLButtonElement>('.chip')) {
      chip.addEventListener('click', () => this.send(chip.textContent ?? ''));
    }
    byId('drop').addEventListener('click', () => this.client.reconnect());
    byId('sign-out').addEventListener('click', () => {
      this.client.close();
      sessionStorage.clear();
      location.href = '/';
    });
    input.focus();
  }

  private send(text: string): void {
    const runId = `run_${randomId()}`;
    const entry: ChatEntry = { text, runId };
    this.chat.push(entry);
    if (!this.order.includes(runId)) this.order.push(runId);
    this.render(true);
    this.client.send({ text, runId }).catch((error: Error) => {
      entry.error = error.message;
      this.render();
    });
  }

  private notice(text: string): void {
    const el = byId('notice');
    el.textContent = text;
    el.hidden = false;
  }

  /** Adds a mark: into the card of the run in flight, or between the cards when none is. */
  private addMark(mark: Omit<Mark, 'id'>): void {
    const id = `${MARK_PREFIX}${this.marks.length + 1}`;
    const running = mark.kind === 'reconnect' ? this.runningRun() : undefined;
    if (running) {
      this.marks.push({
        ...mark,
        id,
        runId: running.runId,
        afterSteps: running.steps.length,
        afterText: running.text.length > 0,
      });
    } else {
      this.marks.push({ ...mark, id });
      this.order.push(id);
    }
  }

  private runningRun(): RunState | undefined {
    for (let i = this.order.length - 1; i >= 0; i--) {
      const run = this.tracker.get(this.order[i] as string);
      if (run?.status === 'running' && !this.reset.has(run.runId)) return run;
    }
    return undefined;
  }

  /** What a screen reader hears of an event, once, when it arrives; streamed tokens are not read. */
  private queueAnnouncement(event: AgentEvent): void {
    const data = event.data as Record<string, unknown>;
    let text: string | undefined;
    if (event.type === 'agent_started') text = 'The agent started.';
    else if (event.type === 'tool_executing') text = `Calling ${String(data.tool)}.`;
    else if (event.type === 'tool_completed') {
      text = `${String(data.tool)} ${data.error === undefined ? 'finished' : 'failed'}.`;
    } else if (event.type === 'agent_completed') {
      const answer = (data.result as { answer?: unknown } | undefined)?.answer;
      text = typeof answer === 'string' ? `Answer: ${answer}` : 'The agent finished.';
    } else if (event.type === 'agent_error') text = `The agent failed: ${String(data.message)}`;
    if (text) this.announce(text);
  }

  private announce(text: string): void {
    this.pendingAnnouncements.push(text);
    this.scheduleRender();
  }

  private scheduleRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  private renderHeader(): void {
    const state = this.client.state;
    const badge = byId('state');
    badge.dataset.state = state;
    badge.textContent = state;
    document.body.dataset.state = state;
    const { connects, duplicatesDropped } = this.client.stats;
    document.body.dataset.connects = String(connects);
    byId('stats').textContent =
      `seq ${this.client.position?.seq ?? '–'} · connects ${connects} · dups dropped ${duplicatesDropped}`;
  }

  /** Redraws the log; keeps the reader at the bottom only if they were there (or `follow`). */
  private render(follow = false): void {
    const stick = follow || atBottom();
    this.renderHeader();
    const items: HTMLElement[] = [];
    for (const id of this.order) {
      const mark = id.startsWith(MARK_PREFIX) ? this.marks.find((m) => m.id === id) : undefined;
      if (mark) {
        items.push(this.renderMark(mark));
        continue;
      }
      const entry = this.chat.find((c) => c.runId === id);
      if (entry) items.push(h('li', { class: 'msg-user' }, entry.text));
      const run = this.tracker.get(id);
      if (run) items.push(this.renderRun(run));
      else if (entry?.error)
        items.push(h('li', { class: 'run', 'data-status': 'failed' }, entry.error));
      else if (entry && this.reset.has(id))
        items.push(
          h(
            'li',
            { class: 'run pending', 'data-reset': 'true' },
            h('span', { class: 'reset-tag' }, 'history reset'),
            ' this run’s events were not replayed',
          ),
        );
      else if (entry) items.push(h('li', { class: 'run pending' }, 'Waiting for the agent…'));
    }
    byId('log').replaceChildren(...items);
    byId('empty').hidden = items.length > 0;
    if (this.pendingAnnouncements.length > 0) {
      byId('announcer').textContent = this.pendingAnnouncements.join(' ');
      this.pendingAnnouncements = [];
    }
    if (stick && items.length > 0) window.scrollTo({ top: document.documentElement.scrollHeight });
  }

  private renderMark(mark: Mark): HTMLElement {
    return h('li', { class: 'mark', 'data-kind': mark.kind }, mark.text);
  }

  private renderRun(run: RunState): HTMLElement {
    const timeline = h('ol', { class: 'timeline' });
    if (run.startedAt !== undefined) {
      timeline.append(
        h(
          'li',
          { 'data-type': 'agent_started' },
          h('span', { class: 'tag' }, 'agent_started'),
          run.agent ?? 'agent',
        ),
      );
    }
    const marks = this.marks.filter((m) => m.runId === run.runId);
    const marksAt = (steps: number) => {
      for (const mark of marks) {
        if (!mark.afterText && mark.afterSteps === steps) timeline.append(this.renderMark(mark));
      }
    };
    for (const [index, step] of run.steps.entries()) {
      marksAt(index);
      if (step.kind === 'thinking') {
        timeline.append(
          h(
            'li',
            { 'data-type': 'agent_thinking' },
            h('span', { class: 'tag' }, 'agent_thinking'),
            h('span', { class: 'thinking' }, step.text),
          ),
        );
      } else if (step.kind === 'tool') {
        const outcome =
          step.status === 'running'
            ? ' … running'
            : step.status === 'failed'
              ? ` ✗ ${brief(step.error)}`
              : ` → ${brief(step.result)}`;
        timeline.append(
          h(
            'li',
            { 'data-type': 'tool', 'data-status': step.status, 'data-tool': step.tool },
            h(
              'span',
              { class: 'tag' },
              step.status === 'running' ? 'tool_executing' : 'tool_completed',
            ),
            h('span', { class: 'tool' }, `${step.tool}(${brief(step.args ?? {})})${outcome}`),
            step.durationMs !== undefined &&
              h('span', { class: 'duration' }, formatMs(step.durationMs)),
          ),
        );
      } else {
        timeline.append(
          h(
            'li',
            { 'data-type': step.type },
            h('span', { class: 'tag' }, step.type),
            brief(step.data),
          ),
        );
      }
    }
    marksAt(run.steps.length);
    if (run.text) {
      timeline.append(
        h(
          'li',
          { 'data-type': 'agent_message' },
          h('span', { class: 'tag' }, 'agent_message'),
          h('span', { class: 'answer' }, run.text),
        ),
      );
    }
    for (const mark of marks) if (mark.afterText) timeline.append(this.renderMark(mark));
    if (run.status === 'completed') {
      timeline.append(
        h(
          'li',
          { 'data-type': 'agent_completed' },
          h('span', { class: 'tag' }, 'agent_completed'),
          run.durationMs !== undefined ? `done in ${formatMs(run.durationMs)}` : 'done',
        ),
      );
    } else if (run.status === 'failed') {
      timeline.append(
        h(
          'li',
          { 'data-type': 'agent_error' },
          h('span', { class: 'tag' }, 'agent_error'),
          run.error?.message ?? 'failed',
        ),
      );
    } else if (run.status === 'cancelled') {
      timeline.append(
        h(
          'li',
          { 'data-type': 'run_cancelled' },
          h('span', { class: 'tag' }, 'run_cancelled'),
          run.cancelReason ?? 'cancelled',
        ),
      );
    }
    const seqs = this.seqs[run.runId] ?? [];
    const reset = this.reset.has(run.runId);
    const answer = (run.result as { answer?: unknown } | undefined)?.answer;
    return h(
      'li',
      {
        class: 'run',
        'data-run-id': run.runId,
        'data-status': run.status,
        'data-seqs': seqs.join(','),
        ...(typeof answer === 'string' && { 'data-answer': answer }),
        ...(reset && { 'data-reset': 'true' }),
      },
      h(
        'div',
        { class: 'run-head' },
        h(
          'span',
          {},
          `${run.runId} · ${run.events} events · seq ${seqs[0] ?? '–'}–${seqs.at(-1) ?? '–'}`,
        ),
        reset && h('span', { class: 'reset-tag' }, 'history reset'),
        h('span', { class: 'run-status' }, run.status),
      ),
      timeline,
      reset &&
        run.status === 'running' &&
        h('p', { class: 'reset-note' }, 'The rest of this run was not replayed (history reset).'),
    );
  }
}

function start(user: string): void {
  sessionStorage.setItem(USER_KEY, user);
  new DemoPage(user);
}

const requested = new URLSearchParams(location.search).get('user');
const current = requested && USERS[requested] ? requested : sessionStorage.getItem(USER_KEY);
if (current && USERS[current]) {
  start(current);
} else {
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-user]')) {
    button.addEventListener('click', () => start(button.dataset.user ?? 'alice'));
  }
}
