import type { ImportedName, ImportRecord } from '../../extract/types.js';
import type { Edit } from '../../workspace/edits.js';
import { removeSpans } from '../lists.js';
import type { Node } from './names.js';

export function statementNode(root: Node, imp: ImportRecord): Node | null {
  let n: Node | null = root.descendantForIndex(
    imp.span.start,
    Math.max(imp.span.start, imp.span.end - 1),
  );
  while (n && n.type !== 'import_statement' && n.type !== 'import_from_statement') n = n.parent;
  return n;
}

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

export function lineEnd(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i === -1 ? text.length : i;
}

/** The indentation of a statement when it starts its line, else null (`x = 1; import y`). */
export function indentOf(text: string, stmtStart: number): string | null {
  const start = lineStart(text, stmtStart);
  const prefix = text.slice(start, stmtStart);
  return /^[ \t]*$/.test(prefix) ? prefix : null;
}

/** Whether only whitespace or a comment follows the statement on its last line. */
export function endsLine(text: string, stmtEnd: number): boolean {
  const rest = text.slice(stmtEnd, lineEnd(text, stmtEnd));
  return /^[ \t]*(#.*)?\r?$/.test(rest);
}

export function itemSpan(n: ImportedName): { start: number; end: number } {
  const start = (n.importedSpan as { start: number }).start;
  const end = (n.localSpan ?? n.importedSpan)?.end ?? start;
  return { start, end };
}

export function item(name: string, local: string): string {
  return name === local ? name : `${name} as ${local}`;
}

/** Removes a whole statement with its line when it is alone on it. */
export function removeStatement(text: string, imp: ImportRecord, edits: Edit[]): void {
  const start = lineStart(text, imp.span.start);
  const alone = /^[ \t]*$/.test(text.slice(start, imp.span.start)) && endsLine(text, imp.span.end);
  if (alone) {
    const end = lineEnd(text, imp.span.end);
    edits.push({ start, end: Math.min(text.length, end + 1), text: '' });
  } else {
    edits.push({ start: imp.span.start, end: imp.span.end, text: 'pass' });
  }
}

/** Removes names from an import list, keeping the separators of the rest. */
export function removeItems(imp: ImportRecord, removed: Set<number>, edits: Edit[]): void {
  removeSpans(imp.names.map(itemSpan), removed, edits);
}
