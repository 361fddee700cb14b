import type { Edit } from '../workspace/edits.js';

/** Removes the items `removed` (indices into `spans`, in order) from a comma-separated list. */
export function removeSpans(
  spans: { start: number; end: number }[],
  removed: Set<number>,
  edits: Edit[],
): void {
  let lastKept = -1;
  for (let k = 0; k < spans.length; k++) if (!removed.has(k)) lastKept = k;
  for (let k = 0; k < spans.length; k++) {
    if (!removed.has(k)) continue;
    const s = spans[k] as { start: number; end: number };
    if (k < lastKept) {
      // Up to the next name.
      const next = spans[k + 1] as { start: number };
      edits.push({ start: s.start, end: next.start, text: '' });
    } else {
      // A trailing run: from the end of the last kept name.
      const prevEnd = k === lastKept + 1 ? (spans[lastKept] as { end: number }).end : s.start;
      edits.push({ start: prevEnd, end: s.end, text: '' });
    }
  }
}
