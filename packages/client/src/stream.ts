import type { ResyncFrame, WelcomeFrame } from '@agentwire/protocol';
import { isSavedPosition, type PositionStore, type StreamPosition } from './position.js';

/** What became of an event frame. */
export type Arrival = 'delivered' | 'duplicate' | 'gap';

/**
 * The client's position in its user's stream and the exactly-once rule: events are handed on in
 * `seq` order, an old seq is a duplicate, a jump is a gap (the caller resumes from the position).
 * The position is saved to the store after each event was handed on, and on welcome and resync.
 */
export class StreamTracker {
  private pos: StreamPosition | undefined;
  /** The position the current socket asked to resume from. */
  private resumedFrom: StreamPosition | undefined;

  constructor(private readonly store: PositionStore | undefined) {
    const stored = store?.load();
    if (isSavedPosition(stored)) this.pos = { ...stored };
  }

  /** The seq of the last event delivered, with its epoch and user (a copy). */
  get position(): StreamPosition | undefined {
    return this.pos && { ...this.pos };
  }

  /** The user of the stream, once known (from a welcome or a saved position). */
  get userId(): string | undefined {
    return this.pos?.userId;
  }

  /** A new socket is opening: the position it resumes from (undefined: start live). */
  resumeFrom(): StreamPosition | undefined {
    this.resumedFrom = this.pos && { ...this.pos };
    return this.resumedFrom;
  }

  /**
   * The gateway welcomed the socket. False when the position it resumed from belongs to another
   * user (sign-out and in): the position is discarded and the caller starts over without it.
   */
  welcome(frame: WelcomeFrame): boolean {
    const from = this.resumedFrom;
    if (from && from.userId !== frame.userId) {
      this.pos = undefined;
      this.store?.clear();
      return false;
    }
    // Resumed: the replay follows. Not resumable: a resync frame follows.
    if (!from) this.set({ userId: frame.userId, epoch: frame.epoch, seq: frame.seq });
    return true;
  }

  /** An event frame: `deliver` is called (and the position saved after) when it is the next one. */
  receive(seq: number, deliver: () => void): Arrival | undefined {
    const pos = this.pos;
    if (!pos) return undefined;
    if (seq <= pos.seq) return 'duplicate';
    // A jump is never expected from the gateway; resuming from the last delivered event closes it.
    if (seq !== pos.seq + 1) return 'gap';
    pos.seq = seq;
    deliver();
    this.store?.save(pos);
    return 'delivered';
  }

  /** The gateway could not replay: delivery continues from the resync's position. */
  resync(frame: ResyncFrame, userId: string): void {
    this.set({ userId, epoch: frame.epoch, seq: frame.seq });
  }

  private set(position: StreamPosition): void {
    this.pos = position;
    this.store?.save(position);
  }
}
