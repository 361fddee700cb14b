import type { ServerResponse } from 'node:http';
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
