// The gateway command as a person and a service manager meet it: --help/--version without any
// configuration, a banner and short lines on a terminal, JSON lines otherwise, and a start
// failure as one line with the fix and its documented exit code.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ExitCode } from '../src/cli/exit-codes.js';
import { prettyLine } from '../src/cli/log-format.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  .version as string;
const env = { ...process.env, NODE_ENV: 'development' };

function runCli(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...env, ...extraEnv },
    timeout: 20_000,
  });
}

/** Starts the command (optionally on a pseudo-terminal via util-linux `script`), collects stdout until `until` matches, then stops it. */
async function outputUntil(args: string[], until: RegExp, tty: boolean): Promise<string> {
  const command = [cli, ...args].map((a) => `'${a}'`).join(' ');
  const child: ChildProcess = tty
    ? spawn('script', ['-qfec', `${process.execPath} ${command}`, '/dev/null'], {
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const deadline = Date.now() + 15_000;
    while (!until.test(out)) {
      assert.ok(Date.now() < deadline && child.exitCode === null, `waiting for ${until}:\n${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    // `script` forwards SIGTERM to the command it started.
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
    await exited;
  }
  return out.replace(/\r\n/g, '\n');
}

describe('agentwire-gateway command', () => {
  it('--help and -h print usage with the exit codes, with no configuration at all', () => {
    for (const flag of ['--help', '-h']) {
      const result = runCli([flag], { AGENTWIRE_JWT_SECRET: '' });
      assert.equal(result.status, ExitCode.Ok, result.stderr);
      assert.match(result.stdout, /^agentwire-gateway \d+\.\d+\.\d+ — /);
      assert.match(result.stdout, /Usage: agentwire-gateway/);
      assert.match(result.stdout, /Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 /);
      assert.match(result.stdout, /docs\/deploy\.md/);
    }
  });

  it('--version prints the package version', () => {
    const result = runCli(['--version']);
    assert.equal(result.status, ExitCode.Ok);
    assert.equal(result.stdout, `${version}\n`);
  });

  it('a port in use is one line naming the port and the fix, exit code 3', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const result = runCli(['--profile', 'demo', '--port', String(port), '--log-format', 'json']);
      assert.equal(result.status, ExitCode.StartFailed, result.stderr);
      assert.equal(
        result.stderr,
        `agentwire: port ${port} on 127.0.0.1 is already in use: stop the program listening there or choose another port (--port N or AGENTWIRE_PORT)\n`,
      );
    } finally {
      blocker.close();
    }
  });

  it('an address that is not this machine is one line with the fix, exit code 3', () => {
    const result = runCli(['--profile', 'demo', '--port', '0', '--host', '192.0.2.1']);
    assert.equal(result.status, ExitCode.StartFailed, result.stderr);
    assert.match(result.stderr, /^agentwire: cannot listen on 192\.0\.2\.1:0: .*--host.*\n$/);
  });

  it('an unknown --log-format is a configuration error naming the flag', () => {
    const result = runCli(['--profile', 'demo', '--log-format', 'xml']);
    assert.equal(result.status, ExitCode.Usage);
    assert.match(result.stderr, /--log-format: must be "json" or "pretty" \(got "xml"\)/);
  });

  it('not on a terminal: JSON lines only, the first one the listening line', async () => {
    const out = await outputUntil(
      ['--profile', 'demo', '--port', '0'],
      /AGENTWIRE_API_KEYS/,
      false,
    );
    const first = JSON.parse(out.split('\n')[0] as string);
    assert.equal(first.msg, 'listening');
    assert.doesNotMatch(out, /agentwire gateway .* listening on/);
  });

  it('on a terminal: short log lines and a banner saying where it listens and how to stop', async () => {
    const out = await outputUntil(['--profile', 'demo', '--port', '0'], /Ctrl-C/, true);
    assert.match(
      out,
      /^\d\d:\d\d:\d\d INFO {2}listening port=\d+ host=127\.0\.0\.1 engine=memory\n/,
    );
    assert.match(
      out,
      new RegExp(`agentwire gateway ${version} listening on http://localhost:\\d+\\n`),
    );
    assert.match(out, /health http:\/\/localhost:\d+\/healthz/);
    assert.doesNotMatch(out, /^\{/m, 'no JSON line on a terminal');
  });

  it('on a terminal with --log-format json: JSON lines, no banner', async () => {
    const out = await outputUntil(
      ['--profile', 'demo', '--port', '0', '--log-format', 'json'],
      /AGENTWIRE_API_KEYS/,
      true,
    );
    assert.equal(JSON.parse(out.split('\n')[0] as string).msg, 'listening');
    assert.doesNotMatch(out, /Ctrl-C/);
  });

  it('prettyLine keeps the fields and drops the noise', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 0, 1, 12, 0, 0),
      pid: 1,
      hostname: 'h',
      name: 'agentwire',
      msg: 'slow consumer',
      code: 4008,
      user: { id: 'u' },
    });
    assert.match(
      prettyLine(line),
      /^\d\d:\d\d:\d\d WARN {2}slow consumer code=4008 user=\{"id":"u"\}\n$/,
    );
    assert.equal(prettyLine('not json'), 'not json');
  });
});
