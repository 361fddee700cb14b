import { type AgentOptions, buildPage, demoOptions } from '@agentwire/demo';
import { createGateway, type Gateway, loadConfig } from '@agentwire/gateway';
import { pino } from 'pino';

export interface DemoServer {
  gateway: Gateway;
  url: string;
  close(): Promise<void>;
}

/**
 * The demo as `npm start` runs it (demo profile, memory engine), on 127.0.0.1 port 0 — or on a
 * given port with a given JWT secret, to restart it under an open tab.
 */
export async function startDemo(
  agent: Partial<AgentOptions> = {},
  restart: { port: number; jwtSecret: string } | undefined = undefined,
): Promise<DemoServer & { port: number; jwtSecret: string }> {
  const config = loadConfig({
    argv: ['--profile', 'demo', '--port', '0'],
    env: restart ? { AGENTWIRE_JWT_SECRET: restart.jwtSecret } : {},
  });
  const assets = await buildPage();
  let gateway: Gateway | undefined;
  gateway = createGateway({
    ...config.options,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    drainTimeoutMs: 500,
    ...demoOptions(config, () => gateway as Gateway, assets, { agent, env: {} }),
  });
  const { port } = await gateway.listen(restart?.port ?? 0, '127.0.0.1');
  return {
    gateway,
    port,
    jwtSecret: config.devCredentials?.jwtSecret as string,
    url: `http://127.0.0.1:${port}`,
    close: () => (gateway as Gateway).close(),
  };
}
