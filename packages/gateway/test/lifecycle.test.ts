import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CloseCode } from '@agentwire/protocol';
import { mintToken, startGateway, waitFor } from '@agentwire/testkit';
import { connectUser, openClient } from './helpers/harness.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

describe('lifecycle', () => {
  it('close() closes connections with 1012, refuses new upgrades and publishes meanwhile', async () => {
    const gw = await startGateway({ drainTimeoutMs: 2000 });
    const a = await connectUser(gw, 'a');
    const b = await connectUser(gw, 'b');
    const closing = gw.close();
    assert.equal(await a.closed, CloseCode.ServiceRestart);
    assert.equal(await b.closed, CloseCode.ServiceRestart);
    await closing;
    const late = openClient(gw.wsUrl, { token: await mintToken('c') });
    await assert.rejects(late.opened);
  });

  it('terminates a peer that stops answering protocol pings', async (t) => {
    const gw = await startGateway({ heartbeatMs: 100 });
    t.after(() => gw.close());
    const dead = openClient(gw.wsUrl, { token: await mintToken('dead'), autoPong: false });
    const alive = await connectUser(gw, 'alive');
    await dead.opened;
    const code = await dead.closed;
    assert.equal(code, 1006, 'terminated without a closing handshake');
    assert.equal(alive.closeCode, undefined, 'a peer that answers pings stays');
    await waitFor(() => gw.gateway.stats().connections === 1, 'dead peer released', 2000);
    await alive.close();
  });

  it('the CLI drains on SIGTERM and exits 0', async (t) => {
    const child = spawn(process.execPath, [cli, '--port', '0', '--log-level', 'info'], {
      env: { ...process.env, AGENTWIRE_JWT_SECRET: 'x'.repeat(40), AGENTWIRE_API_KEYS: 'k' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => {
      if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
    });
    let out = '';
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 10_000);
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /"port":(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    const c = openClient(`ws://127.0.0.1:${port}/ws`, {
      token: await mintToken('cli', 3600, { key: new TextEncoder().encode('x'.repeat(40)) }),
    });
    await c.opened;
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    assert.ok(child.pid);
    process.kill(child.pid, 'SIGTERM');
    assert.equal(await c.closed, CloseCode.ServiceRestart);
    assert.equal(await exited, 0);
    assert.doesNotMatch(out, /x{40}/, 'the secret is never logged');
  });

  it('the demo profile refuses NODE_ENV=production with a clear message and exit code 2', async () => {
    const child = spawn(process.execPath, [cli, '--profile', 'demo', '--port', '0'], {
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 2);
    assert.match(err, /refuses to start with NODE_ENV=production/);
  });
});
