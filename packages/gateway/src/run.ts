import type { AddressInfo } from 'node:net';
import { startBanner } from './cli/banner.js';
import { ExitCode } from './cli/exit-codes.js';
import { infoRequested } from './cli/help.js';
import { createCliLogger } from './cli/log-format.js';
import { describeStartError } from './cli/start-errors.js';
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
      `  export AGENTWIRE_JWT_SECRET=${config.devCredentials.jwtSecret}`,
      `  export AGENTWIRE_API_KEYS=${config.devCredentials.apiKey}`,
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
  const info = infoRequested(argv);
  if (info !== undefined) {
    process.stdout.write(`${info}\n`);
    process.exit(ExitCode.Ok);
  }
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
  const human = (config.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty';
  const logger = createCliLogger(config.logLevel, human ? 'pretty' : 'json');
  // The memory engine is created and owned by the gateway; a Redis engine is ours to close.
  let engine: Engine | undefined;
  let gateway: Gateway;
  let address: AddressInfo;
  try {
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
    gateway = createGateway({
      ...config.options,
      ...(engine !== undefined && { engine }),
      logger,
      ...extra(config),
    });
    address = await gateway.listen(config.port, config.host);
  } catch (error) {
    const line = describeStartError(error, config);
    if (line === undefined) throw error;
    process.stderr.write(`agentwire: ${line}\n`);
    await engine?.close().catch(() => {});
    process.exit(ExitCode.StartFailed);
  }
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  const url = `http://${host === '127.0.0.1' ? 'localhost' : host}:${address.port}`;
  if (human) process.stdout.write(startBanner(config, url));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    gateway
      .close()
      .then(() => engine?.close())
      .then(
        () => process.exit(ExitCode.Ok),
        (error: unknown) => {
          logger.error({ err: error }, 'drain failed');
          process.exit(ExitCode.Failure);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return { gateway, config, url };
}
