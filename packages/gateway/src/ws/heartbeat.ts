import type { Logger } from 'pino';
import type { Connection } from './connection.js';

/** Connections pinged per turn of the event loop. */
const HEARTBEAT_SLICE = 256;

/** Protocol-level heartbeat: a peer that did not answer the previous ping is terminated. */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly connections: () => Iterable<Connection>,
    private readonly log: Logger,
  ) {}

  start(everyMs: number): void {
    this.stopped = false;
    this.timer = setInterval(() => this.beat(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private beat(): void {
    // In slices, yielding to I/O between them: pinging thousands of sockets in one go would hold
    // every delivery back for tens of milliseconds.
    const connections = [...this.connections()];
    let next = 0;
    const slice = () => {
      const end = Math.min(next + HEARTBEAT_SLICE, connections.length);
      for (; next < end; next++) {
        const conn = connections[next] as Connection;
        if (conn.closed) continue;
        if (!conn.alive) {
          this.log.info({ connectionId: conn.id }, 'dead peer terminated');
          conn.closed = true;
          conn.socket.terminate();
          continue;
        }
        conn.alive = false;
        conn.socket.ping();
      }
      if (next < connections.length && !this.stopped) setImmediate(slice);
    };
    slice();
  }
}
