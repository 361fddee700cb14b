import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, RequestAbortedError } from '../errors.js';

/** Reads a request body up to `limit` bytes; stops reading as soon as the limit is passed. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new BodyTooLargeError(`body exceeds ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLargeError(`body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    // Settling twice is harmless: whichever comes first wins.
    req.on('error', () => reject(new RequestAbortedError('request aborted')));
    req.on('close', () => {
      if (!req.complete) reject(new RequestAbortedError('request aborted'));
    });
  });
}

/** Whether the request says its body is JSON (`application/json`, any parameters). */
export function isJson(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  if (type === undefined) return false;
  const media = type.split(';', 1)[0]?.trim().toLowerCase();
  return media === 'application/json';
}
