import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '@agentwire/gateway';

const JWT = { AGENTWIRE_JWT_SECRET: 's'.repeat(32) };
const SECRET = 'w'.repeat(32);

function problems(env: Record<string, string>, argv: string[] = []): string[] {
  try {
    loadConfig({ env: { ...JWT, ...env }, argv });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('upstream webhook settings', () => {
  it('are absent unless AGENTWIRE_UPSTREAM_URL is set', () => {
    assert.equal(loadConfig({ env: JWT }).options.upstream, undefined);
  });

  it('read the URL, timeout and retries from env or flags and the secret from env', () => {
    const config = loadConfig({
      env: {
        ...JWT,
        AGENTWIRE_UPSTREAM_URL: 'https://app.example/hooks',
        AGENTWIRE_UPSTREAM_SECRET: SECRET,
      },
      argv: ['--upstream-timeout-ms', '2500', '--upstream-retries', '0'],
    });
    assert.deepEqual(config.options.upstream, {
      url: 'https://app.example/hooks',
      secret: SECRET,
      timeoutMs: 2500,
      retries: 0,
    });
  });

  it('read the secret from a file', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'agentwire-upstream-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'secret');
    writeFileSync(file, `${SECRET}\n`);
    const config = loadConfig({
      env: JWT,
      argv: ['--upstream-url', 'http://127.0.0.1:9000/', '--upstream-secret-file', file],
    });
    assert.equal(config.options.upstream?.secret, SECRET);
    assert.equal(config.options.upstream?.timeoutMs, 10_000);
    assert.equal(config.options.upstream?.retries, 2);
  });

  it('fail closed: no secret, a short one, a secret without a URL, a bad URL, an unreadable file', () => {
    assert.deepEqual(problems({ AGENTWIRE_UPSTREAM_URL: 'http://127.0.0.1:9000/' }), [
      'AGENTWIRE_UPSTREAM_URL needs a signing secret: set AGENTWIRE_UPSTREAM_SECRET or AGENTWIRE_UPSTREAM_SECRET_FILE',
    ]);
    assert.deepEqual(
      problems({
        AGENTWIRE_UPSTREAM_URL: 'http://127.0.0.1:9000/',
        AGENTWIRE_UPSTREAM_SECRET: 'short',
      }),
      ['the upstream secret must be at least 32 bytes'],
    );
    assert.deepEqual(problems({ AGENTWIRE_UPSTREAM_SECRET: SECRET }), [
      'an upstream secret is set but AGENTWIRE_UPSTREAM_URL is not',
    ]);
    assert.deepEqual(
      problems({ AGENTWIRE_UPSTREAM_URL: 'ftp://x/', AGENTWIRE_UPSTREAM_SECRET: SECRET }),
      ['AGENTWIRE_UPSTREAM_URL: must be an http:// or https:// URL'],
    );
    const [unreadable] = problems({
      AGENTWIRE_UPSTREAM_URL: 'http://127.0.0.1:9000/',
      AGENTWIRE_UPSTREAM_SECRET_FILE: '/nonexistent/agentwire-secret',
    });
    assert.match(unreadable ?? '', /^AGENTWIRE_UPSTREAM_SECRET_FILE: cannot read \/nonexistent/);
    assert.deepEqual(
      problems({ AGENTWIRE_UPSTREAM_URL: 'http://x/' }, ['--upstream-retries', '11']).slice(0, 1),
      ['--upstream-retries: must be an integer from 0 to 10 (got "11")'],
    );
  });

  it('never take the secret as a flag', () => {
    assert.match(
      problems({}, ['--upstream-secret', SECRET])[0] ?? '',
      /Unknown option '--upstream-secret'/,
    );
  });
});
