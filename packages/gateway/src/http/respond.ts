import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode, HttpErrorBody } from '@agentwire/protocol';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function errorBody(code: ErrorCode, message: string, field?: string): HttpErrorBody {
  return { error: { code, message, ...(field !== undefined && { field }) } };
}

export function sendError(
  res: ServerResponse,
  status: number,
  code: ErrorCode,
  message: string,
  field?: string,
): void {
  sendJson(res, status, errorBody(code, message, field));
}

/**
 * Answers an upgrade request that will not become a WebSocket with a plain HTTP response and a
 * JSON error body written to the raw socket (there is no ServerResponse for an upgrade).
 */
export function rejectUpgrade(
  socket: Duplex,
  status: number,
  code: ErrorCode,
  message: string,
  field?: string,
): void {
  if (!socket.writable) return void socket.destroy();
  const body = JSON.stringify(errorBody(code, message, field));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Connection: close\r\nContent-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
