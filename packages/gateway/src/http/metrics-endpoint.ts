import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '@agentwire/protocol';
import { ApiKeys } from '../auth/api-keys.js';
import { bearerHeader } from '../auth/credentials.js';
import type { GatewayMetrics } from '../metrics.js';
import { sendError } from './respond.js';

/** Where `/metrics` is served and who may read it (`GatewayOptions.metrics`). */
export interface MetricsOptions {
  /**
   * Serve `/metrics` on this port of its own (0: a kernel-chosen one) instead of the gateway's
   * port, which then answers 404 for it — e.g. a port only the scraper's network reaches.
   */
  port?: number;
  /** Host of the metrics port; the gateway's host by default. */
  host?: string;
  /** Require `Authorization: Bearer <token>`; without it `/metrics` is open to whoever reaches it. */
  token?: string;
}

/** `GET /metrics` in Prometheus text format, behind the bearer token when one is configured. */
export class MetricsEndpoint {
  private readonly token: ApiKeys | undefined;
  private server: Server | undefined;

  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly options: MetricsOptions = {},
  ) {
    this.token = options.token !== undefined ? new ApiKeys([options.token]) : undefined;
  }

  /** Whether the gateway's own port serves `/metrics`. */
  get onMainPort(): boolean {
    return this.options.port === undefined;
  }

  async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.token) {
      const presented = bearerHeader(req);
      if (!presented || !this.token.accepts(presented)) {
        this.metrics.errors.inc({ code: ErrorCode.Unauthorized });
        res.setHeader('www-authenticate', 'Bearer');
        sendError(res, 401, ErrorCode.Unauthorized, 'metrics need Authorization: Bearer <token>');
        return;
      }
    }
    const text = await this.metrics.registry.metrics();
    res.writeHead(200, {
      'content-type': this.metrics.registry.contentType,
      'cache-control': 'no-store',
    });
    res.end(text);
  }

  /** Opens the separate metrics port, when one is configured; returns its address. */
  async listen(defaultHost: string): Promise<AddressInfo | undefined> {
    if (this.options.port === undefined) return undefined;
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://metrics').pathname;
      if (path !== '/metrics' || req.method !== 'GET') {
        sendError(res, 404, ErrorCode.NotFound, 'this port serves GET /metrics only');
        return;
      }
      this.serve(req, res).catch(() => {
        if (!res.headersSent) sendError(res, 500, ErrorCode.Internal, 'internal error');
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? defaultHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
