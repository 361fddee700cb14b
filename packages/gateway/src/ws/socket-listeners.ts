import type { RawData, WebSocket } from 'ws';
import type { Connection } from './connection.js';

/**
 * Socket listeners shared by every connection of a gateway: each socket carries its Connection
 * (`tagSocket`) and the listener finds it on `this`, so an idle connection holds no closures of
 * its own.
 */

const CONNECTION = Symbol('agentwire.connection');
type TaggedSocket = WebSocket & { [CONNECTION]?: Connection };

export interface SocketHandlers {
  message(conn: Connection, data: RawData, isBinary: boolean): void;
  error(conn: Connection, error: Error): void;
  close(conn: Connection): void;
}

export type SocketListeners = ReturnType<typeof socketListeners>;

/** Wraps per-gateway handlers as listeners that find the Connection on the socket (`this`). */
export function socketListeners(handlers: SocketHandlers) {
  return {
    message(this: WebSocket, data: RawData, isBinary: boolean) {
      const conn = (this as TaggedSocket)[CONNECTION];
      if (conn) handlers.message(conn, data, isBinary);
    },
    pong(this: WebSocket) {
      const conn = (this as TaggedSocket)[CONNECTION];
      if (conn) conn.alive = true;
    },
    error(this: WebSocket, error: Error) {
      const conn = (this as TaggedSocket)[CONNECTION];
      if (conn) handlers.error(conn, error);
    },
    close(this: WebSocket) {
      const conn = (this as TaggedSocket)[CONNECTION];
      if (conn) handlers.close(conn);
    },
  };
}

/** Tags the connection's socket with it and adds the shared listeners. */
export function listen(conn: Connection, listeners: SocketListeners): void {
  const ws = conn.socket as TaggedSocket;
  ws[CONNECTION] = conn;
  ws.on('message', listeners.message);
  ws.on('pong', listeners.pong);
  ws.on('error', listeners.error);
  ws.on('close', listeners.close);
}
