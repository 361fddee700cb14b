import { randomBytes } from 'node:crypto';
import type {
  AppendResult,
  Engine,
  HistoryLimits,
  ReadResult,
  StoredEvent,
  StreamHead,
  StreamListener,
} from './engine.js';

interface Entry extends StoredEvent {
  at: number;
}

/** One user's stream: a bounded history window over a gapless seq. */
class UserStream {
  /** History in seq order; `entries[start]` is the oldest still held. */
  private entries: Entry[] = [];
  private start = 0;
  readonly ids = new Map<string, number>();
  readonly listeners = new Set<StreamListener>();
  seq = 0;
  lastActivity: number;

  constructor(
    readonly epoch: string,
    now: number,
  ) {
    this.lastActivity = now;
  }

  get size(): number {
    return this.entries.length - this.start;
  }

  oldestSeq(): number {
    return this.entries[this.start]?.seq ?? this.seq + 1;
  }

  push(entry: Entry): void {
    this.entries.push(entry);
    this.ids.set(entry.id, entry.seq);
  }

  trim(limits: HistoryLimits, now: number): void {
    const cutoff = now - limits.maxAgeMs;
    const entries = this.entries;
    let start = this.start;
    while (start < entries.length) {
      const e = entries[start] as Entry;
      if (entries.length - start <= limits.maxEvents && e.at >= cutoff) break;
      this.ids.delete(e.id);
      start++;
    }
    // Compact once the dead prefix outweighs the live part, so trimming stays amortised O(1).
    if (start > 64 && start * 2 > entries.length) {
      this.entries = entries.slice(start);
      start = 0;
    }
    this.start = start;
  }

  after(afterSeq: number): StoredEvent[] {
    const from = Math.max(this.start, this.start + (afterSeq + 1 - this.oldestSeq()));
    const out: StoredEvent[] = [];
    for (let i = from; i < this.entries.length; i++) {
      const e = this.entries[i] as Entry;
      out.push({ seq: e.seq, id: e.id, json: e.json });
    }
    return out;
  }
}

export interface MemoryEngineOptions {
  history: HistoryLimits;
  /** Clock, for tests of age limits. */
  now?: () => number;
  /** How often idle streams are swept, in ms; 0 disables the timer. */
  sweepIntervalMs?: number;
}

/**
 * The default engine: everything in this process. Epochs are per user stream, so a stream that was
 * swept away and starts again tells resuming clients to resync instead of replaying a reused seq.
 */
export class MemoryEngine implements Engine {
  readonly name = 'memory';
  private readonly streams = new Map<string, UserStream>();
  private readonly history: HistoryLimits;
  private readonly now: () => number;
  private readonly sweepTimer: NodeJS.Timeout | undefined;

  constructor(options: MemoryEngineOptions) {
    this.history = options.history;
    this.now = options.now ?? Date.now;
    const every = options.sweepIntervalMs ?? Math.min(60_000, options.history.maxAgeMs);
    if (every > 0) {
      this.sweepTimer = setInterval(() => this.sweep(), every);
      this.sweepTimer.unref();
    }
  }

  private stream(userId: string): UserStream {
    let stream = this.streams.get(userId);
    if (!stream) {
      stream = new UserStream(randomBytes(6).toString('base64url'), this.now());
      this.streams.set(userId, stream);
    }
    return stream;
  }

  appendSync(userId: string, id: string, json: string): AppendResult {
    const stream = this.stream(userId);
    const now = this.now();
    stream.lastActivity = now;
    stream.trim(this.history, now);
    const existing = stream.ids.get(id);
    if (existing !== undefined) return { seq: existing, epoch: stream.epoch, duplicate: true };
    const entry: Entry = { seq: ++stream.seq, id, json, at: now };
    stream.push(entry);
    stream.trim(this.history, now);
    for (const listener of stream.listeners) listener(userId, entry);
    return { seq: entry.seq, epoch: stream.epoch, duplicate: false };
  }

  async append(userId: string, id: string, json: string): Promise<AppendResult> {
    return this.appendSync(userId, id, json);
  }

  async head(userId: string): Promise<StreamHead> {
    const stream = this.stream(userId);
    return { epoch: stream.epoch, seq: stream.seq };
  }

  async read(userId: string, afterSeq: number): Promise<ReadResult> {
    const stream = this.stream(userId);
    stream.trim(this.history, this.now());
    const truncated = afterSeq < stream.seq && afterSeq + 1 < stream.oldestSeq();
    return { epoch: stream.epoch, seq: stream.seq, events: stream.after(afterSeq), truncated };
  }

  async subscribe(userId: string, listener: StreamListener): Promise<() => Promise<void>> {
    const stream = this.stream(userId);
    stream.listeners.add(listener);
    return async () => {
      stream.listeners.delete(listener);
      stream.lastActivity = this.now();
    };
  }

  /** Drops streams nobody listens to whose history has fully aged out. */
  sweep(): void {
    const now = this.now();
    for (const [userId, stream] of this.streams) {
      if (stream.listeners.size > 0) continue;
      stream.trim(this.history, now);
      if (stream.size === 0 && now - stream.lastActivity >= this.history.maxAgeMs) {
        this.streams.delete(userId);
      }
    }
  }

  /** Number of user streams held, for metrics and leak tests. */
  get streamCount(): number {
    return this.streams.size;
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const stream of this.streams.values()) stream.listeners.clear();
  }
}
