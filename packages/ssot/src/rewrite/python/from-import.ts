import type { ImportedName, ImportRecord } from '../../extract/types.js';
import type { Edit } from '../../workspace/edits.js';
import type { RewriteInput, RewriteOutput } from '../types.js';
import type { Node } from './names.js';
import type { PySpeller } from './speller.js';
import {
  endsLine,
  indentOf,
  itemSpan,
  lineEnd,
  lineStart,
  removeItems,
  removeStatement,
  statementNode,
} from './statements.js';

/** A name of a `from M import …` statement and where it goes. */
export interface NameMove {
  index: number;
  name: ImportedName;
  /** Module the new `from … import` names. */
  fromModule: string;
  fromFile: string | null;
  /** Text of the new import item (`Z`, `Z as Y`, `core as manager`). */
  text: string;
  /** A module object imported with `import T as L` because T has no parent package. */
  plainImport: string | null;
}

/**
 * Emits the edits for one `from M import …` statement whose names move: in place when all of
 * them go to one module; otherwise the moved names leave the statement and join an import of
 * their module in the same block (merge) or a new statement right after it.
 */
export function emitFromImport(
  imp: ImportRecord,
  node: () => Node | null,
  moves: NameMove[],
  input: RewriteInput,
  speller: PySpeller,
  plans: { imp: ImportRecord }[],
  edits: Edit[],
  out: RewriteOutput,
): void {
  const { text } = input;
  const groups = new Map<string, NameMove[]>();
  for (const m of moves) {
    const key = m.plainImport !== null ? `\0import ${m.plainImport}` : m.fromModule;
    const g = groups.get(key);
    if (g) g.push(m);
    else groups.set(key, [m]);
  }
  const allMove = moves.length === imp.names.length;
  const local: Edit[] = [];
  // An import of the target module already in the block takes the names (merge).
  const remaining: string[] = [];
  for (const [key, g] of groups) {
    const first = g[0] as NameMove;
    if (first.plainImport === null && mergeInto(imp, node, first, g, input, plans, local)) continue;
    remaining.push(key);
  }
  // In place: the first other `from` group takes over the statement when every name moves.
  const inPlaceKey = allMove ? remaining.find((k) => !k.startsWith('\0')) : undefined;
  const removed = new Set<number>();
  if (inPlaceKey !== undefined) {
    const g = groups.get(inPlaceKey) as NameMove[];
    const first = g[0] as NameMove;
    local.push({
      start: imp.specifierSpan.start,
      end: imp.specifierSpan.end,
      text: speller.fromModule(imp, first.fromModule, first.fromFile),
    });
    for (const m of g) {
      const span = itemSpan(m.name);
      if (text.slice(span.start, span.end) !== m.text) local.push({ ...span, text: m.text });
    }
    for (const m of moves) if (!g.includes(m)) removed.add(m.index);
  } else {
    for (const m of moves) removed.add(m.index);
  }
  const removeAll = removed.size === imp.names.length;
  const pending: string[] = [];
  for (const key of remaining) {
    if (key === inPlaceKey) continue;
    const g = groups.get(key) as NameMove[];
    const first = g[0] as NameMove;
    if (first.plainImport !== null) {
      for (const m of g) pending.push(`import ${m.plainImport}`);
      continue;
    }
    pending.push(
      `from ${speller.fromModule(imp, first.fromModule, first.fromFile)} import ${g.map((m) => m.text).join(', ')}`,
    );
  }
  const indent = indentOf(text, imp.span.start);
  if (pending.length && (indent === null || !endsLine(text, imp.span.end))) {
    // Cannot add a statement on a shared line: leave the statement whole.
    out.notes.push(`line ${imp.line}: shares its line with other code; split it to migrate`);
    out.statements--;
    return;
  }
  edits.push(...local);
  if (removeAll) {
    if (pending.length) {
      // Replace the statement by the new ones, keeping the line.
      edits.push({ start: imp.span.start, end: imp.span.end, text: pending.join(`\n${indent}`) });
    } else removeStatement(text, imp, edits);
    return;
  }
  if (removed.size) removeItems(imp, removed, edits);
  if (pending.length) {
    const at = lineEnd(text, imp.span.end);
    const eol = text[at - 1] === '\r' ? at - 1 : at;
    edits.push({ start: eol, end: eol, text: pending.map((p) => `\n${indent}${p}`).join('') });
  }
}

/**
 * Adds the names to an existing `from T import …` in the same block that no rule rewrites,
 * when nothing but imports lies between (or it comes first). Returns whether it merged.
 */
function mergeInto(
  imp: ImportRecord,
  node: () => Node | null,
  first: NameMove,
  group: NameMove[],
  input: RewriteInput,
  plans: { imp: ImportRecord }[],
  edits: Edit[],
): boolean {
  const { text, record } = input;
  // A statement with its own comment stays where it is, so the comment keeps its statement.
  if (hasOwnComment(text, imp)) return false;
  for (let j = 0; j < record.imports.length; j++) {
    const other = record.imports[j] as ImportRecord;
    if (other === imp || other.kind !== 'import' || other.names.length === 0) continue;
    if (plans.some((p) => p.imp === other)) continue;
    const r = input.resolved(j);
    const same = first.fromFile ? r.file === first.fromFile : r.module === first.fromModule;
    if (!same) continue;
    const parent = node()?.parent;
    if (!parent) return false;
    const otherNode = statementNode(parent, other);
    if (
      !otherNode ||
      otherNode.parent?.startIndex !== parent.startIndex ||
      otherNode.parent?.type !== parent.type
    ) {
      continue;
    }
    // The names must stay bound where they were: never merged into a later statement.
    if (other.span.start > imp.span.start) continue;
    const have = new Set(other.names.map((n) => `${n.imported}\0${n.local}`));
    const add = group
      .filter((m) => {
        const [name, , local] = m.text.split(' ');
        return !have.has(`${name}\0${local ?? name}`);
      })
      .map((m) => m.text);
    if (add.length) {
      const last = other.names[other.names.length - 1] as ImportedName;
      const end = itemSpan(last).end;
      const after = text.slice(end, other.span.end);
      const trailingComma = /^\s*,/.exec(after);
      if (trailingComma && text.slice(other.span.start, end).includes('\n')) {
        const lineBegin = lineStart(text, itemSpan(last).start);
        const ind = /^[ \t]*/.exec(text.slice(lineBegin))?.[0] ?? '    ';
        const at = end + trailingComma[0].length;
        edits.push({ start: at, end: at, text: add.map((a) => `\n${ind}${a},`).join('') });
      } else {
        edits.push({ start: end, end, text: add.map((a) => `, ${a}`).join('') });
      }
    }
    return true;
  }
  return false;
}

/** Whether a comment sits on the line right above the statement or after it on its last line. */
function hasOwnComment(text: string, imp: ImportRecord): boolean {
  const start = lineStart(text, imp.span.start);
  if (start > 0) {
    const above = text.slice(lineStart(text, start - 1), start - 1);
    if (/^[ \t]*#/.test(above)) return true;
  }
  return /#/.test(text.slice(imp.span.end, lineEnd(text, imp.span.end)));
}
