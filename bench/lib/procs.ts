/** Child processes of the benchmark: pinned to a core with taskset when there is one, ended by PID. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { openSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export const canPin =
  availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

export interface Proc {
  child: ChildProcess;
  pid: number;
  /** The next message of `type`; rejects after `timeoutMs` or when the process exits. */
  next<T>(type: string, timeoutMs: number): Promise<T>;
  request<T>(msg: object, type: string, timeoutMs: number): Promise<T>;
  onMessage(type: string, fn: (msg: never) => void): void;
  send(msg: object): void;
  end(): Promise<void>;
}

interface Waiter {
  resolve: (msg: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export function spawnNode(
  script: string,
  args: string[],
  opts: { core?: number; logFile?: string; execArgv?: string[] },
): Proc {
  const nodeArgs = [...(opts.execArgv ?? []), '--import', 'tsx', script, ...args];
  const [cmd, argv] =
    canPin && opts.core !== undefined
      ? ['taskset', ['-c', String(opts.core), process.execPath, ...nodeArgs]]
      : [process.execPath, nodeArgs];
  const out = opts.logFile ? openSync(opts.logFile, 'a') : 'ignore';
  const child = spawn(cmd as string, argv as string[], {
    stdio: ['ignore', out, 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const waiters = new Map<string, Waiter[]>();
  const listeners = new Map<string, (msg: never) => void>();
  let exited: Error | undefined;
  child.on('message', (msg: { type: string }) => {
    const listener = listeners.get(msg.type);
    if (listener) return listener(msg as never);
    const waiter = waiters.get(msg.type)?.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(msg);
    }
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`${script} exited (code ${code}, signal ${signal})`);
    for (const list of waiters.values()) {
      for (const w of list) {
        clearTimeout(w.timer);
        w.reject(exited);
      }
    }
    waiters.clear();
  });
  const proc: Proc = {
    child,
    pid: child.pid as number,
    next<T>(type: string, timeoutMs: number): Promise<T> {
      if (exited) return Promise.reject(exited);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          const list = waiters.get(type) ?? [];
          const i = list.indexOf(waiter);
          if (i >= 0) list.splice(i, 1);
          reject(new Error(`${script}: no '${type}' within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter: Waiter = { resolve: resolve as (msg: unknown) => void, reject, timer };
        const list = waiters.get(type) ?? [];
        list.push(waiter);
        waiters.set(type, list);
      });
    },
    request<T>(msg: object, type: string, timeoutMs: number): Promise<T> {
      const reply = proc.next<T>(type, timeoutMs);
      proc.send(msg);
      return reply;
    },
    onMessage(type, fn) {
      listeners.set(type, fn);
    },
    send(msg) {
      if (!exited && child.connected) child.send(msg);
    },
    async end() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      proc.send({ cmd: 'exit' });
      const timer = setTimeout(() => {
        if (!exited) process.kill(proc.pid, 'SIGKILL');
      }, 3000);
      await gone;
      clearTimeout(timer);
    },
  };
  return proc;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
