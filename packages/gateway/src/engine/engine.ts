import type { Delta } from '../codec/deltas-frame.js';

/**
 * The engine owns each user's stream: the per-user `seq` counter, the epoch, bounded history,
 * idempotency by event id, and fan-out to the processes that serve the user's connections.
 * `memory` implements it in process; a Redis Streams engine implements the same interface, and
 * both must pass the conformance suite in test/engine/conformance.ts.
 */

/** One event of a user's stream. `json` is the serialized AgentEvent, sent to clients as-is. */
export interface StoredEvent {
  readonly seq: number;
  readonly id: string;
  readonly json: string;
  /**
   * The complete WebSocket `event` frame for this event (`codec/event-frame.ts`), when the engine keeps its
   * events as frames (the memory engine): delivery and replay write it as it is. Without it the
   * connection manager builds the frame from `seq` and `json`.
   */
  readonly frame?: Buffer;
  /**
   * For an `agent_message` an in-process engine hands to its listeners: the fields the publisher
   * passed to `appendSync`, so fan-out need not parse `json` to coalesce it.
   */
  readonly delta?: Delta;
  /**
   * Present when `frame` is a view of memory the engine reuses (the memory engine's history). The
   * receiver then owes one `release` per receipt (each listener call, each event a `read`
   * returned) and one per `retain`: the call says it is done with the bytes — it kept no
   * reference and every socket it wrote them to has sent them. Until the last one the bytes stay
   * as they are; after it they may be overwritten. An event never released leaves its memory to
   * the garbage collector, which may not look for it soon (see engine/history-chunks.ts).
   */
  release?(): void;
  /** Takes one more hold of `frame` (with `release`): for a second holder, e.g. a socket. */
  retain?(): void;
}

export interface AppendResult {
  seq: number;
  epoch: string;
  /** True when `id` was already in history: `seq` is the original one and nothing was appended. */
  duplicate: boolean;
}

export interface StreamHead {
  epoch: string;
  /** Seq of the newest event; 0 for a stream with no events yet. */
  seq: number;
}

export interface ReadResult extends StreamHead {
  /** Events with seq > afterSeq still in history, in seq order, up to `seq` (the head). */
  events: StoredEvent[];
  /** True when history no longer holds every event after `afterSeq` (some aged or were trimmed). */
  truncated: boolean;
}

/**
 * Receives the user's new events, in seq order, on every process that subscribed, with the
 * stream's epoch: an epoch other than the one a connection holds means the stream restarted
 * (e.g. Redis lost its data), and the connection must be told with `resync`.
 */
export type StreamListener = (userId: string, event: StoredEvent, epoch: string) => void;

/**
 * Told when live fan-out may have missed events of the user's stream (e.g. the engine's
 * subscription to its store was re-established after a disconnect): every connection must catch
 * up from history (`read`), which also reveals an epoch change.
 */
export type InterruptionListener = () => void;

export interface HistoryLimits {
  /** Events kept per user. */
  maxEvents: number;
  /** How long an event stays resumable, in milliseconds. */
  maxAgeMs: number;
}

/** Memory an engine holds outside V8's heap figures (the memory engine's history chunks). */
export interface HistoryMemory {
  /** Bytes allocated and not let go: in history, held by a socket, or free. */
  allocatedBytes: number;
  /** Of those, bytes free for reuse. */
  freeBytes: number;
}

export interface Engine {
  readonly name: string;
  /**
   * Optional port for engines whose history lives in this process outside V8's heap figures:
   * read at scrape time into `agentwire_history_memory_bytes`.
   */
  historyMemory?(): HistoryMemory;
  /** Appends to the user's stream; idempotent by `id` while the original is in history. */
  append(userId: string, id: string, json: string): Promise<AppendResult>;
  /**
   * The same as `append`, for engines that hold streams in process and can answer at once. The
   * publisher prefers it when present: it saves the promises of an asynchronous append. `fresh`
   * says the gateway generated `id` just now, so it cannot be a duplicate.
   */
  appendSync?(
    userId: string,
    id: string,
    json: string,
    fresh?: boolean,
    delta?: Delta,
  ): AppendResult;
  head(userId: string): Promise<StreamHead>;
  /** Reads what history holds after `afterSeq`. */
  read(userId: string, afterSeq: number): Promise<ReadResult>;
  /**
   * Starts live fan-out of the user's new events to `listener`; resolves once it is active.
   * `onInterrupted` is called when fan-out may have missed events since (see its type).
   */
  subscribe(
    userId: string,
    listener: StreamListener,
    onInterrupted?: InterruptionListener,
  ): Promise<() => Promise<void>>;
  /** Whether the engine can serve (e.g. its backing store is reachable). */
  ready(): Promise<boolean>;
  /**
   * Shared state of the cluster: single-use tickets and connection leases. An engine that serves
   * several processes (Redis) must implement it so that a ticket issued on one node is redeemed
   * on any, and the per-user connection cap counts every node's connections.
   */
  readonly shared: SharedState;
  close(): Promise<void>;
}

/** State every gateway process of a deployment shares through the engine. */
export interface SharedState {
  /** Stores `value` under `key` for `ttlMs`. */
  putTicket(key: string, value: string, ttlMs: number): Promise<void>;
  /** Removes and returns the value under `key`, atomically: of concurrent takes one wins. */
  takeTicket(key: string): Promise<string | undefined>;
  /**
   * Admits connection `connectionId` of `userId` when the user holds fewer than `max`
   * connections over all processes, holding a lease of `leaseMs` (renewed with `renewLeases`);
   * returns false (and holds nothing) when the user is at the cap.
   */
  admitConnection(
    userId: string,
    connectionId: string,
    max: number,
    leaseMs: number,
  ): Promise<boolean>;
  /**
   * Extends the leases of connections still open on this process. Absent when a lease cannot
   * outlive the process that holds it (one process, the memory engine): nothing is renewed then.
   */
  renewLeases?(leases: readonly ConnectionLease[], leaseMs: number): Promise<void>;
  /** Gives the connection's lease back. */
  releaseConnection(userId: string, connectionId: string): Promise<void>;
}

export interface ConnectionLease {
  userId: string;
  connectionId: string;
}
