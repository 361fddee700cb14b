/**
 * Reads a server's WebSocket frames (RFC 6455 §5.2) straight from TCP chunks, for the bench
 * client: no copy of whole chunks, no allocation per frame; a frame split across chunks is
 * joined with the next chunk. Server frames are unmasked (§5.1).
 */

/** `b0` is the frame's first byte (FIN, opcode); its payload is `buf[start, end)`. */
export type OnFrame = (b0: number, buf: Buffer, start: number, end: number) => void;

export class FrameReader {
  private rest: Buffer | undefined;

  /** Calls `onFrame` for every whole frame; false on a masked frame (a protocol error). */
  push(chunk: Buffer, onFrame: OnFrame): boolean {
    let buf = chunk;
    if (this.rest) {
      buf = Buffer.concat([this.rest, chunk]);
      this.rest = undefined;
    }
    const len = buf.length;
    let p = 0;
    while (len - p >= 2) {
      const b1 = buf[p + 1] as number;
      if (b1 & 0x80) return false;
      let n = b1;
      let h = 2;
      if (n === 126) {
        if (len - p < 4) break;
        n = ((buf[p + 2] as number) << 8) | (buf[p + 3] as number);
        h = 4;
      } else if (n === 127) {
        if (len - p < 10) break;
        n = buf.readUInt32BE(p + 2) * 2 ** 32 + buf.readUInt32BE(p + 6);
        h = 10;
      }
      if (len - p - h < n) break;
      const start = p + h;
      const b0 = buf[p] as number;
      p = start + n;
      onFrame(b0, buf, start, p);
    }
    if (p < len) this.rest = buf.subarray(p);
    return true;
  }
}
