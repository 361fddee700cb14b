import { createPublicKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type JwtOptions, MIN_SECRET_BYTES } from '../auth/jwt.js';
import type { LogFormat } from '../cli/log-format.js';
import { DEFAULT_ENGINE_TIMEOUT_MS } from '../engine/bounded.js';
import { ConfigError } from '../errors.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_LIMITS, type GatewayOptions } from '../options.js';
import { DEFAULT_DRAIN } from '../shutdown.js';
import { DEFAULT_CONNECTION_LEASE_MS } from '../ws/leases.js';
import { upstreamConfig } from './upstream.js';

export type Profile = 'default' | 'demo';

/** Which engine to run: in process (default) or Redis for many gateway processes. */
export type EngineConfig = { kind: 'memory' } | { kind: 'redis'; url: string; prefix?: string };

export interface GatewayConfig {
  profile: Profile;
  engine: EngineConfig;
  port: number;
  host: string;
  logLevel: string;
  /** Unset: pretty lines with a start banner when stdout is a terminal, JSON lines otherwise. */
  logFormat?: LogFormat;
  /** Everything but the logger and handlers, which the program supplies. */
  options: Omit<GatewayOptions, 'logger' | 'onMessage' | 'fallbackHttpHandler'>;
  /** Set in the demo profile only: generated credentials to print and to mint demo tokens with. */
  devCredentials?: { jwtSecret: string; apiKey: string };
}

type Source = Record<string, unknown>;

/**
 * Settings: name in a config file, env var, flag, and whether it may be given as a flag
 * (docs/deploy.md lists every one; test/docs/settings.test.ts keeps that table in step).
 * Secrets are not accepted as flags (they would show in `ps` and shell history).
 */
export const SETTINGS = {
  port: { env: 'AGENTWIRE_PORT', flag: 'port' },
  host: { env: 'AGENTWIRE_HOST', flag: 'host' },
  profile: { env: 'AGENTWIRE_PROFILE', flag: 'profile' },
  logLevel: { env: 'AGENTWIRE_LOG_LEVEL', flag: 'log-level' },
  logFormat: { env: 'AGENTWIRE_LOG_FORMAT', flag: 'log-format' },
  jwtSecret: { env: 'AGENTWIRE_JWT_SECRET' },
  jwtPublicKey: { env: 'AGENTWIRE_JWT_PUBLIC_KEY' },
  jwtJwksUrl: { env: 'AGENTWIRE_JWT_JWKS_URL', flag: 'jwt-jwks-url' },
  jwtAlgorithm: { env: 'AGENTWIRE_JWT_ALGORITHM', flag: 'jwt-algorithm' },
  jwtIssuer: { env: 'AGENTWIRE_JWT_ISSUER', flag: 'jwt-issuer' },
  jwtAudience: { env: 'AGENTWIRE_JWT_AUDIENCE', flag: 'jwt-audience' },
  apiKeys: { env: 'AGENTWIRE_API_KEYS' },
  allowedOrigins: { env: 'AGENTWIRE_ALLOWED_ORIGINS', flag: 'allowed-origins' },
  historyMaxEvents: { env: 'AGENTWIRE_HISTORY_MAX_EVENTS', flag: 'history-max-events' },
  historyMaxAgeMs: { env: 'AGENTWIRE_HISTORY_MAX_AGE_MS', flag: 'history-max-age-ms' },
  maxConnectionsPerUser: {
    env: 'AGENTWIRE_MAX_CONNECTIONS_PER_USER',
    flag: 'max-connections-per-user',
  },
  maxFrameBytes: { env: 'AGENTWIRE_MAX_FRAME_BYTES', flag: 'max-frame-bytes' },
  heartbeatMs: { env: 'AGENTWIRE_HEARTBEAT_MS', flag: 'heartbeat-ms' },
  coalesceMs: { env: 'AGENTWIRE_COALESCE_MS', flag: 'coalesce-ms' },
  slowConsumerTimeoutMs: {
    env: 'AGENTWIRE_SLOW_CONSUMER_TIMEOUT_MS',
    flag: 'slow-consumer-timeout-ms',
  },
  ticketTtlMs: { env: 'AGENTWIRE_TICKET_TTL_MS', flag: 'ticket-ttl-ms' },
  engine: { env: 'AGENTWIRE_ENGINE', flag: 'engine' },
  redisUrl: { env: 'AGENTWIRE_REDIS_URL' },
  redisPrefix: { env: 'AGENTWIRE_REDIS_PREFIX', flag: 'redis-prefix' },
  engineTimeoutMs: { env: 'AGENTWIRE_ENGINE_TIMEOUT_MS', flag: 'engine-timeout-ms' },
  connectionLeaseMs: { env: 'AGENTWIRE_CONNECTION_LEASE_MS', flag: 'connection-lease-ms' },
  maxJsonDepth: { env: 'AGENTWIRE_MAX_JSON_DEPTH', flag: 'max-json-depth' },
  headersTimeoutMs: { env: 'AGENTWIRE_HEADERS_TIMEOUT_MS', flag: 'headers-timeout-ms' },
  requestTimeoutMs: { env: 'AGENTWIRE_REQUEST_TIMEOUT_MS', flag: 'request-timeout-ms' },
  drainWindowMs: { env: 'AGENTWIRE_DRAIN_WINDOW_MS', flag: 'drain-window-ms' },
  drainBatchIntervalMs: {
    env: 'AGENTWIRE_DRAIN_BATCH_INTERVAL_MS',
    flag: 'drain-batch-interval-ms',
  },
  drainTimeoutMs: { env: 'AGENTWIRE_DRAIN_TIMEOUT_MS', flag: 'drain-timeout-ms' },
  slowConsumerGraceMs: { env: 'AGENTWIRE_SLOW_CONSUMER_GRACE_MS', flag: 'slow-consumer-grace-ms' },
  metricsPort: { env: 'AGENTWIRE_METRICS_PORT', flag: 'metrics-port' },
  metricsHost: { env: 'AGENTWIRE_METRICS_HOST', flag: 'metrics-host' },
  metricsToken: { env: 'AGENTWIRE_METRICS_TOKEN' },
  upstreamUrl: { env: 'AGENTWIRE_UPSTREAM_URL', flag: 'upstream-url' },
  upstreamSecret: { env: 'AGENTWIRE_UPSTREAM_SECRET' },
  upstreamSecretFile: { env: 'AGENTWIRE_UPSTREAM_SECRET_FILE', flag: 'upstream-secret-file' },
  upstreamTimeoutMs: { env: 'AGENTWIRE_UPSTREAM_TIMEOUT_MS', flag: 'upstream-timeout-ms' },
  upstreamRetries: { env: 'AGENTWIRE_UPSTREAM_RETRIES', flag: 'upstream-retries' },
} as const satisfies Record<string, { env: string; flag?: string }>;

export type Setting = keyof typeof SETTINGS;

export interface LoadConfigInput {
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

export const USAGE = `Usage: agentwire-gateway [--config file.json] [--profile default|demo] [--port N] [--host H]
  [--log-level L] [--log-format json|pretty] [--jwt-jwks-url URL] [--jwt-algorithm HS256|RS256|ES256] [--jwt-issuer I]
  [--jwt-audience A] [--allowed-origins a,b] [--history-max-events N] [--history-max-age-ms N]
  [--max-connections-per-user N] [--max-frame-bytes N] [--heartbeat-ms N] [--ticket-ttl-ms N]
  [--coalesce-ms N] [--slow-consumer-timeout-ms N] [--engine memory|redis] [--redis-prefix P]
  [--engine-timeout-ms N] [--connection-lease-ms N]
  [--max-json-depth N] [--headers-timeout-ms N] [--request-timeout-ms N] [--drain-window-ms N]
  [--drain-batch-interval-ms N] [--drain-timeout-ms N] [--slow-consumer-grace-ms N]
  [--metrics-port N] [--metrics-host H]
  [--upstream-url URL] [--upstream-secret-file F] [--upstream-timeout-ms N] [--upstream-retries N]
Secrets only from the environment or the config file: AGENTWIRE_JWT_SECRET,
AGENTWIRE_JWT_PUBLIC_KEY, AGENTWIRE_API_KEYS, AGENTWIRE_REDIS_URL, AGENTWIRE_METRICS_TOKEN,
AGENTWIRE_UPSTREAM_SECRET (or a file named by AGENTWIRE_UPSTREAM_SECRET_FILE). Every flag has an
AGENTWIRE_* variable too.`;

/** Reads flags > env vars > config file > defaults, and validates everything at once. */
export function loadConfig({ argv = [], env = process.env }: LoadConfigInput = {}): GatewayConfig {
  const problems: string[] = [];
  const flagOptions: Record<string, { type: 'string' }> = { config: { type: 'string' } };
  for (const spec of Object.values(SETTINGS)) {
    if ('flag' in spec) flagOptions[spec.flag] = { type: 'string' };
  }
  let flags: Record<string, string | undefined> = {};
  try {
    flags = parseArgs({ args: [...argv], options: flagOptions, strict: true }).values as Record<
      string,
      string | undefined
    >;
  } catch (error) {
    throw new ConfigError([`${(error as Error).message}\n${USAGE}`]);
  }

  let file: Source = {};
  const filePath = flags.config ?? env.AGENTWIRE_CONFIG;
  if (filePath) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(filePath, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error('must contain a JSON object');
      }
      file = parsed as Source;
      for (const key of Object.keys(file)) {
        if (!Object.hasOwn(SETTINGS, key)) problems.push(`${filePath}: unknown setting "${key}"`);
      }
    } catch (error) {
      throw new ConfigError([`config file ${filePath}: ${(error as Error).message}`]);
    }
  }

  /** The raw value of a setting and where it came from, for error messages. */
  const raw = (name: Setting): { value: unknown; from: string } | undefined => {
    const spec = SETTINGS[name];
    if ('flag' in spec && flags[spec.flag] !== undefined) {
      return { value: flags[spec.flag], from: `--${spec.flag}` };
    }
    if (env[spec.env] !== undefined && env[spec.env] !== '') {
      return { value: env[spec.env], from: spec.env };
    }
    if (name === 'port' && env.PORT) return { value: env.PORT, from: 'PORT' };
    if (file[name] !== undefined) return { value: file[name], from: `${filePath}: ${name}` };
    return undefined;
  };
  const str = (name: Setting): string | undefined => {
    const r = raw(name);
    if (r === undefined) return undefined;
    if (typeof r.value !== 'string' || r.value.trim() === '') {
      problems.push(`${r.from}: must be a non-empty string`);
      return undefined;
    }
    return r.value.trim();
  };
  const int = (name: Setting, min: number, max: number, fallback: number): number => {
    const r = raw(name);
    if (r === undefined) return fallback;
    const n = typeof r.value === 'number' ? r.value : Number(String(r.value).trim());
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(
        `${r.from}: must be an integer from ${min} to ${max} (got ${JSON.stringify(r.value)})`,
      );
      return fallback;
    }
    return n;
  };
  const list = (name: Setting): string[] | undefined => {
    const r = raw(name);
    if (r === undefined) return undefined;
    const items = Array.isArray(r.value) ? r.value : String(r.value).split(',');
    const out = items.map((s) => String(s).trim()).filter(Boolean);
    if (out.length === 0) problems.push(`${r.from}: must list at least one value`);
    return out;
  };

  const profileValue = str('profile') ?? 'default';
  if (profileValue !== 'default' && profileValue !== 'demo') {
    problems.push(`${raw('profile')?.from}: must be "default" or "demo" (got "${profileValue}")`);
  }
  const profile: Profile = profileValue === 'demo' ? 'demo' : 'default';

  let jwtSecret = str('jwtSecret');
  let apiKeys = list('apiKeys');
  let devCredentials: GatewayConfig['devCredentials'];
  if (profile === 'demo') {
    if (env.NODE_ENV === 'production') {
      throw new ConfigError([
        'the demo profile runs with generated dev credentials and a demo sign-in; it refuses to start with NODE_ENV=production',
      ]);
    }
    jwtSecret ??= randomBytes(32).toString('base64url');
    apiKeys ??= [`dev_${randomBytes(18).toString('base64url')}`];
    devCredentials = { jwtSecret, apiKey: apiKeys[0] as string };
  }

  const publicKey = str('jwtPublicKey');
  const jwksUrl = str('jwtJwksUrl');
  const algorithm = str('jwtAlgorithm');
  const issuer = str('jwtIssuer');
  const audience = str('jwtAudience');
  const claims = {
    ...(issuer !== undefined && { issuer }),
    ...(audience !== undefined && { audience }),
  };
  let jwt: JwtOptions | undefined;
  const sources = [jwtSecret, publicKey, jwksUrl].filter((s) => s !== undefined).length;
  if (sources === 0) {
    problems.push(
      'no JWT key: set AGENTWIRE_JWT_SECRET (HS256), AGENTWIRE_JWT_PUBLIC_KEY or AGENTWIRE_JWT_JWKS_URL (RS256/ES256), or use --profile demo',
    );
  } else if (sources > 1) {
    problems.push(
      'set exactly one of AGENTWIRE_JWT_SECRET, AGENTWIRE_JWT_PUBLIC_KEY, AGENTWIRE_JWT_JWKS_URL',
    );
  } else if (jwtSecret !== undefined) {
    if (algorithm !== undefined && algorithm !== 'HS256') {
      problems.push(`${raw('jwtAlgorithm')?.from}: a shared secret is used with HS256 only`);
    }
    if (Buffer.byteLength(jwtSecret) < MIN_SECRET_BYTES) {
      problems.push(`${raw('jwtSecret')?.from}: must be at least ${MIN_SECRET_BYTES} bytes`);
    }
    jwt = { secret: jwtSecret, ...claims };
  } else {
    if (algorithm !== 'RS256' && algorithm !== 'ES256') {
      problems.push(
        'AGENTWIRE_JWT_ALGORITHM: must be RS256 or ES256 with a public key or JWKS URL',
      );
    } else if (publicKey !== undefined) {
      const pem = publicKey.replace(/\\n/g, '\n');
      try {
        // What jose's importSPKI takes: an SPKI PEM (not a private key, not a certificate).
        if (!pem.includes('-----BEGIN PUBLIC KEY-----')) throw new Error('not SPKI');
        createPublicKey(pem);
        jwt = { publicKey: pem, algorithm, ...claims };
      } catch {
        problems.push(
          `${raw('jwtPublicKey')?.from}: not a PEM public key ("-----BEGIN PUBLIC KEY-----" …)`,
        );
      }
    } else if (jwksUrl !== undefined) {
      try {
        new URL(jwksUrl);
        jwt = { jwksUrl, algorithm, ...claims };
      } catch {
        problems.push(`${raw('jwtJwksUrl')?.from}: not a valid URL`);
      }
    }
  }

  let engine: EngineConfig = { kind: 'memory' };
  const engineKind = str('engine') ?? 'memory';
  if (engineKind === 'redis') {
    const url = str('redisUrl');
    const prefix = str('redisPrefix');
    if (url === undefined) problems.push('AGENTWIRE_REDIS_URL: required with the redis engine');
    else if (!/^rediss?:\/\//.test(url))
      problems.push('AGENTWIRE_REDIS_URL: must start with redis:// or rediss://');
    else engine = { kind: 'redis', url, ...(prefix !== undefined && { prefix }) };
  } else if (engineKind !== 'memory') {
    problems.push(`${raw('engine')?.from}: must be "memory" or "redis" (got "${engineKind}")`);
  }

  const allowedOrigins = list('allowedOrigins');
  for (const origin of allowedOrigins ?? []) {
    if (!/^https?:\/\/[^/]+$/.test(origin)) {
      problems.push(
        `${raw('allowedOrigins')?.from}: "${origin}" is not an origin like https://app.example.com`,
      );
    }
  }
  const metricsPort =
    raw('metricsPort') === undefined ? undefined : int('metricsPort', 0, 65535, 0);
  const metricsHost = str('metricsHost');
  const metricsToken = str('metricsToken');
  if (metricsToken !== undefined && Buffer.byteLength(metricsToken) < 16) {
    problems.push(`${raw('metricsToken')?.from}: must be at least 16 bytes`);
  }
  if (metricsHost !== undefined && metricsPort === undefined) {
    problems.push(`${raw('metricsHost')?.from}: needs AGENTWIRE_METRICS_PORT (a port of its own)`);
  }
  const metrics = {
    ...(metricsPort !== undefined && { port: metricsPort }),
    ...(metricsHost !== undefined && { host: metricsHost }),
    ...(metricsToken !== undefined && { token: metricsToken }),
  };
  const upstream = upstreamConfig(str, int, raw, problems);
  const config: GatewayConfig = {
    profile,
    engine,
    port: int('port', 0, 65535, 8080),
    host: str('host') ?? '127.0.0.1',
    logLevel: str('logLevel') ?? 'info',
    options: {
      auth: {
        jwt: jwt ?? { secret: '' },
        apiKeys: apiKeys ?? [],
        ticketTtlMs: int('ticketTtlMs', 1000, 600_000, 30_000),
      },
      ...(allowedOrigins !== undefined && { allowedOrigins }),
      history: {
        maxEvents: int('historyMaxEvents', 1, 1_000_000, 1000),
        maxAgeMs: int('historyMaxAgeMs', 1000, 7 * 24 * 3_600_000, 15 * 60_000),
      },
      limits: {
        maxConnectionsPerUser: int('maxConnectionsPerUser', 1, 10_000, 16),
        maxFrameBytes: int('maxFrameBytes', 1024, 16 * 1024 * 1024, 64 * 1024),
        maxJsonDepth: int('maxJsonDepth', 2, 10_000, DEFAULT_LIMITS.maxJsonDepth),
        headersTimeoutMs: int('headersTimeoutMs', 100, 600_000, DEFAULT_LIMITS.headersTimeoutMs),
        requestTimeoutMs: int('requestTimeoutMs', 100, 3_600_000, DEFAULT_LIMITS.requestTimeoutMs),
        slowConsumerGraceMs: int(
          'slowConsumerGraceMs',
          0,
          600_000,
          DEFAULT_LIMITS.slowConsumerGraceMs,
        ),
        coalesceWindowMs: int('coalesceMs', 0, 1000, DEFAULT_LIMITS.coalesceWindowMs),
        slowConsumerTimeoutMs: int(
          'slowConsumerTimeoutMs',
          100,
          3_600_000,
          DEFAULT_LIMITS.slowConsumerTimeoutMs,
        ),
      },
      heartbeatMs: int('heartbeatMs', 1000, 3_600_000, 30_000),
      ...(Object.keys(metrics).length > 0 && { metrics }),
      engineTimeoutMs: int('engineTimeoutMs', 50, 60_000, DEFAULT_ENGINE_TIMEOUT_MS),
      drainWindowMs: int('drainWindowMs', 0, 600_000, DEFAULT_DRAIN.windowMs),
      drainBatchIntervalMs: int('drainBatchIntervalMs', 1, 60_000, DEFAULT_DRAIN.batchIntervalMs),
      drainTimeoutMs: int('drainTimeoutMs', 0, 600_000, DEFAULT_DRAIN_TIMEOUT_MS),
      connectionLeaseMs: int('connectionLeaseMs', 300, 3_600_000, DEFAULT_CONNECTION_LEASE_MS),
      ...(upstream !== undefined && { upstream }),
    },
    ...(devCredentials !== undefined && { devCredentials }),
  };
  const logFormat = str('logFormat');
  if (logFormat === 'json' || logFormat === 'pretty') config.logFormat = logFormat;
  else if (logFormat !== undefined) {
    problems.push(`${raw('logFormat')?.from}: must be "json" or "pretty" (got "${logFormat}")`);
  }
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel)) {
    problems.push(
      `${raw('logLevel')?.from}: must be one of fatal, error, warn, info, debug, trace, silent`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
