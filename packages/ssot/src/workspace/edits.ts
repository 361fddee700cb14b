import { structuredPatch } from 'diff';
import MagicString from 'magic-string';

/** Replace `[start, end)` with `text` (an insertion when start === end). */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits with magic-string; insertions go last so no update drops them. */
export function applyEdits(text: string, edits: Edit[]): string {
  const s = new MagicString(text);
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let end = -1;
  for (const e of sorted) {
    if (e.start < end && e.start !== e.end)
      throw new Error(`overlapping edits at offset ${e.start}`);
    if (e.end > e.start) end = Math.max(end, e.end);
  }
  for (const e of sorted) {
    if (e.start === e.end) continue;
    if (e.text === '') s.remove(e.start, e.end);
    else s.update(e.start, e.end, e.text);
  }
  for (const e of sorted) if (e.start === e.end) s.appendLeft(e.start, e.text);
  return s.toString();
}

/** A unified diff of one file, git style. */
export function unifiedDiff(file: string, before: string, after: string): string {
  const patch = structuredPatch(`a/${file}`, `b/${file}`, before, after, '', '', { context: 3 });
  const out = [`--- a/${file}`, `+++ b/${file}`];
  for (const h of patch.hunks) {
    out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines);
  }
  return `${out.join('\n')}\n`;
}

/** The 1-based line of a string offset. */
export function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
