import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { ConfigError, loadConfig } from '@agentwire/gateway';

const SECRET = 's'.repeat(32);

/** A scratch directory removed when the test ends. */
function scratchDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'agentwire-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads env vars with defaults', () => {
    const config = loadConfig({
      env: { AGENTWIRE_JWT_SECRET: SECRET, AGENTWIRE_API_KEYS: 'a, b' },
    });
    assert.equal(config.port, 8080);
    assert.equal(config.profile, 'default');
    assert.deepEqual(config.options.auth.apiKeys, ['a', 'b']);
    assert.deepEqual(config.options.auth.jwt, { secret: SECRET });
    assert.equal(config.devCredentials, undefined);
  });

  it('reads the coalescing window and the slow-consumer timeout, and names bad values', () => {
    const env = { AGENTWIRE_JWT_SECRET: SECRET, AGENTWIRE_COALESCE_MS: '0' };
    const config = loadConfig({ argv: ['--slow-consumer-timeout-ms', '5000'], env });
    assert.equal(config.options.limits?.coalesceWindowMs, 0);
    assert.equal(config.options.limits?.slowConsumerTimeoutMs, 5000);
    const defaults = loadConfig({ env: { AGENTWIRE_JWT_SECRET: SECRET } }).options.limits;
    assert.equal(defaults?.coalesceWindowMs, 16);
    assert.equal(defaults?.slowConsumerTimeoutMs, 30_000);
    const found = problems(() =>
      loadConfig({ env: { AGENTWIRE_JWT_SECRET: SECRET, AGENTWIRE_COALESCE_MS: '-1' } }),
    );
    assert.equal(found.length, 1);
    assert.match(found[0] as string, /AGENTWIRE_COALESCE_MS/);
  });

  it('gives flags precedence over env over the file', (t) => {
    const dir = scratchDir(t);
    const file = join(dir, 'gateway.json');
    writeFileSync(
      file,
      JSON.stringify({ port: 9000, host: '0.0.0.0', jwtSecret: SECRET, historyMaxEvents: 50 }),
    );
    const config = loadConfig({
      argv: ['--config', file, '--port', '9100'],
      env: { AGENTWIRE_HOST: '127.0.0.2' },
    });
    assert.equal(config.port, 9100);
    assert.equal(config.host, '127.0.0.2');
    assert.equal(config.options.history?.maxEvents, 50);
  });

  it('names every invalid setting and where it came from', () => {
    const found = problems(() =>
      loadConfig({
        argv: ['--port', 'eighty', '--history-max-events', '0'],
        env: {
          AGENTWIRE_JWT_SECRET: 'short',
          AGENTWIRE_ALLOWED_ORIGINS: 'not-an-origin',
          AGENTWIRE_LOG_LEVEL: 'loud',
        },
      }),
    );
    assert.ok(found.some((p) => p.startsWith('--port: must be an integer')));
    assert.ok(found.some((p) => p.startsWith('--history-max-events')));
    assert.ok(found.some((p) => p.startsWith('AGENTWIRE_JWT_SECRET: must be at least 32 bytes')));
    assert.ok(found.some((p) => p.startsWith('AGENTWIRE_ALLOWED_ORIGINS')));
    assert.ok(found.some((p) => p.startsWith('AGENTWIRE_LOG_LEVEL')));
  });

  it('requires exactly one JWT key source', () => {
    assert.match(problems(() => loadConfig({ env: {} }))[0] ?? '', /no JWT key/);
    assert.match(
      problems(() =>
        loadConfig({
          env: { AGENTWIRE_JWT_SECRET: SECRET, AGENTWIRE_JWT_JWKS_URL: 'https://x/jwks' },
        }),
      )[0] ?? '',
      /exactly one/,
    );
    assert.match(
      problems(() => loadConfig({ env: { AGENTWIRE_JWT_JWKS_URL: 'https://x/jwks' } }))[0] ?? '',
      /RS256 or ES256/,
    );
  });

  it('does not accept secrets as flags', () => {
    assert.match(
      problems(() => loadConfig({ argv: ['--jwt-secret', SECRET] }))[0] ?? '',
      /Unknown option '--jwt-secret'/,
    );
  });

  it('rejects unknown settings and broken JSON in the config file', (t) => {
    const dir = scratchDir(t);
    const unknown = join(dir, 'a.json');
    writeFileSync(unknown, JSON.stringify({ jwtSecret: SECRET, prot: 1 }));
    assert.match(
      problems(() => loadConfig({ argv: ['--config', unknown] }))[0] ?? '',
      /unknown setting "prot"/,
    );
    const broken = join(dir, 'b.json');
    writeFileSync(broken, '{');
    assert.match(problems(() => loadConfig({ argv: ['--config', broken] }))[0] ?? '', /b\.json/);
    assert.match(
      problems(() => loadConfig({ argv: ['--config', join(dir, 'missing.json')] }))[0] ?? '',
      /missing\.json/,
    );
  });

  it('generates dev credentials in the demo profile and refuses it in production', () => {
    const demo = loadConfig({ argv: ['--profile', 'demo'], env: {} });
    assert.equal(demo.profile, 'demo');
    assert.ok(demo.devCredentials && demo.devCredentials.jwtSecret.length >= 32);
    assert.deepEqual(demo.options.auth.apiKeys, [demo.devCredentials.apiKey]);
    const other = loadConfig({ argv: ['--profile', 'demo'], env: {} });
    assert.notEqual(
      other.devCredentials?.jwtSecret,
      demo.devCredentials.jwtSecret,
      'generated per start',
    );
    assert.match(
      problems(() =>
        loadConfig({ argv: ['--profile', 'demo'], env: { NODE_ENV: 'production' } }),
      )[0] ?? '',
      /refuses to start with NODE_ENV=production/,
    );
  });

  it('selects the engine: memory by default, redis with a URL', () => {
    const env = { AGENTWIRE_JWT_SECRET: SECRET };
    assert.deepEqual(loadConfig({ env }).engine, { kind: 'memory' });
    assert.deepEqual(
      loadConfig({
        env: { ...env, AGENTWIRE_ENGINE: 'redis', AGENTWIRE_REDIS_URL: 'redis://127.0.0.1:6390/2' },
      }).engine,
      { kind: 'redis', url: 'redis://127.0.0.1:6390/2' },
    );
    assert.match(
      problems(() => loadConfig({ env: { ...env, AGENTWIRE_ENGINE: 'redis' } }))[0] ?? '',
      /AGENTWIRE_REDIS_URL: required/,
    );
    assert.match(
      problems(() => loadConfig({ argv: ['--engine', 'postgres'], env }))[0] ?? '',
      /--engine: must be "memory" or "redis"/,
    );
  });

  it('reads the fault settings: engine timeout, drain, leases, input bounds, metrics port and token', () => {
    const env = {
      AGENTWIRE_JWT_SECRET: SECRET,
      AGENTWIRE_ENGINE_TIMEOUT_MS: '750',
      AGENTWIRE_DRAIN_WINDOW_MS: '3000',
      AGENTWIRE_CONNECTION_LEASE_MS: '20000',
      AGENTWIRE_METRICS_PORT: '9464',
      AGENTWIRE_METRICS_TOKEN: 'scrape-token-0123456789',
    };
    const { options } = loadConfig({
      argv: [
        '--max-json-depth',
        '20',
        '--request-timeout-ms',
        '5000',
        '--drain-batch-interval-ms',
        '50',
      ],
      env,
    });
    assert.equal(options.engineTimeoutMs, 750);
    assert.equal(options.drainWindowMs, 3000);
    assert.equal(options.drainBatchIntervalMs, 50);
    assert.equal(options.connectionLeaseMs, 20000);
    assert.equal(options.limits?.maxJsonDepth, 20);
    assert.equal(options.limits?.requestTimeoutMs, 5000);
    assert.deepEqual(options.metrics, { port: 9464, token: 'scrape-token-0123456789' });
    assert.equal(loadConfig({ env: { AGENTWIRE_JWT_SECRET: SECRET } }).options.metrics, undefined);
    const bad = problems(() =>
      loadConfig({
        argv: ['--engine-timeout-ms', '0', '--metrics-host', '0.0.0.0'],
        env: { AGENTWIRE_JWT_SECRET: SECRET, AGENTWIRE_METRICS_TOKEN: 'short' },
      }),
    );
    assert.ok(
      bad.some((p) => /--engine-timeout-ms: must be an integer from 50/.test(p)),
      bad.join('\n'),
    );
    assert.ok(bad.some((p) => /AGENTWIRE_METRICS_TOKEN: must be at least 16 bytes/.test(p)));
    assert.ok(bad.some((p) => /--metrics-host: needs AGENTWIRE_METRICS_PORT/.test(p)));
    assert.throws(() => loadConfig({ argv: ['--metrics-token', 'x'], env }), /metrics-token/);
  });
});
