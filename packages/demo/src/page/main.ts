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

interface ChatEntry {
  text: string;
  runId: string;
  error?: string;
}

/** Everything the tab shows, saved with the stream position so a reload resumes exactly. */
interface Saved {
  position?: StreamPosition;
  runs: RunState[];
  chat: ChatEntry[];
  order: string[];
  seqs: Record<string, number[]>;
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
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
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
        this.tracker.clear();
        this.seqs = {};
        this.order = this.order.filter((runId) => this.chat.some((c) => c.runId === runId));
        this.notice(
          `The gateway could not replay what this tab missed (${info.reason}); the timeline was reset and continues from event ${info.seq}.`,
        );
        this.render();
      },
    });
    this.client.on('event', ({ seq, event }) => {
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
    this.client.on('welcome', () => this.renderHeader());
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
    this.render();
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

  private render(): void {
    this.renderHeader();
    const items: HTMLElement[] = [];
    for (const runId of this.order) {
      const entry = this.chat.find((c) => c.runId === runId);
      if (entry) items.push(h('li', { class: 'msg-user' }, entry.text));
      const run = this.tracker.get(runId);
      if (run) items.push(this.renderRun(run));
      else if (entry?.error)
        items.push(h('li', { class: 'run', 'data-status': 'failed' }, entry.error));
      else if (entry) items.push(h('li', { class: 'run pending' }, 'Waiting for the agent…'));
    }
    byId('log').replaceChildren(...items);
    if (items.length > 0) window.scrollTo({ top: document.body.scrollHeight });
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
    for (const step of run.steps) {
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
    const answer = (run.result as { answer?: unknown } | undefined)?.answer;
    return h(
      'li',
      {
        class: 'run',
        'data-run-id': run.runId,
        'data-status': run.status,
        'data-seqs': seqs.join(','),
        ...(typeof answer === 'string' && { 'data-answer': answer }),
      },
      h(
        'div',
        { class: 'run-head' },
        h(
          'span',
          {},
          `${run.runId} · ${run.events} events · seq ${seqs[0] ?? '–'}–${seqs.at(-1) ?? '–'}`,
        ),
        h('span', { class: 'run-status' }, run.status),
      ),
      timeline,
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
