import { pino } from 'pino';
import { type GatewayConfig, loadConfig } from './config/load.js';
import type { Engine } from './engine/engine.js';
import { RedisEngine } from './engine/redis.js';
import { ConfigError } from './errors.js';
import { createGateway, type Gateway } from './gateway.js';
import { DEFAULT_HISTORY, type GatewayOptions } from './options.js';

/** Prints the demo profile's generated credentials for a developer; never done in production. */
export function printDevCredentials(config: GatewayConfig, url: string): void {
  if (!config.devCredentials) return;
  process.stdout.write(
    [
      '',
      `agentwire demo profile — dev credentials (generated at start, not for production):`,
      `  gateway:             ${url}`,
      `  AGENTWIRE_JWT_SECRET=${config.devCredentials.jwtSecret}`,
      `  AGENTWIRE_API_KEYS=${config.devCredentials.apiKey}`,
      `  publish: curl -H 'authorization: Bearer ${config.devCredentials.apiKey}' -H 'content-type: application/json' \\`,
      `    -d '{"userId":"alice","event":{"type":"agent_started","runId":"r1","data":{"agent":"demo"}}}' ${url}/v1/publish`,
      '',
    ].join('\n'),
  );
}

/**
 * Starts a gateway from argv/env configuration and drains it on SIGTERM/SIGINT. Returns the
 * running gateway; `extra` lets a program (the demo) add its handlers.
 */
export async function runFromConfig(
  argv: readonly string[],
  extra: (config: GatewayConfig) => Partial<GatewayOptions> = () => ({}),
): Promise<{ gateway: Gateway; config: GatewayConfig; url: string }> {
  let config: GatewayConfig;
  try {
    config = loadConfig({ argv, env: process.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`agentwire: ${error.message}\n`);
      process.exit(error.exitCode);
    }
    throw error;
  }
  const logger = pino({ name: 'agentwire', level: config.logLevel });
  // The memory engine is created and owned by the gateway; a Redis engine is ours to close.
  let engine: Engine | undefined;
  if (config.engine.kind === 'redis') {
    engine = new RedisEngine({
      url: config.engine.url,
      history: { ...DEFAULT_HISTORY, ...config.options.history },
      // Redis's own bound sits inside the gateway's, so a slow command fails there first.
      ...(config.options.engineTimeoutMs !== undefined && {
        timeoutMs: Math.max(25, Math.floor(config.options.engineTimeoutMs * 0.75)),
      }),
      ...(config.engine.prefix !== undefined && { prefix: config.engine.prefix }),
    });
  }
  const gateway = createGateway({
    ...config.options,
    ...(engine !== undefined && { engine }),
    logger,
    ...extra(config),
  });
  const address = await gateway.listen(config.port, config.host);
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  const url = `http://${host === '127.0.0.1' ? 'localhost' : host}:${address.port}`;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    gateway
      .close()
      .then(() => engine?.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'drain failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return { gateway, config, url };
}
