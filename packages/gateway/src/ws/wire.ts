import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { framePayload } from '../codec/event-frame.js';

const OPEN = WebSocket.OPEN;

/**
 * The TCP socket under a `ws` WebSocket, to write whole frames (codec/event-frame.ts) to. ws 8
 * keeps it in `_socket` and writes its own frames to it synchronously in call order (no
 * permessage-deflate here, so its sender never queues), so frames written here stay in order with
 * pings, closes and the frames sent through `ws.send`. Undefined when a future ws keeps it
 * elsewhere: callers then fall back to `ws.send`. test/ws-internals.test.ts is the canary that
 * the pinned `ws` still works this way.
 */
export function underlyingSocket(ws: WebSocket): Socket | undefined {
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  return socket && typeof socket.write === 'function' ? socket : undefined;
}

/**
 * Writes a whole frame unless the WebSocket is no longer open: to the TCP socket when there is
 * one (`underlyingSocket`), else its payload through `ws.send`.
 */
export function writeEventFrame(ws: WebSocket, socket: Socket | undefined, frame: Buffer): void {
  if (ws.readyState !== OPEN) return;
  if (socket) socket.write(frame);
  else ws.send(framePayload(frame), { binary: false });
}
