import type { GatewayConfig } from '../config/load.js';
import { VERSION } from './help.js';

/** What a person sees first on a terminal: where the gateway is and how to stop it. */
export function startBanner(config: GatewayConfig, url: string): string {
  const engine =
    config.engine.kind === 'redis'
      ? `redis (prefix ${config.engine.prefix ?? 'agentwire'})`
      : 'memory';
  return [
    `agentwire gateway ${VERSION} listening on ${url}`,
    `  WebSocket ${url.replace(/^http/, 'ws')}/ws · publish POST ${url}/v1/publish`,
    `  health ${url}/healthz · readiness ${url}/readyz · metrics ${url}/metrics`,
    `  profile ${config.profile} · engine ${engine} · logs below (JSON lines: --log-format json)`,
    '  Ctrl-C drains the connections and stops',
    '',
  ].join('\n');
}
