import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

const OPEN = WebSocket.OPEN;
const EVENT_FRAME_HEAD = '{"type":"event","seq":';

/**
 * A complete WebSocket text frame (RFC 6455 §5.2: FIN, opcode 1, unmasked as a server sends it)
 * whose payload is the `event` frame for `seq`. It is built once per event and the same bytes are
 * written to every connection of the user: one allocation and one UTF-8 encoding per event, and
 * one buffer per socket write instead of a header and a payload.
 */
export function eventFrame(seq: number, json: string): Buffer {
  const head = `${EVENT_FRAME_HEAD}${seq},"event":`;
  const payloadLength = head.length + Buffer.byteLength(json) + 1;
  const headerLength = payloadLength < 126 ? 2 : payloadLength < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + payloadLength);
  frame[0] = 0x81;
  if (headerLength === 2) frame[1] = payloadLength;
  else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(payloadLength, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(payloadLength, 6);
  }
  let at = headerLength + frame.write(head, headerLength, 'latin1');
  at += frame.write(json, at, 'utf8');
  frame[at] = 0x7d; // the closing brace of the event frame
  return frame;
}

/** The payload of a frame made by `eventFrame` (its JSON text). */
export function framePayload(frame: Buffer): Buffer {
  const length7 = (frame[1] as number) & 0x7f;
  return frame.subarray(length7 < 126 ? 2 : length7 === 126 ? 4 : 10);
}

/**
 * The TCP socket under a `ws` WebSocket, to write whole frames to. ws 8 keeps it in `_socket`
 * and writes its own frames to it synchronously in call order (no permessage-deflate here, so
 * its sender never queues), so frames written here stay in order with pings, closes and the
 * frames sent through `ws.send`. Undefined when a future ws keeps it elsewhere: callers then
 * fall back to `ws.send`.
 */
export function underlyingSocket(ws: WebSocket): Socket | undefined {
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  return socket && typeof socket.write === 'function' ? socket : undefined;
}

/** Writes a frame made by `eventFrame` unless the WebSocket is no longer open. */
export function writeEventFrame(ws: WebSocket, socket: Socket | undefined, frame: Buffer): void {
  if (ws.readyState !== OPEN) return;
  if (socket) socket.write(frame);
  else ws.send(framePayload(frame), { binary: false });
}
