import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';
import { EngineUnavailableError } from '../errors.js';
import type {
  AppendResult,
  ConnectionLease,
  Engine,
  HistoryLimits,
  InterruptionListener,
  ReadResult,
  SharedState,
  StoredEvent,
  StreamHead,
  StreamListener,
} from './engine.js';

/**
 * The user's seq and epoch live in one hash (`meta`), so that they vanish together: a Redis that
 * lost its data (restart without persistence, flush, eviction, expiry) has no meta, and the next
 * call starts a new epoch — which every client learns through `resync`, never a silent
 * renumbering. Starting an epoch deletes what is left of the old one's history and ids.
 * KEYS: meta, stream, ids · ARGV: newEpoch, streamTtlMs
 */
const EPOCH = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2], KEYS[3])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
`;

/**
 * Appends one event atomically: idempotency by id, the next seq, the stream entry (trimmed to
 * the count limit), expiry, and the fan-out message — published inside the script so that
 * messages leave Redis in seq order, each with its epoch.
 * KEYS: meta, stream, ids · ARGV: newEpoch, streamTtlMs, id, json, maxEvents, historyTtlMs, now,
 * channel
 */
const APPEND = `${EPOCH}
local existing = redis.call('ZSCORE', KEYS[3], ARGV[3])
if existing then
  return {tonumber(existing), epoch, 1}
end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[5], seq .. '-0', 't', ARGV[7], 'i', ARGV[3], 'j', ARGV[4])
redis.call('ZADD', KEYS[3], seq, ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', seq - tonumber(ARGV[5]))
redis.call('PEXPIRE', KEYS[2], ARGV[6])
redis.call('PEXPIRE', KEYS[3], ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[8], epoch .. '|' .. seq .. '|' .. string.len(ARGV[3]) .. '|' .. ARGV[3] .. ARGV[4])
return {seq, epoch, 0}
`;

/**
 * Reads the head and the entries after a position in one atomic step.
 * KEYS: meta, stream, ids · ARGV: newEpoch, streamTtlMs, afterSeq
 */
const READ = `${EPOCH}
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local entries = {}
if tonumber(ARGV[3]) >= 0 then
  entries = redis.call('XRANGE', KEYS[2], '(' .. ARGV[3] .. '-0', '+')
end
return {epoch, seq, entries}
`;

/**
 * Admits a connection under the per-user cap, counting live leases only. Lease expiry uses
 * Redis's clock, so the nodes' clocks need not agree.
 * KEYS: conns · ARGV: connectionId, max, leaseMs
 */
const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

/**
 * Extends the lease of a connection that is still open — adding it again if Redis lost it (a
 * restart without persistence), so the count recovers. A connection that closed between the
 * renewal's snapshot and this leaves a lease that expires within one lease time.
 * KEYS: conns · ARGV: connectionId, leaseMs
 */
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

interface ScriptCommands {
  agentwireAppend(...args: (string | number)[]): Promise<[number, string, number]>;
  agentwireRead(...args: (string | number)[]): Promise<[string, number, [string, string[]][]]>;
  agentwireAdmit(...args: (string | number)[]): Promise<number>;
  agentwireRenew(...args: (string | number)[]): Promise<number>;
}

export interface RedisEngineOptions {
  /** `redis://host:port/db`; or pass `redisOptions`. */
  url?: string;
  redisOptions?: RedisOptions;
  history: HistoryLimits;
  /** Prefix of every key and channel, to share a Redis between deployments. */
  prefix?: string;
  /**
   * How long a user's seq and epoch outlive their last append. A stream whose counter expired
   * starts a new epoch, so clients resync rather than misread a reused seq.
   */
  streamTtlMs?: number;
  /**
   * Longest wait for Redis, per command and for a connection to (re)open, in ms: a stalled or
   * unreachable Redis fails the call with EngineUnavailableError instead of hanging it.
   */
  timeoutMs?: number;
  /** Clock, for tests of age limits. */
  now?: () => number;
}

export const DEFAULT_REDIS_TIMEOUT_MS = 1500;

/** A channel this process subscribed to: the user, its listeners, who to tell of a gap. */
interface Subscription {
  userId: string;
  listeners: Set<StreamListener>;
  interrupted: Set<InterruptionListener>;
}

/**
 * The multi-node engine: each user's history is a Redis Stream (ids `<seq>-0`), seq and epoch
 * share one hash, and new events fan out over Redis pub/sub to every gateway process that serves
 * one of the user's connections. Any node can resume any client: there are no sticky sessions.
 * Tickets and connection leases live in Redis too (`shared`).
 */
/**
 * ioredis is loaded when the first RedisEngine is made, not with the package: a gateway on the
 * memory engine does not carry it (about 10 MB of RSS, measured under the flood workload).
 */
function redisClass(): typeof Redis {
  return (createRequire(import.meta.url)('ioredis') as typeof import('ioredis')).Redis;
}

export class RedisEngine implements Engine {
  readonly name = 'redis';
  readonly shared: SharedState;
  private readonly commands: Redis & ScriptCommands;
  private readonly subscriber: Redis;
  private readonly prefix: string;
  private readonly history: HistoryLimits;
  private readonly streamTtlMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly channels = new Map<string, Subscription>();
  private subscriberWasReady = false;

  constructor(options: RedisEngineOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    const redisOptions: RedisOptions = {
      // Commands never wait in ioredis's offline queue (one that timed out there would still run
      // after a reconnect, so a caller told "unavailable" would have published after all):
      // `connected` waits for the connection instead, bounded, and nothing is sent late.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: this.timeoutMs,
      connectTimeout: this.timeoutMs,
      retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
      ...options.redisOptions,
    };
    const Client = redisClass();
    this.commands = (
      options.url ? new Client(options.url, redisOptions) : new Client(redisOptions)
    ) as Redis & ScriptCommands;
    this.subscriber = this.commands.duplicate();
    // Without listeners ioredis prints every connection error; the callers get them as rejections.
    this.commands.on('error', () => {});
    this.subscriber.on('error', () => {});
    this.prefix = options.prefix ?? 'agentwire';
    this.history = options.history;
    this.streamTtlMs = Math.max(
      options.streamTtlMs ?? 7 * 24 * 3_600_000,
      options.history.maxAgeMs,
    );
    this.now = options.now ?? Date.now;
    this.commands.defineCommand('agentwireAppend', { numberOfKeys: 3, lua: APPEND });
    this.commands.defineCommand('agentwireRead', { numberOfKeys: 3, lua: READ });
    this.commands.defineCommand('agentwireAdmit', { numberOfKeys: 1, lua: ADMIT });
    this.commands.defineCommand('agentwireRenew', { numberOfKeys: 1, lua: RENEW });
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) =>
      this.dispatch(channel.toString(), message),
    );
    this.subscriber.on('ready', () => this.subscriberReady());
    this.shared = new RedisSharedState(this);
  }

  /** Keys share a hash tag per user, so a Redis Cluster keeps a user's keys in one slot. */
  private keys(userId: string) {
    const base = `${this.prefix}:{${encodeURIComponent(userId)}}`;
    return {
      meta: `${base}:meta`,
      stream: `${base}:stream`,
      ids: `${base}:ids`,
      channel: `${base}:live`,
      conns: `${base}:conns`,
    };
  }

  /** @internal The key of a ticket (for RedisSharedState). */
  ticketKey(key: string): string {
    return `${this.prefix}:ticket:${key}`;
  }

  /** @internal Runs `command` on a connected client within the timeout (for RedisSharedState). */
  async call<T>(
    command: (redis: Redis & ScriptCommands) => Promise<T>,
    on: Redis = this.commands,
  ): Promise<T> {
    await this.connected(on);
    try {
      return await command(on as Redis & ScriptCommands);
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** Waits, up to the timeout, until `client` can take commands. */
  private async connected(client: Redis): Promise<void> {
    if (client.status === 'ready') return;
    if (client.status === 'end') throw new EngineUnavailableError('redis: connection closed');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.off('ready', onReady);
        reject(new EngineUnavailableError(`redis: not connected within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      client.once('ready', onReady);
    });
  }

  async append(userId: string, id: string, json: string): Promise<AppendResult> {
    const k = this.keys(userId);
    const [seq, epoch, duplicate] = await this.call((r) =>
      r.agentwireAppend(
        k.meta,
        k.stream,
        k.ids,
        newEpoch(),
        this.streamTtlMs,
        id,
        json,
        this.history.maxEvents,
        this.history.maxAgeMs,
        this.now(),
        k.channel,
      ),
    );
    return { seq, epoch, duplicate: duplicate === 1 };
  }

  async head(userId: string): Promise<StreamHead> {
    const k = this.keys(userId);
    const [epoch, seq] = await this.call((r) =>
      r.agentwireRead(k.meta, k.stream, k.ids, newEpoch(), this.streamTtlMs, -1),
    );
    return { epoch, seq };
  }

  async read(userId: string, afterSeq: number): Promise<ReadResult> {
    const k = this.keys(userId);
    const [epoch, seq, entries] = await this.call((r) =>
      r.agentwireRead(k.meta, k.stream, k.ids, newEpoch(), this.streamTtlMs, afterSeq),
    );
    const cutoff = this.now() - this.history.maxAgeMs;
    const events: StoredEvent[] = [];
    for (const [entryId, fields] of entries) {
      const entry = fieldsOf(fields);
      // Age trims from the oldest end only, like the count limit.
      if (events.length === 0 && Number(entry.t) < cutoff) continue;
      events.push({ seq: Number.parseInt(entryId, 10), id: entry.i ?? '', json: entry.j ?? '' });
    }
    const oldest = events[0]?.seq ?? seq + 1;
    const truncated = afterSeq < seq && afterSeq + 1 < oldest;
    return { epoch, seq, events, truncated };
  }

  async subscribe(
    userId: string,
    listener: StreamListener,
    onInterrupted?: InterruptionListener,
  ): Promise<() => Promise<void>> {
    const { channel } = this.keys(userId);
    let entry = this.channels.get(channel);
    if (!entry) {
      entry = { userId, listeners: new Set(), interrupted: new Set() };
      this.channels.set(channel, entry);
    }
    entry.listeners.add(listener);
    if (onInterrupted) entry.interrupted.add(onInterrupted);
    const held = entry;
    const unsubscribe = async () => {
      held.listeners.delete(listener);
      if (onInterrupted) held.interrupted.delete(onInterrupted);
      if (held.listeners.size === 0 && this.channels.get(channel) === held) {
        this.channels.delete(channel);
        // A lost connection unsubscribes everything anyway; ioredis does not resubscribe it.
        await this.subscriber.unsubscribe(channel).catch(() => {});
      }
    };
    if (entry.listeners.size === 1) {
      try {
        await this.call((r) => r.subscribe(channel), this.subscriber);
      } catch (error) {
        await unsubscribe();
        throw error;
      }
    }
    return unsubscribe;
  }

  /**
   * After a reconnect ioredis subscribes to every channel again, but whatever was published in
   * between was not delivered: once the subscriptions are active again (a PING answered after
   * them), every subscriber is told to catch up from history.
   */
  private subscriberReady(): void {
    if (!this.subscriberWasReady) {
      this.subscriberWasReady = true;
      return;
    }
    this.subscriber.ping().then(
      () => {
        for (const entry of this.channels.values())
          for (const notify of entry.interrupted) notify();
      },
      // Lost again: the next 'ready' tries again.
      () => {},
    );
  }

  /** `<epoch>|<seq>|<id byte length>|<id><json>` → the user's local listeners */
  private dispatch(channel: string, message: Buffer): void {
    const entry = this.channels.get(channel);
    if (!entry) return;
    const bar0 = message.indexOf(0x7c);
    const bar1 = message.indexOf(0x7c, bar0 + 1);
    const bar2 = message.indexOf(0x7c, bar1 + 1);
    const epoch = message.toString('latin1', 0, bar0);
    const seq = Number(message.toString('latin1', bar0 + 1, bar1));
    const idEnd = bar2 + 1 + Number(message.toString('latin1', bar1 + 1, bar2));
    const event: StoredEvent = {
      seq,
      id: message.toString('utf8', bar2 + 1, idEnd),
      json: message.toString('utf8', idEnd),
    };
    for (const listener of entry.listeners) listener(entry.userId, event, epoch);
  }

  /** @internal The key of a user's connection leases (for RedisSharedState). */
  connsKey(userId: string): string {
    return this.keys(userId).conns;
  }

  async ready(): Promise<boolean> {
    try {
      // Without its subscriber connection the engine cannot fan out.
      await this.connected(this.subscriber);
      return (await this.call((r) => r.ping())) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.channels.clear();
    await Promise.allSettled([this.subscriber.quit(), this.commands.quit()]);
    this.subscriber.disconnect();
    this.commands.disconnect();
  }
}

/** Tickets as keys with a TTL, taken with GETDEL; connection leases in a sorted set per user. */
class RedisSharedState implements SharedState {
  constructor(private readonly engine: RedisEngine) {}

  async putTicket(key: string, value: string, ttlMs: number): Promise<void> {
    await this.engine.call((r) => r.set(this.engine.ticketKey(key), value, 'PX', ttlMs));
  }

  async takeTicket(key: string): Promise<string | undefined> {
    const value = await this.engine.call((r) => r.getdel(this.engine.ticketKey(key)));
    return value ?? undefined;
  }

  async admitConnection(
    userId: string,
    connectionId: string,
    max: number,
    leaseMs: number,
  ): Promise<boolean> {
    const admitted = await this.engine.call((r) =>
      r.agentwireAdmit(this.engine.connsKey(userId), connectionId, max, leaseMs),
    );
    return admitted === 1;
  }

  async renewLeases(leases: readonly ConnectionLease[], leaseMs: number): Promise<void> {
    if (leases.length === 0) return;
    await this.engine.call(async (r) => {
      const pipeline = r.pipeline() as unknown as ScriptCommands & { exec(): Promise<unknown> };
      for (const { userId, connectionId } of leases)
        pipeline.agentwireRenew(this.engine.connsKey(userId), connectionId, leaseMs);
      await pipeline.exec();
    });
  }

  async releaseConnection(userId: string, connectionId: string): Promise<void> {
    await this.engine.call((r) => r.zrem(this.engine.connsKey(userId), connectionId));
  }
}

/** Redis's own errors (a script failed) are faults; anything else means Redis is out of reach. */
function unavailable(error: unknown): unknown {
  // ioredis is loaded lazily, so its ReplyError class is recognised by name.
  if ((error as Error)?.name === 'ReplyError' || error instanceof EngineUnavailableError)
    return error;
  return new EngineUnavailableError(`redis: ${(error as Error).message}`, { cause: error });
}

function newEpoch(): string {
  return randomBytes(6).toString('base64url');
}

function fieldsOf(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] as string] = flat[i + 1] as string;
  return out;
}
