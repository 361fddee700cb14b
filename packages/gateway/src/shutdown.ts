import { CloseCode } from '@agentwire/protocol';
import type { GatewayMetrics } from './metrics.js';
import type { Connection } from './ws/connection.js';

/**
 * Closes every connection with 1001 so clients resume elsewhere, waits for them to close up to
 * `timeoutMs`, then terminates whatever is left.
 */
export async function drainConnections(
  connections: Iterable<Connection>,
  metrics: GatewayMetrics,
  timeoutMs: number,
): Promise<void> {
  const open = [...connections];
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
  for (const conn of open) {
    metrics.closes.inc({ code: CloseCode.GoingAway });
    conn.close(CloseCode.GoingAway, 'server shutting down');
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    socketsClosed,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  for (const ws of sockets) ws.terminate();
}
