import type { ImportRecord } from '../../extract/types.js';
import { lineOf } from '../../workspace/edits.js';
import type { RewriteInput, Target } from '../types.js';
import type { Occurrence } from './names.js';

export interface Rename {
  from: string;
  to: string;
  /** Import statements (span starts) that bind `from` and are rewritten with this rename. */
  statements: Set<number>;
  target: Target;
}

/** Why renaming `rn.from` → `rn.to` in this file is unsafe, or null. */
export function renameProblem(
  rn: Rename,
  imports: ImportRecord[],
  occurrences: (name: string) => Occurrence[],
  input: RewriteInput,
  text: string,
): string | null {
  for (const o of occurrences(rn.from)) {
    if (o.role === 'binding') {
      return `renaming ${rn.from} → ${rn.to} is unsafe: ${rn.from} is also bound at line ${o.node.startPosition.row + 1}`;
    }
  }
  for (const imp of imports) {
    if (rn.statements.has(imp.span.start)) continue;
    if (imp.binds === rn.from || imp.names.some((n) => n.local === rn.from)) {
      return `renaming ${rn.from} → ${rn.to} is unsafe: ${rn.from} is also imported at line ${lineOf(text, imp.span.start)}`;
    }
  }
  // The new name must be free, unless it already names the same thing (imported from the target).
  const sameImport = imports.some((imp, i) =>
    imp.names.some((n) => {
      if (n.local !== rn.to) return false;
      const r = input.resolved(i);
      return r.file === rn.target.file && n.imported === rn.to;
    }),
  );
  if (sameImport) return null;
  for (const o of occurrences(rn.to)) {
    if (o.role !== 'skip') {
      return `renaming ${rn.from} → ${rn.to} is unsafe: ${rn.to} already names something else at line ${o.node.startPosition.row + 1}`;
    }
  }
  for (const imp of imports) {
    if (imp.binds === rn.to || imp.names.some((n) => n.local === rn.to)) {
      return `renaming ${rn.from} → ${rn.to} is unsafe: ${rn.to} is already imported at line ${lineOf(text, imp.span.start)}`;
    }
  }
  return null;
}
