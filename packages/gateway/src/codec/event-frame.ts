import { writeLatin1, writeUtf8 } from './buffer-writes.js';

/**
 * The codec of outbound `event` frames, below both the engine (which stores frames) and the
 * WebSocket layer (which writes them): the one place a frame's bytes are made.
 *
 * A frame here is a complete WebSocket text frame (RFC 6455 §5.2: FIN, opcode 1, unmasked as a
 * server sends it) whose payload is the agentwire `event` frame for one seq. It is built once per
 * event and the same bytes are written to every connection of the user: one allocation and one
 * UTF-8 encoding per event, and one buffer per socket write instead of a header and a payload.
 */

const EVENT_FRAME_HEAD = '{"type":"event","seq":';

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

/** The frame for `seq` and the event's `json`, in a buffer of its own. */
export function eventFrame(seq: number, json: string): Buffer {
  const head = eventFrameHead(seq);
  const jsonBytes = Buffer.byteLength(json);
  const frame = Buffer.allocUnsafe(eventFrameLength(head, jsonBytes));
  encodeEventFrame(frame, 0, head, json, jsonBytes);
  return frame;
}

/** An event as an engine hands it out: its frame when the engine keeps one. */
export interface FramedEvent {
  readonly seq: number;
  readonly json: string;
  readonly frame?: Buffer;
}

/** The event's frame: the engine's when it keeps one (memory engine), else built here. */
export function frameOf(event: FramedEvent): Buffer {
  return event.frame ?? eventFrame(event.seq, event.json);
}

/** The event's JSON inside a frame made for `seq` by `eventFrame` or `encodeEventFrame`. */
export function eventFrameJson(frame: Buffer, seq: number): string {
  const payload = framePayload(frame);
  return payload.toString('utf8', eventFrameHead(seq).length, payload.length - 1);
}

/** The payload of a frame made here (its JSON text). */
export function framePayload(frame: Buffer): Buffer {
  const length7 = (frame[1] as number) & 0x7f;
  return frame.subarray(length7 < 126 ? 2 : length7 === 126 ? 4 : 10);
}

/** A whole WebSocket text frame (as `eventFrame` makes) for any JSON text. */
export function textFrame(text: string): Buffer {
  const bytes = Buffer.byteLength(text);
  const header = bytes < 126 ? 2 : bytes < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + bytes);
  frame[0] = 0x81;
  if (bytes < 126) {
    frame[1] = bytes;
  } else if (bytes < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(bytes, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(bytes, 6);
  }
  writeUtf8(frame, text, header);
  return frame;
}
