import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import {
  type AgentEvent,
  AgUiEncoder,
  type AgUiEvent,
  AgUiEventType,
  expandDeltas,
  isTerminalEventType,
  type ServerFrame,
} from '@agentwire/protocol';
import type { ReadResult } from '../engine/engine.js';

/** What `GET /v1/stream` sends: agentwire's own frames, or AG-UI events. */
export type StreamFormat = 'agentwire' | 'ag-ui';
export const STREAM_FORMATS: readonly StreamFormat[] = ['agentwire', 'ag-ui'];

export interface SseSocketOptions {
  format: StreamFormat;
  /** Only this run's events (AG-UI agent endpoint, `?runId=`). */
  runId?: string;
  /** End the response once the run (`runId`) ended: the AG-UI agent endpoint's stream. */
  endWithRun?: boolean;
  /** The user's history, for the AG-UI join prelude (what is still open at the start position). */
  readHistory: () => Promise<ReadResult>;
  /** Sent as `retry:` — how long EventSource waits before it reconnects. */
  retryMs: number;
  /** The seq the client resumes after (Last-Event-ID), when it asked to resume. */
  resumeAfter?: number;
  /**
   * AG-UI: send the opening events of what is open at the start (the join prelude). Off for an
   * EventSource reconnect (Last-Event-ID): that client continues the stream it already has.
   */
  prelude: boolean;
}

const OPEN = 1;
const CLOSED = 3;

/**
 * A Server-Sent Events response that stands in for a WebSocket in the connection manager: the
 * manager admits, replays, resumes and fans out to it exactly as to a socket (one path for
 * every connection, with the same limits), and this turns the frames it is given into SSE
 * messages — `id: <epoch>:<seq>` on each, so EventSource's `Last-Event-ID` resumes where it was.
 * Only what the manager and the gateway use of `ws.WebSocket` is here.
 */
export class SseSocket extends EventEmitter {
  readonly OPEN = OPEN;
  readonly CLOSED = CLOSED;
  readyState = OPEN;
  private epoch = '';
  private encoder: AgUiEncoder | undefined;
  /** Frames that arrived while the AG-UI prelude was being read; sent after it. */
  private waiting: (string | Buffer)[] | undefined;
  /** The run (`runId`) ended and, with `endWithRun`, so did the response. */
  runEnded = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly options: SseSocketOptions,
  ) {
    super();
    res.on('close', () => this.closed());
    res.on('error', (error) => this.emit('error', error));
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx and similar proxies: do not buffer the stream
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${options.retryMs}\n\n`);
  }

  /** Bytes queued and not yet taken by the kernel (the slow-consumer limit applies as to /ws). */
  get bufferedAmount(): number {
    return this.res.writableLength + (this.res.socket?.writableLength ?? 0);
  }

  /** A frame from the manager (JSON text, or the payload of an `event` frame). */
  send(data: string | Buffer): void {
    if (this.readyState !== OPEN) return;
    if (this.waiting) {
      this.waiting.push(data);
      return;
    }
    const frame = JSON.parse(data.toString()) as ServerFrame;
    switch (frame.type) {
      case 'welcome':
      case 'resync': {
        this.epoch = frame.epoch;
        if (this.options.format === 'agentwire') {
          this.write(JSON.stringify(frame), `${frame.epoch}:${frame.seq}`);
          return;
        }
        // The position this client starts from: after the replayed events on a resume, the head
        // otherwise. AG-UI clients first get the opening events of what is open there.
        const resumed = frame.type === 'welcome' && frame.resumed;
        this.startAgUi(frame, resumed);
        return;
      }
      case 'event':
        this.sendEvent(frame.seq, frame.event);
        return;
      case 'deltas':
        // Coalesced tokens: one message in agentwire format, each event mapped in AG-UI format.
        if (this.options.format === 'agentwire') {
          const last = frame.from + frame.deltas.length - 1;
          if (this.options.runId === undefined || frame.runId === this.options.runId) {
            this.write(JSON.stringify(frame), `${this.epoch}:${last}`);
          } else {
            this.writeId(`${this.epoch}:${last}`);
          }
        } else {
          for (const { seq, event } of expandDeltas(frame)) this.sendEvent(seq, event);
        }
        return;
      default:
        // pong, ack, error: answers to upstream frames, which SSE has none of.
        return;
    }
  }

  private sendEvent(seq: number, event: AgentEvent): void {
    const id = `${this.epoch}:${seq}`;
    const filter = this.options.runId;
    if (filter !== undefined && event.runId !== filter) {
      this.writeId(id);
      return;
    }
    if (this.options.format === 'agentwire') {
      this.write(JSON.stringify({ type: 'event', seq, event }), id);
    } else {
      this.writeAgUi((this.encoder as AgUiEncoder).encode(event), id);
    }
    if (this.options.endWithRun && isTerminalEventType(event.type)) {
      this.runEnded = true;
      this.end();
    }
  }

  /**
   * Folds the user's history up to the client's position into a fresh encoder, sends the prelude
   * of what is still open there, then the frames that came meanwhile. The position is where the
   * manager's frames for this client begin: `after` of an honoured resume, else the seq of the
   * welcome or resync. Events after it come from the manager (replay, then live) exactly once.
   */
  private startAgUi(frame: ServerFrame & { type: 'welcome' | 'resync' }, resumed: boolean): void {
    const waiting: (string | Buffer)[] = [];
    this.waiting = waiting;
    const encoder = new AgUiEncoder();
    this.encoder = encoder;
    const position = resumed ? (this.options.resumeAfter ?? frame.seq) : frame.seq;
    this.options
      .readHistory()
      .then((read) => {
        for (const stored of read.events) {
          if (stored.seq <= position) {
            const event = JSON.parse(stored.json) as AgentEvent;
            if (this.options.runId === undefined || event.runId === this.options.runId) {
              encoder.encode(event);
            }
          }
          stored.release?.();
        }
        if (this.readyState !== OPEN) return;
        const id = `${frame.epoch}:${position}`;
        // A resync starts the client's view afresh, so it always gets the prelude.
        const prelude = this.options.prelude || frame.type === 'resync' ? encoder.prelude() : [];
        if (frame.type === 'resync') {
          prelude.unshift({
            type: AgUiEventType.Custom,
            name: 'agentwire.resync',
            value: { epoch: frame.epoch, seq: frame.seq, reason: frame.reason },
          });
        }
        this.writeAgUi(prelude, id);
      })
      .catch((error: unknown) => this.emit('error', error))
      .finally(() => {
        this.waiting = undefined;
        for (const data of waiting) this.send(data);
      });
  }

  private writeAgUi(events: AgUiEvent[], id: string): void {
    if (events.length === 0) {
      this.writeId(id);
      return;
    }
    let text = '';
    for (let i = 0; i < events.length; i++) {
      // The id goes on the last event of the group only: a client cut off inside the group
      // resumes before it, not after.
      text += sseMessage(JSON.stringify(events[i]), i === events.length - 1 ? id : undefined);
    }
    this.res.write(text);
  }

  private write(data: string, id: string): void {
    this.res.write(sseMessage(data, id));
  }

  /** Moves the client's Last-Event-ID without dispatching anything (an event it does not see). */
  private writeId(id: string): void {
    this.res.write(`id: ${id}\n\n`);
  }

  /** Heartbeat: a comment line. Answered at once, as a pong, while the response is writable. */
  ping(): void {
    if (this.readyState !== OPEN) return;
    this.res.write(': heartbeat\n\n');
    if (!this.res.destroyed) this.emit('pong');
  }

  /** Ends the stream; `event: close` tells an EventSource client why (it may reconnect). */
  close(code?: number, reason?: string): void {
    if (this.readyState !== OPEN) return;
    if (code !== undefined && !this.runEnded) {
      this.res.write(`event: close\ndata: ${JSON.stringify({ code, reason })}\n\n`);
    }
    this.end();
  }

  terminate(): void {
    this.res.destroy();
    this.closed();
  }

  private end(): void {
    this.readyState = 2;
    this.res.end();
  }

  private closed(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.emit('close', 1000, Buffer.alloc(0));
  }
}

/** One SSE message: `id:` (optional) and the data (JSON has no raw newlines). */
function sseMessage(data: string, id: string | undefined): string {
  return id === undefined ? `data: ${data}\n\n` : `id: ${id}\ndata: ${data}\n\n`;
}

/** `Last-Event-ID: <epoch>:<seq>` → a position; undefined when malformed. */
export function parseEventId(value: string): { epoch: string; seq: number } | undefined {
  const match = /^([A-Za-z0-9_-]{1,64}):(\d{1,15})$/.exec(value.trim());
  if (!match) return undefined;
  return { epoch: match[1] as string, seq: Number(match[2]) };
}
