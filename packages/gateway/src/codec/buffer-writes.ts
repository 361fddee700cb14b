/**
 * Node's Buffer has had `latin1Write`/`utf8Write(string, offset, length)` on its prototype for
 * years (what `buf.write(string, offset, encoding)` calls after sorting out its arguments); they
 * are not in the typings. Calling them directly skips `write`'s argument handling, which showed
 * up in profiles of the publish path. Falls back to `write` if a Node version lacks them.
 */
interface RawWrites {
  latin1Write(text: string, offset: number, length: number): number;
  utf8Write(text: string, offset: number, length: number): number;
}
const raw = Buffer.prototype as unknown as Partial<RawWrites>;

/** Writes `text` (Latin-1, one byte per character) into `target` at `at`; returns the bytes written. */
export const writeLatin1: (target: Buffer, text: string, at: number) => number =
  typeof raw.latin1Write === 'function'
    ? (target, text, at) =>
        (target as unknown as RawWrites).latin1Write(text, at, target.length - at)
    : (target, text, at) => target.write(text, at, 'latin1');

/** Writes `text` as UTF-8 into `target` at `at`; returns the bytes written. */
export const writeUtf8: (target: Buffer, text: string, at: number) => number =
  typeof raw.utf8Write === 'function'
    ? (target, text, at) => (target as unknown as RawWrites).utf8Write(text, at, target.length - at)
    : (target, text, at) => target.write(text, at, 'utf8');
