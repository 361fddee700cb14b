import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TEST_API_KEY, TEST_SECRET } from './credentials.js';

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  port: number;
  /** http://127.0.0.1:port */
  url: string;
  /** ws://127.0.0.1:port/ws */
  wsUrl: string;
  /** Everything the process wrote to stdout (its JSON log lines). */
  readonly output: () => string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Sends `signal` to this process (by its PID). */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL unless it exited already; resolves once it has. */
  kill(): Promise<void>;
}

const cli = join(
  dirname(createRequire(import.meta.url).resolve('@agentwire/gateway/package.json')),
  'dist',
  'cli.js',
);

/**
 * A real gateway process from the CLI on 127.0.0.1 with a kernel-chosen port, configured by
 * `env` (AGENTWIRE_*) on top of the test JWT secret and API key. Resolves once it listens.
 */
export async function startGatewayProcess(
  env: Record<string, string> = {},
  args: readonly string[] = [],
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [cli, '--port', '0', ...args], {
    env: {
      ...process.env,
      AGENTWIRE_JWT_SECRET: TEST_SECRET,
      AGENTWIRE_API_KEYS: TEST_API_KEY,
      AGENTWIRE_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not listen: ${out}`)), 15_000);
    const onData = () => {
      const m = /"msg":"listening"/.test(out) && /"port":(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`gateway exited before listening: ${out}`));
    });
  });
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined)
      process.kill(child.pid, name);
  };
  return {
    child,
    pid: child.pid as number,
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    output: () => out,
    exited,
    signal,
    async kill() {
      signal('SIGKILL');
      await exited;
    },
  };
}
