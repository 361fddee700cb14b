import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gateway, GatewayConfig, GatewayOptions } from '@agentwire/gateway';
import { type AgentOptions, createAgent } from './agent.js';
import type { PageAssets } from './page-bundle.js';
import { createDemoSignIn } from './sign-in.js';

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'",
};

function serve(res: ServerResponse, type: string, body: string): void {
  res.writeHead(200, {
    'content-type': `${type}; charset=utf-8`,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-cache',
    ...SECURITY_HEADERS,
  });
  res.end(body);
}

/**
 * What the demo adds to a gateway: the simulated agent as its upstream message handler, the page,
 * and — only in the demo profile, which has generated dev credentials — the demo sign-in.
 */
export function demoOptions(
  config: GatewayConfig,
  getGateway: () => Gateway,
  assets: PageAssets,
  options: { agent?: Partial<AgentOptions>; env?: NodeJS.ProcessEnv } = {},
): Pick<GatewayOptions, 'onMessage' | 'fallbackHttpHandler'> {
  const signIn = config.devCredentials
    ? createDemoSignIn(config.devCredentials.jwtSecret, options.env ?? process.env)
    : undefined;
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/': (_req, res) => serve(res, 'text/html', assets.html),
    '/index.html': (_req, res) => serve(res, 'text/html', assets.html),
    '/app.js': (_req, res) => serve(res, 'text/javascript', assets.js),
    '/style.css': (_req, res) => serve(res, 'text/css', assets.css),
    '/favicon.svg': (_req, res) => serve(res, 'image/svg+xml', assets.favicon),
    // Browsers and crawlers ask for this path whatever the page links.
    '/favicon.ico': (_req, res) => serve(res, 'image/svg+xml', assets.favicon),
  };
  if (signIn) {
    routes['/demo/sign-in'] = (req, res) => {
      signIn(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    };
  }
  return {
    onMessage: createAgent(getGateway, options.agent),
    fallbackHttpHandler: (req, res) => {
      const path = new URL(req.url ?? '/', 'http://demo').pathname;
      const route = routes[path];
      if (!route) return false;
      if (path !== '/demo/sign-in' && req.method !== 'GET' && req.method !== 'HEAD') return false;
      route(req, res);
      return true;
    },
  };
}
