import { type AgentOptions, buildPage, demoOptions } from '@agentwire/demo';
import { createGateway, type Gateway, loadConfig } from '@agentwire/gateway';
import { pino } from 'pino';

export interface DemoServer {
  gateway: Gateway;
  url: string;
  close(): Promise<void>;
}

/**
 * The demo as `npm start` runs it (demo profile, memory engine, generated credentials), on
 * 127.0.0.1 port 0 — or on a given port, to restart it under an open tab.
 */
export async function startDemo(
  agent: Partial<AgentOptions> = {},
  restart: { port: number } | undefined = undefined,
): Promise<DemoServer & { port: number }> {
  const config = loadConfig({ argv: ['--profile', 'demo', '--port', '0'], env: {} });
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
    url: `http://127.0.0.1:${port}`,
    close: () => (gateway as Gateway).close(),
  };
}
