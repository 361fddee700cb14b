// What slow consumers cost the gateway's memory, and whether it comes back (issue 15).
//   node --import tsx bench/slow-consumers.ts [sockets=20] [gateway dist/index.js]
// A gateway process (memory engine, history of 50 events per user, the default 4 MiB
// slow-consumer limit) gets `sockets` connections that never read; 16 KB events are published
// to each user over HTTP until every one of them was closed with 4008; then the clients go away.
// Prints the server's RSS (from /proc) at the start, its peak, and 5 s after the sockets are gone.
// Bounded: gives up after 120 s. Loopback only; the server is ended by its PID.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mintToken, TEST_API_KEY, TEST_SECRET } from '@agentwire/testkit';
import WebSocket from 'ws';

const SERVER = process.argv[2] === '--server';

if (SERVER) {
  const { createGateway } = (await import(
    process.argv[3] as string
  )) as typeof import('@agentwire/gateway');
  const { pino } = await import('pino');
  const gateway = createGateway({
    auth: { jwt: { secret: TEST_SECRET }, apiKeys: [TEST_API_KEY] },
    logger: pino({ level: 'silent' }),
    // Idle streams are swept (and free history chunks trimmed) every maxAgeMs.
    history: { maxEvents: 50, maxAgeMs: 10_000 },
    limits: { rateBurst: 1e6, ratePerSecond: 1e6, slowConsumerTimeoutMs: 1000 },
  });
  const { port } = await gateway.listen(0, '127.0.0.1');
  process.stdout.write(`${port}\n`);
  // An idle process may not collect for a long time: a full GC every 2 s shows what is garbage
  // (freed SharedArrayBuffer chunks included) and what is really held.
  setInterval(() => (globalThis as { gc?: () => void }).gc?.(), 2000).unref();
} else {
  const sockets = Number(process.argv[2] ?? 20);
  const dist =
    process.argv[3] ?? fileURLToPath(new URL('../packages/gateway/dist/index.js', import.meta.url));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--server', dist],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const giveUp = setTimeout(() => {
    console.error('gave up after 120 s');
    child.kill('SIGKILL');
    process.exit(1);
  }, 120_000);
  const port = await new Promise<number>((resolve) =>
    child.stdout?.once('data', (c: Buffer) => resolve(Number(c.toString().trim()))),
  );
  const rssMb = () => {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
  };
  const url = `http://127.0.0.1:${port}`;
  await new Promise((r) => setTimeout(r, 500));
  const start = rssMb();
  let peak = start;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb());
  }, 50);
  const clients: WebSocket[] = [];
  for (let i = 0; i < sockets; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, [
      'agentwire.v1',
      `bearer.${await mintToken(`slow${i}`)}`,
    ]);
    await new Promise((resolve) => ws.once('message', resolve));
    (ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
    clients.push(ws);
  }
  const closed = async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return Number(/^agentwire_closes_total\{code="4008"\} (\d+)/m.exec(text)?.[1] ?? 0);
  };
  const text = 'y'.repeat(16_000);
  let published = 0;
  while ((await closed()) < sockets) {
    await Promise.all(
      clients.map((_, i) =>
        fetch(`${url}/v1/publish`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            userId: `slow${i}`,
            event: { type: 'agent_thinking', runId: 'r', data: { text } },
          }),
        }).then((r) => r.arrayBuffer()),
      ),
    );
    published += sockets;
  }
  const history = async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const mb = (state: string) =>
      Math.round(
        Number(
          new RegExp(`^agentwire_history_memory_bytes\\{state="${state}"\\} (\\d+)`, 'm').exec(
            text,
          )?.[1],
        ) /
          2 ** 20,
      );
    return { inUseMb: mb('in_use'), freeMb: mb('free') };
  };
  const atClose = rssMb();
  const historyAtClose = await history();
  for (const ws of clients) ws.terminate();
  await new Promise((r) => setTimeout(r, 5000));
  const after = rssMb();
  const historyAfter = await history();
  // Two sweeps later: free chunks have been handed back to the system.
  await new Promise((r) => setTimeout(r, 20_000));
  clearInterval(sampler);
  const afterSweeps = rssMb();
  const historyAfterSweeps = await history();
  console.log(
    JSON.stringify({
      sockets,
      published,
      rssMb: {
        start: Math.round(start),
        peak: Math.round(peak),
        atLastClose: Math.round(atClose),
        fiveSecondsAfter: Math.round(after),
        twentyFiveSecondsAfter: Math.round(afterSweeps),
      },
      historyMemory: {
        atLastClose: historyAtClose,
        fiveSecondsAfter: historyAfter,
        twentyFiveSecondsAfter: historyAfterSweeps,
      },
    }),
  );
  clearTimeout(giveUp);
  if (child.pid) process.kill(child.pid, 'SIGTERM');
}
