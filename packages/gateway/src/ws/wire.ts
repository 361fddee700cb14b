import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

const OPEN = WebSocket.OPEN;
const EVENT_FRAME_HEAD = '{"type":"event","seq":';

/**
 * Node's Buffer has had `latin1Write`/`utf8Write(string, offset, length)` on its prototype for
 * years (what `buf.write(string, offset, encoding)` calls after sorting out its arguments); they
 * are not in the typings. Calling them directly skips `write`'s argument handling, which showed
 * up in profiles of the publish path. Falls back to `write` if a Node version lacks them.
 */
interface RawWrites {
  latin1Write(text: string, offset: number, length: number): number;
  utf8Write(text: string, offset: number, length: number): number;
}
const raw = Buffer.prototype as unknown as Partial<RawWrites>;
export const writeLatin1: (target: Buffer, text: string, at: number) => number =
  typeof raw.latin1Write === 'function'
    ? (target, text, at) =>
        (target as unknown as RawWrites).latin1Write(text, at, target.length - at)
    : (target, text, at) => target.write(text, at, 'latin1');
const writeUtf8: (target: Buffer, text: string, at: number) => number =
  typeof raw.utf8Write === 'function'
    ? (target, text, at) => (target as unknown as RawWrites).utf8Write(text, at, target.length - at)
    : (target, text, at) => target.write(text, at, 'utf8');

/** The text of an `event` frame before the event's JSON: `{"type":"event","seq":N,"event":`. */
export function eventFrameHead(seq: number): string {
  return `${EVENT_FRAME_HEAD}${seq},"event":`;
}

/** Bytes of the frame `encodeEventFrame` writes for a head and an event of `jsonBytes` bytes. */
export function eventFrameLength(head: string, jsonBytes: number): number {
  const payloadLength = head.length + jsonBytes + 1;
  return (payloadLength < 126 ? 2 : payloadLength < 65536 ? 4 : 10) + payloadLength;
}

/**
 * Writes the frame for `head` (from `eventFrameHead`) and `json` into `target` at `at`, where
 * `eventFrameLength(head, jsonBytes)` bytes must be free; returns where the frame ends.
 */
export function encodeEventFrame(
  target: Buffer,
  at: number,
  head: string,
  json: string,
  jsonBytes: number,
): number {
  const payloadLength = head.length + jsonBytes + 1;
  target[at] = 0x81;
  if (payloadLength < 126) {
    target[at + 1] = payloadLength;
    at += 2;
  } else if (payloadLength < 65536) {
    target[at + 1] = 126;
    target.writeUInt16BE(payloadLength, at + 2);
    at += 4;
  } else {
    target[at + 1] = 127;
    target.writeUInt32BE(0, at + 2);
    target.writeUInt32BE(payloadLength, at + 6);
    at += 10;
  }
  at += writeLatin1(target, head, at);
  at += writeUtf8(target, json, at);
  target[at] = 0x7d; // the closing brace of the event frame
  return at + 1;
}

/**
 * A complete WebSocket text frame (RFC 6455 §5.2: FIN, opcode 1, unmasked as a server sends it)
 * whose payload is the `event` frame for `seq`. It is built once per event and the same bytes are
 * written to every connection of the user: one allocation and one UTF-8 encoding per event, and
 * one buffer per socket write instead of a header and a payload. The memory engine writes the
 * same bytes into its history (`encodeEventFrame`), and replay sends them as they are.
 */
export function eventFrame(seq: number, json: string): Buffer {
  const head = eventFrameHead(seq);
  const jsonBytes = Buffer.byteLength(json);
  const frame = Buffer.allocUnsafe(eventFrameLength(head, jsonBytes));
  encodeEventFrame(frame, 0, head, json, jsonBytes);
  return frame;
}

/** The event's JSON inside a frame made for `seq` by `eventFrame` or `encodeEventFrame`. */
export function eventFrameJson(frame: Buffer, seq: number): string {
  const payload = framePayload(frame);
  return payload.toString('utf8', eventFrameHead(seq).length, payload.length - 1);
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
