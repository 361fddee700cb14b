/** Where a client is in its user's stream; what it resumes from. */
export interface StreamPosition {
  userId: string;
  epoch: string;
  seq: number;
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

export function isStreamPosition(value: unknown): value is StreamPosition {
  const p = value as StreamPosition | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.userId === 'string' &&
    typeof p.epoch === 'string' &&
    Number.isSafeInteger(p.seq) &&
    p.seq >= 0
  );
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
        return isStreamPosition(parsed) ? parsed : undefined;
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
