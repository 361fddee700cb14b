import { AgentwireError, ClientErrorCode } from './errors.js';

interface Request {
  id: string;
  text: string;
  resolve: (value: unknown) => void;
  reject: (error: AgentwireError) => void;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * Upstream requests (`message` and `refresh` frames) waiting for their `ack` or `error`: a bounded
 * queue of messages written while offline, and the in-flight ones with a timeout each.
 */
export class RequestQueue {
  private queued: Request[] = [];
  private readonly inflight = new Map<string, Request>();

  constructor(
    private readonly maxQueued: number,
    private readonly timeoutMs: number,
  ) {}

  get queuedCount(): number {
    return this.queued.length;
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  /** Sends now when `send` is given (the socket is open), otherwise queues while there is room. */
  add(id: string, text: string, send: ((text: string) => void) | undefined): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const request: Request = { id, text, resolve, reject };
      if (send) {
        this.transmit(request, send);
      } else if (this.queued.length >= this.maxQueued) {
        reject(
          new AgentwireError(
            ClientErrorCode.QueueFull,
            `offline queue is full (${this.maxQueued} messages); try again once connected`,
          ),
        );
      } else {
        this.queued.push(request);
      }
    });
  }

  /** Writes every queued request, oldest first; called once the connection is open. */
  flush(send: (text: string) => void): void {
    const queued = this.queued;
    this.queued = [];
    for (const request of queued) this.transmit(request, send);
  }

  /** Settles the request answered by an `ack` (ok) or an `error` frame; false when unknown. */
  settle(id: string, outcome: { ok: true; value: unknown } | { ok: false; error: AgentwireError }) {
    const request = this.inflight.get(id);
    if (!request) return false;
    this.inflight.delete(id);
    clearTimeout(request.timer);
    if (outcome.ok) request.resolve(outcome.value);
    else request.reject(outcome.error);
    return true;
  }

  /** The socket closed: in-flight requests may or may not have been handled, so they fail. */
  failInflight(error: AgentwireError): void {
    for (const request of this.inflight.values()) {
      clearTimeout(request.timer);
      request.reject(error);
    }
    this.inflight.clear();
  }

  failAll(error: AgentwireError): void {
    this.failInflight(error);
    for (const request of this.queued) request.reject(error);
    this.queued = [];
  }

  private transmit(request: Request, send: (text: string) => void): void {
    this.inflight.set(request.id, request);
    request.timer = setTimeout(() => {
      this.settle(request.id, {
        ok: false,
        error: new AgentwireError(
          ClientErrorCode.Timeout,
          `no answer to ${request.id} within ${this.timeoutMs} ms`,
        ),
      });
    }, this.timeoutMs);
    send(request.text);
  }
}
