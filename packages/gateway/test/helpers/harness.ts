import {
  BEARER_PROTOCOL_PREFIX,
  type EventFrame,
  expandDeltas,
  type SequencedEvent,
  type ServerFrame,
  SUBPROTOCOL,
  UpgradeQuery,
  type WelcomeFrame,
  writeResumeQuery,
} from '@agentwire/protocol';
import { mintToken, TEST_API_KEY, type TestGateway } from '@agentwire/testkit';
import WebSocket from 'ws';

/** A plain `ws` client that records every frame it receives. */
export class TestClient {
  readonly frames: ServerFrame[] = [];
  closeCode: number | undefined;
  closeReason = '';
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as ServerFrame);
      this.notify();
    });
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () =>
          reject(
            Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body }),
          ),
        );
      });
      ws.once('error', reject);
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        this.notify();
        resolve(code);
      });
    });
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when `predicate` holds over the frames received so far; fails after `ms`. */
  async until(
    predicate: (frames: ServerFrame[]) => boolean,
    ms = 5000,
    what = 'condition',
  ): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate(this.frames)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${what}; frames: ${JSON.stringify(this.frames.slice(-5))}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  welcome(): WelcomeFrame {
    const first = this.frames[0];
    if (first?.type !== 'welcome')
      throw new Error(`first frame is not welcome: ${JSON.stringify(first)}`);
    return first;
  }

  events(): EventFrame[] {
    return this.frames.filter((f): f is EventFrame => f.type === 'event');
  }

  /** Every event received, `event` frames and the events of `deltas` frames, in arrival order. */
  delivered(): SequencedEvent[] {
    return this.frames.flatMap((f) =>
      f.type === 'event'
        ? [{ seq: f.seq, event: f.event }]
        : f.type === 'deltas'
          ? expandDeltas(f)
          : [],
    );
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  close(): Promise<number> {
    this.ws.close();
    return this.closed;
  }
}

export interface ConnectOptions {
  token?: string;
  ticket?: string;
  resume?: { epoch: string; after: number };
  origin?: string;
  protocols?: string[];
  autoPong?: boolean;
}

export function openClient(wsUrl: string, opts: ConnectOptions): TestClient {
  const url = new URL(wsUrl);
  if (opts.ticket) url.searchParams.set(UpgradeQuery.ticket, opts.ticket);
  if (opts.resume) {
    writeResumeQuery(url.searchParams, { epoch: opts.resume.epoch, seq: opts.resume.after });
  }
  const protocols = opts.protocols ?? [
    SUBPROTOCOL,
    ...(opts.token ? [`${BEARER_PROTOCOL_PREFIX}${opts.token}`] : []),
  ];
  const ws = new WebSocket(url, protocols, {
    ...(opts.origin !== undefined && { origin: opts.origin }),
    autoPong: opts.autoPong ?? true,
  });
  return new TestClient(ws);
}

/** Connects as `userId` and waits for the welcome frame. */
export async function connectUser(
  gw: TestGateway,
  userId: string,
  opts: Omit<ConnectOptions, 'token'> = {},
): Promise<TestClient> {
  const client = openClient(gw.wsUrl, { ...opts, token: await mintToken(userId) });
  await client.opened;
  await client.until((f) => f.length > 0, 5000, 'welcome');
  return client;
}

export async function publishHttp(gw: TestGateway, body: unknown, key = TEST_API_KEY) {
  const res = await fetch(`${gw.url}/v1/publish`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export function thinking(text: string, runId = 'run_1') {
  return { type: 'agent_thinking' as const, runId, data: { text } };
}
