import { CloseCode } from '@agentwire/protocol';
import type { GatewayMetrics } from './metrics.js';
import type { Connection } from './ws/connection.js';

export interface DrainOptions {
  /** Connections are closed over this window, in batches, so they do not reconnect as a herd. */
  windowMs: number;
  /** Time between batches; each batch starts at a random point of its interval (jitter). */
  batchIntervalMs: number;
  /** After the last batch: how long to wait for closing handshakes before terminating. */
  timeoutMs: number;
}

export const DEFAULT_DRAIN = { windowMs: 5000, batchIntervalMs: 250 } as const;

/**
 * Closes every connection with 1012 (service restart: resume elsewhere now), in shuffled batches
 * spread over `windowMs` (like Phoenix's drainer), waits for the closing handshakes up to
 * `timeoutMs`, then terminates whatever is left.
 */
export async function drainConnections(
  connections: Iterable<Connection>,
  metrics: GatewayMetrics,
  options: DrainOptions,
): Promise<void> {
  const open = shuffled([...connections]);
  const sockets = open.map((conn) => conn.socket);
  const socketsClosed = Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === ws.CLOSED) resolve();
          else ws.once('close', () => resolve());
        }),
    ),
  );
  const close = (conn: Connection) => {
    if (conn.close(CloseCode.ServiceRestart, 'server restarting: resume elsewhere'))
      metrics.closes.inc({ code: CloseCode.ServiceRestart });
  };
  const interval = Math.max(1, options.batchIntervalMs);
  const batches = Math.max(1, Math.min(open.length, Math.floor(options.windowMs / interval)));
  await Promise.all(
    Array.from({ length: batches }, (_, k) => {
      const from = Math.floor((k * open.length) / batches);
      const to = Math.floor(((k + 1) * open.length) / batches);
      const delay = batches === 1 ? 0 : k * interval + Math.random() * (interval / 2);
      return new Promise<void>((resolve) => {
        setTimeout(() => {
          for (let i = from; i < to; i++) close(open[i] as Connection);
          resolve();
        }, delay);
      });
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    socketsClosed,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  for (const ws of sockets) ws.terminate();
}

/** Fisher–Yates: which connections go first is left to chance, not to connection order. */
function shuffled<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
