import {
  isStreamPosition as isProtocolPosition,
  type StreamPosition as ProtocolPosition,
} from '@agentwire/protocol';

/**
 * Where a client is in its user's stream; what it resumes from: the protocol's position and the
 * user it belongs to (a saved position of another user is never resumed).
 */
export interface StreamPosition extends ProtocolPosition {
  userId: string;
}

/** Persists the position so that a page reload resumes too. */
export interface PositionStore {
  load(): StreamPosition | undefined;
  /** Called after each event was handed to the application, and on welcome and resync. */
  save(position: StreamPosition): void;
  clear(): void;
}

interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function isSavedPosition(value: unknown): value is StreamPosition {
  return isProtocolPosition(value) && typeof (value as StreamPosition).userId === 'string';
}

/**
 * A PositionStore in `sessionStorage` (per tab, survives reloads, not shared between tabs).
 * A stored position of another user is ignored: the client checks `userId` at `welcome`.
 */
export function sessionStoragePosition(
  key = 'agentwire.position',
  storage: StorageLike | undefined = (globalThis as { sessionStorage?: StorageLike })
    .sessionStorage,
): PositionStore {
  return {
    load() {
      try {
        const parsed: unknown = JSON.parse(storage?.getItem(key) ?? 'null');
        return isSavedPosition(parsed) ? parsed : undefined;
      } catch {
        return undefined;
      }
    },
    save(position) {
      try {
        storage?.setItem(key, JSON.stringify(position));
      } catch {
        // Storage full or disabled: resuming after a reload is best effort.
      }
    },
    clear() {
      try {
        storage?.removeItem(key);
      } catch {}
    },
  };
}
