import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebian } from './debian.js';

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface TestRedis {
  url: string;
  port: number;
  /** The running server's PID. */
  readonly pid: number;
  /** SIGSTOP: the server keeps its connections but answers nothing (a stalled Redis). */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
  /** SIGKILL: the server is gone; its data too (no persistence). */
  kill(): Promise<void>;
  /** Starts the server again, empty, on the same port (after `kill`, or kills it first). */
  restart(): Promise<void>;
  /** Ends the server this call started (by its PID) and removes its directory. */
  stop(): Promise<void>;
}

/** A free loopback port: the kernel picks one for a throwaway listener. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

/**
 * Starts a private redis-server on 127.0.0.1 (no persistence, its own directory), installing
 * Debian's redis-server first when it is missing and we are root. Every signal goes to the PID
 * this call started, never to a process found by name.
 */
export async function startRedis(): Promise<TestRedis> {
  const missing = ensureDebian(REDIS_SERVER, ['redis-server']);
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'agentwire-redis-'));
  const port = await freePort();
  let server = await spawnRedis(port, dir);
  const signal = (name: NodeJS.Signals) => {
    if (server.child.exitCode === null && server.child.pid !== undefined)
      process.kill(server.child.pid, name);
  };
  const kill = async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      signal('SIGKILL');
      await server.exited;
    }
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return server.child.pid as number;
    },
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    kill,
    async restart() {
      await kill();
      server = await spawnRedis(port, dir);
    },
    async stop() {
      if (server.child.exitCode === null && server.child.signalCode === null) {
        signal('SIGCONT');
        signal('SIGTERM');
        await server.exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function spawnRedis(
  port: number,
  dir: string,
): Promise<{ child: ChildProcess; exited: Promise<void> }> {
  const child: ChildProcess = spawn(
    REDIS_SERVER,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on 127.0.0.1:${port}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, exited };
}
