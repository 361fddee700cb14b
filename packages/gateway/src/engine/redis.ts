import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';
import type {
  AppendResult,
  Engine,
  HistoryLimits,
  ReadResult,
  StoredEvent,
  StreamHead,
  StreamListener,
} from './engine.js';

/**
 * Appends one event atomically: idempotency by id, the next seq, the stream entry (trimmed to
 * the count limit), expiry, and the fan-out message — published inside the script so that
 * messages leave Redis in seq order.
 * KEYS: seq, stream, ids, epoch · ARGV: id, json, maxEvents, historyTtlMs, now, newEpoch,
 * channel, streamTtlMs
 */
const APPEND = `
local epoch = redis.call('GET', KEYS[4])
if not epoch then
  epoch = ARGV[6]
  redis.call('SET', KEYS[4], epoch)
end
local existing = redis.call('ZSCORE', KEYS[3], ARGV[1])
if existing then
  return {tonumber(existing), epoch, 1}
end
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], seq .. '-0', 't', ARGV[5], 'i', ARGV[1], 'j', ARGV[2])
redis.call('ZADD', KEYS[3], seq, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', seq - tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[8])
redis.call('PEXPIRE', KEYS[4], ARGV[8])
redis.call('PUBLISH', ARGV[7], seq .. '|' .. string.len(ARGV[1]) .. '|' .. ARGV[1] .. ARGV[2])
return {seq, epoch, 0}
`;

/**
 * Reads the head and the entries after a position in one atomic step.
 * KEYS: seq, stream, epoch · ARGV: afterSeq, newEpoch, streamTtlMs
 */
const READ = `
local epoch = redis.call('GET', KEYS[3])
if not epoch then
  epoch = ARGV[2]
  redis.call('SET', KEYS[3], epoch, 'PX', ARGV[3])
end
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
local entries = {}
if tonumber(ARGV[1]) >= 0 then
  entries = redis.call('XRANGE', KEYS[2], '(' .. ARGV[1] .. '-0', '+')
end
return {epoch, seq, entries}
`;

interface ScriptCommands {
  agentwireAppend(...args: (string | number)[]): Promise<[number, string, number]>;
  agentwireRead(...args: (string | number)[]): Promise<[string, number, [string, string[]][]]>;
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
  /** Clock, for tests of age limits. */
  now?: () => number;
}

/**
 * The multi-node engine: each user's history is a Redis Stream (ids `<seq>-0`), seq and epoch
 * are plain keys, and new events fan out over Redis pub/sub to every gateway process that serves
 * one of the user's connections. Any node can resume any client: there are no sticky sessions.
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
  private readonly commands: Redis & ScriptCommands;
  private readonly subscriber: Redis;
  private readonly prefix: string;
  private readonly history: HistoryLimits;
  private readonly streamTtlMs: number;
  private readonly now: () => number;
  /** channel → the user and the local listeners of that user's stream */
  private readonly channels = new Map<string, { userId: string; listeners: Set<StreamListener> }>();

  constructor(options: RedisEngineOptions) {
    const redisOptions: RedisOptions = { maxRetriesPerRequest: 2, ...options.redisOptions };
    const Client = redisClass();
    this.commands = (
      options.url ? new Client(options.url, redisOptions) : new Client(redisOptions)
    ) as Redis & ScriptCommands;
    this.subscriber = this.commands.duplicate();
    this.prefix = options.prefix ?? 'agentwire';
    this.history = options.history;
    this.streamTtlMs = Math.max(
      options.streamTtlMs ?? 7 * 24 * 3_600_000,
      options.history.maxAgeMs,
    );
    this.now = options.now ?? Date.now;
    this.commands.defineCommand('agentwireAppend', { numberOfKeys: 4, lua: APPEND });
    this.commands.defineCommand('agentwireRead', { numberOfKeys: 3, lua: READ });
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) =>
      this.dispatch(channel.toString(), message),
    );
  }

  /** Keys share a hash tag per user, so a Redis Cluster keeps a user's keys in one slot. */
  private keys(userId: string) {
    const base = `${this.prefix}:{${encodeURIComponent(userId)}}`;
    return {
      seq: `${base}:seq`,
      stream: `${base}:stream`,
      ids: `${base}:ids`,
      epoch: `${base}:epoch`,
      channel: `${base}:live`,
    };
  }

  async append(userId: string, id: string, json: string): Promise<AppendResult> {
    const k = this.keys(userId);
    const [seq, epoch, duplicate] = await this.commands.agentwireAppend(
      k.seq,
      k.stream,
      k.ids,
      k.epoch,
      id,
      json,
      this.history.maxEvents,
      this.history.maxAgeMs,
      this.now(),
      newEpoch(),
      k.channel,
      this.streamTtlMs,
    );
    return { seq, epoch, duplicate: duplicate === 1 };
  }

  async head(userId: string): Promise<StreamHead> {
    const k = this.keys(userId);
    const [epoch, seq] = await this.commands.agentwireRead(
      k.seq,
      k.stream,
      k.epoch,
      -1,
      newEpoch(),
      this.streamTtlMs,
    );
    return { epoch, seq };
  }

  async read(userId: string, afterSeq: number): Promise<ReadResult> {
    const k = this.keys(userId);
    const [epoch, seq, entries] = await this.commands.agentwireRead(
      k.seq,
      k.stream,
      k.epoch,
      afterSeq,
      newEpoch(),
      this.streamTtlMs,
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

  async subscribe(userId: string, listener: StreamListener): Promise<() => Promise<void>> {
    const { channel } = this.keys(userId);
    let entry = this.channels.get(channel);
    if (!entry) {
      entry = { userId, listeners: new Set() };
      this.channels.set(channel, entry);
    }
    entry.listeners.add(listener);
    if (entry.listeners.size === 1) await this.subscriber.subscribe(channel);
    const held = entry;
    return async () => {
      held.listeners.delete(listener);
      if (held.listeners.size === 0 && this.channels.get(channel) === held) {
        this.channels.delete(channel);
        await this.subscriber.unsubscribe(channel);
      }
    };
  }

  /** `<seq>|<id byte length>|<id><json>` → the user's local listeners */
  private dispatch(channel: string, message: Buffer): void {
    const entry = this.channels.get(channel);
    if (!entry) return;
    const bar1 = message.indexOf(0x7c);
    const bar2 = message.indexOf(0x7c, bar1 + 1);
    const seq = Number(message.toString('latin1', 0, bar1));
    const idEnd = bar2 + 1 + Number(message.toString('latin1', bar1 + 1, bar2));
    const event: StoredEvent = {
      seq,
      id: message.toString('utf8', bar2 + 1, idEnd),
      json: message.toString('utf8', idEnd),
    };
    for (const listener of entry.listeners) listener(entry.userId, event);
  }

  async ready(): Promise<boolean> {
    try {
      return (await this.commands.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.channels.clear();
    await Promise.allSettled([this.subscriber.quit(), this.commands.quit()]);
  }
}

function newEpoch(): string {
  return randomBytes(6).toString('base64url');
}

function fieldsOf(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] as string] = flat[i + 1] as string;
  return out;
}
