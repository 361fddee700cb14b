import { MissingPeerError } from '../errors.js';

/** Where the command tried to listen, for the message. */
export interface ListenTarget {
  host: string;
  port: number;
}

/**
 * One line for a failure to start, naming what went wrong and how to fix it; undefined when the
 * error is not one the command can explain (it is then logged with its stack).
 */
export function describeStartError(
  error: unknown,
  { host, port }: ListenTarget,
): string | undefined {
  if (error instanceof MissingPeerError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use: stop the program listening there or choose another port (--port N or AGENTWIRE_PORT)`;
    case 'EACCES':
      return `not allowed to listen on ${where}: ports below 1024 need privileges; use a port from 1024 up behind a reverse proxy (docs/deploy.md)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: ${host} is not an address of this machine; use 127.0.0.1, 0.0.0.0 or one of its addresses (--host or AGENTWIRE_HOST)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${where}: the host name ${host} does not resolve; use an IP address (--host or AGENTWIRE_HOST)`;
    default:
      return undefined;
  }
}
