import type { ImportedName, ImportRecord } from '../extract/types.js';
import type { Edit } from '../workspace/edits.js';
import type { Project } from '../workspace/project.js';
import { removeSpans } from './lists.js';
import { isTarget, type RewriteInput, type RewriteOutput, type Target } from './types.js';
import { typescriptSpeller } from './typescript-speller.js';
import { rewriteModuleStrings } from './typescript-strings.js';

interface NameMove {
  index: number;
  name: ImportedName;
  target: Target;
  /** The new specifier item text, without a `type` modifier. */
  text: string;
}

/** An item with its inline `type` modifier, if any. */
function fullItemSpan(text: string, n: ImportedName): { start: number; end: number } {
  const span = itemSpan(n);
  if (!n.isType) return span;
  const m = /\btype\s+$/.exec(text.slice(Math.max(0, span.start - 32), span.start));
  return m ? { start: span.start - m[0].length, end: span.end } : span;
}

function typed(m: NameMove, typeOnlyStatement: boolean): string {
  return m.name.isType && !typeOnlyStatement ? `type ${m.text}` : m.text;
}

function itemSpan(n: ImportedName): { start: number; end: number } {
  const start = (n.importedSpan as { start: number }).start;
  const end = (n.localSpan ?? n.importedSpan)?.end ?? start;
  return { start, end };
}

/**
 * Rewrites one TS/JS file's module specifiers and moved names: `import`, `import type`,
 * `export … from`, `export *`, `require()`, `import x = require()`, dynamic `import()`. Only the
 * specifier text inside its quotes and the moved names change; a name that is renamed keeps its
 * local binding (`import { New as Old }`), so no reference in the file changes.
 */
export function rewriteTypeScript(input: RewriteInput, project: Project): RewriteOutput {
  const { text, record } = input;
  const speller = typescriptSpeller(project, input.file, input.resolved, record);
  const out: RewriteOutput = { edits: [], statements: 0, notes: [], skip: null };
  const rewritten = new Set<number>();
  /** New statements to add after the import they come from, or merges into existing imports. */
  const additions: { after: ImportRecord; text: string }[] = [];
  const merges = new Map<number, string[]>();

  const visit = (imp: ImportRecord, index: number): void => {
    const note = (why: string): void => {
      out.notes.push(`line ${imp.line}: ${why}`);
    };
    const moduleRule = input.lookup(index, null);
    if (moduleRule && !isTarget(moduleRule)) {
      note(`target module ${moduleRule.missing} does not exist`);
      return;
    }
    const spell = (t: Target): string | null => {
      if (t.file === input.file) {
        note(`would import the file itself (${t.module})`);
        return null;
      }
      const s = speller.specifier(imp, t);
      if (s === null) note(`no specifier from ${input.file} reaches ${t.file}`);
      return s;
    };

    const namedKinds = imp.kind === 'import' || imp.kind === 'reexport' || imp.kind === 'require';
    const named = namedKinds ? imp.names.filter((n) => n.importedSpan !== null) : [];
    const moves: NameMove[] = [];
    let stays = 0;
    if (named.length) {
      for (let k = 0; k < imp.names.length; k++) {
        const n = imp.names[k] as ImportedName;
        if (n.importedSpan === null) continue;
        const l = input.lookup(index, n.imported);
        if (!l) {
          stays++;
          continue;
        }
        if (!isTarget(l)) {
          stays++;
          note(`target module ${l.missing} does not exist; ${n.imported} left as is`);
          continue;
        }
        const newName = l.name ?? n.imported;
        if (!input.defines(l.file, newName)) {
          stays++;
          note(`${l.module} does not define ${newName}; ${n.imported} left as is`);
          continue;
        }
        moves.push({ index: k, name: n, target: l, text: itemText(imp, n, newName) });
      }
    }
    const unnamed = imp.names.filter((n) => n.importedSpan === null);

    if (
      isTarget(moduleRule) &&
      stays === 0 &&
      moves.every((m) => m.target.file === moduleRule.file) &&
      (unnamed.length > 0 ||
        moves.length === 0 ||
        findMerge(input, imp, moduleRule.file, moves) === null)
    ) {
      // The whole module moves (names keep their names unless a name rule renames them).
      const spec = spell(moduleRule);
      if (spec === null) return;
      out.statements++;
      rewritten.add(index);
      if (spec !== imp.specifier) {
        out.edits.push({ start: imp.specifierSpan.start, end: imp.specifierSpan.end, text: spec });
      }
      for (const m of moves) renameItem(m, text, out.edits);
      return;
    }
    if (moves.length === 0) {
      if (
        input.matches(index) &&
        (imp.kind === 'dynamic' || imp.kind === 'export-all' || unnamed.length)
      ) {
        note(
          `${imp.kind === 'dynamic' ? 'dynamic import' : imp.kind === 'export-all' ? 'export *' : 'namespace or default import'}: the names used are unknown; move it by a module rule`,
        );
      }
      return;
    }
    // Names move. Group by target file.
    const groups = new Map<string, NameMove[]>();
    for (const m of moves) {
      const g = groups.get(m.target.file);
      if (g) g.push(m);
      else groups.set(m.target.file, [m]);
    }
    const allMove = moves.length === imp.names.length;
    const keys = [...groups.keys()];
    const mergeInto = new Map(
      keys.map((k) => [k, findMerge(input, imp, k, groups.get(k) as NameMove[])]),
    );
    const specs = new Map<string, string>();
    for (const key of keys) {
      const s = spell((groups.get(key) as NameMove[])[0]?.target as Target);
      if (s === null) return;
      specs.set(key, s);
    }
    out.statements++;
    rewritten.add(index);
    const removed = new Set<number>();
    const inPlace = allMove ? keys.find((k) => mergeInto.get(k) === null) : undefined;
    if (inPlace !== undefined) {
      out.edits.push({
        start: imp.specifierSpan.start,
        end: imp.specifierSpan.end,
        text: specs.get(inPlace) as string,
      });
      for (const m of groups.get(inPlace) as NameMove[]) renameItem(m, text, out.edits);
    }
    for (const key of keys) {
      if (key === inPlace) continue;
      const g = groups.get(key) as NameMove[];
      for (const m of g) removed.add(m.index);
      const spec = specs.get(key) as string;
      const mergeAt = mergeInto.get(key) ?? null;
      if (mergeAt !== null) {
        const list = merges.get(mergeAt) ?? [];
        const into = record.imports[mergeAt] as ImportRecord;
        list.push(...g.map((m) => typed(m, into.typeOnly)));
        merges.set(mergeAt, list);
      } else {
        additions.push({ after: imp, text: statementText(imp, g, spec, text) });
      }
    }
    if (removed.size) {
      if (removed.size === named.length && unnamed.length === 0) {
        // Nothing stays: the statement goes (its line too when alone on it).
        removeWhole(text, imp, out.edits);
      } else if (removed.size === named.length) {
        // `import D, { X } from` with X moving: drop the braces.
        const open = text.lastIndexOf('{', itemSpan(named[0] as ImportedName).start);
        const close = text.indexOf('}', itemSpan(named[named.length - 1] as ImportedName).end);
        const lastUnnamed = unnamed[unnamed.length - 1] as ImportedName;
        const from = (lastUnnamed.localSpan as { end: number }).end;
        if (open > from && close !== -1) out.edits.push({ start: from, end: close + 1, text: '' });
        void open;
      } else {
        const idx = new Set([...removed].map((k) => named.indexOf(imp.names[k] as ImportedName)));
        removeSpans(
          named.map((n) => fullItemSpan(text, n)),
          idx,
          out.edits,
        );
      }
    }
  };
  for (let index = 0; index < record.imports.length; index++) {
    visit(record.imports[index] as ImportRecord, index);
  }

  for (const [index, items] of merges) {
    const imp = record.imports[index] as ImportRecord;
    const named = imp.names.filter((n) => n.importedSpan !== null);
    const have = new Set(
      named.map((n) => text.slice(fullItemSpan(text, n).start, itemSpan(n).end)),
    );
    const add = [...new Set(items)].filter((i) => !have.has(i));
    if (!add.length) continue;
    const last = named[named.length - 1] as ImportedName;
    const end = itemSpan(last).end;
    const after = /^\s*,/.exec(text.slice(end));
    if (after && text.slice(imp.span.start, end).includes('\n')) {
      const lineBegin = text.lastIndexOf('\n', itemSpan(last).start) + 1;
      const ind = /^[ \t]*/.exec(text.slice(lineBegin))?.[0] ?? '  ';
      const at = end + after[0].length;
      out.edits.push({ start: at, end: at, text: add.map((a) => `\n${ind}${a},`).join('') });
    } else {
      out.edits.push({ start: end, end, text: add.map((a) => `, ${a}`).join('') });
    }
  }
  rewriteModuleStrings(input, speller, out);
  for (const a of additions) {
    const eol = text.indexOf('\n', a.after.span.end);
    const rest = text.slice(a.after.span.end, eol === -1 ? text.length : eol);
    const at = /^[ \t;]*(\/\/.*|\/\*.*\*\/[ \t]*)?\r?$/.test(rest)
      ? (eol === -1 ? text.length : eol) - (text[eol - 1] === '\r' ? 1 : 0)
      : a.after.span.end;
    const lineBegin = text.lastIndexOf('\n', a.after.span.start - 1) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineBegin))?.[0] ?? '';
    out.edits.push({ start: at, end: at, text: `\n${indent}${a.text}` });
  }
  return out;
}

/** The text of a moved name in its statement's syntax (`Z as X`, `Z: X`, `type Z as X`). */
function itemText(imp: ImportRecord, n: ImportedName, newName: string): string {
  const local = n.local;
  if (imp.kind === 'require') {
    // `const x = require('m').X` has the member as the imported span.
    if (n.localSpan && n.localSpan.start < (n.importedSpan as { start: number }).start)
      return newName;
    return newName === local ? newName : `${newName}: ${local}`;
  }
  return newName === local ? newName : `${newName} as ${local}`;
}

/** Replaces a moved name in place (the `type` modifier before it stays). */
function renameItem(m: NameMove, text: string, edits: Edit[]): void {
  const n = m.name;
  const newName = m.target.name ?? n.imported;
  if (newName === n.imported) return;
  const imported = n.importedSpan as { start: number; end: number };
  if (n.localSpan && n.localSpan.start < imported.start) {
    // `const x = require('m').X`: only the member changes.
    edits.push({ start: imported.start, end: imported.end, text: newName });
    return;
  }
  const span = itemSpan(n);
  if (text.slice(span.start, span.end) !== m.text) edits.push({ ...span, text: m.text });
}

function quoteOf(text: string, imp: ImportRecord): string {
  const q = text[imp.specifierSpan.start - 1];
  return q === '"' || q === '`' ? q : "'";
}

/** A new statement of the same kind and style for names leaving `imp`. */
function statementText(imp: ImportRecord, moves: NameMove[], spec: string, text: string): string {
  const q = quoteOf(text, imp);
  const semi = text.slice(imp.span.start, imp.span.end).trimEnd().endsWith(';') ? ';' : '';
  const source = text.slice(imp.span.start, imp.span.end);
  const typeStatement = imp.typeOnly && /^(import|export)\s+type\b/.test(source);
  const items = moves.map((m) => typed(m, typeStatement)).join(', ');
  switch (imp.kind) {
    case 'reexport':
      return `export ${typeStatement ? 'type ' : ''}{ ${items} } from ${q}${spec}${q}${semi}`;
    case 'require': {
      const decl = /^(const|let|var)\b/.exec(source)?.[1] ?? 'const';
      return `${decl} { ${items} } = require(${q}${spec}${q})${semi || ';'}`;
    }
    default:
      return `import ${typeStatement ? 'type ' : ''}{ ${items} } from ${q}${spec}${q}${semi}`;
  }
}

/** An untouched `import { … } from` of the target file that can take the moved names. */
function findMerge(
  input: RewriteInput,
  imp: ImportRecord,
  targetFile: string,
  moves: NameMove[],
): number | null {
  if (imp.kind !== 'import' || imp.functionLevel) return null;
  const record = input.record;
  for (let j = 0; j < record.imports.length; j++) {
    const other = record.imports[j] as ImportRecord;
    if (other === imp || other.kind !== 'import' || other.functionLevel) continue;
    if (input.resolved(j).file !== targetFile) continue;
    if (input.lookup(j, null) !== null) continue;
    const named = other.names.filter((n) => n.importedSpan !== null);
    if (named.length === 0 || named.length !== other.names.filter((n) => n.imported !== '*').length)
      continue;
    if (other.names.some((n) => n.imported === '*')) continue;
    if (other.typeOnly && !moves.every((m) => m.name.isType)) continue;
    return j;
  }
  return null;
}

function removeWhole(text: string, imp: ImportRecord, edits: Edit[]): void {
  const start = text.lastIndexOf('\n', imp.span.start - 1) + 1;
  let end = imp.span.end;
  if (imp.kind === 'require') {
    // `const { X } = require('m')` — the record spans the call; remove the declaration.
    const decl = /(const|let|var)\s[^;\n]*$/.exec(text.slice(start, imp.span.start));
    if (!decl) {
      edits.push({ start: imp.span.start, end: imp.span.end, text: 'undefined' });
      return;
    }
    const semi = /^[ \t]*;?/.exec(text.slice(end))?.[0] ?? '';
    end += semi.length;
    const declStart = start + decl.index;
    const lineRest = text.slice(
      end,
      text.indexOf('\n', end) === -1 ? text.length : text.indexOf('\n', end),
    );
    if (/^[ \t]*$/.test(text.slice(start, declStart)) && /^[ \t]*$/.test(lineRest)) {
      const eol = text.indexOf('\n', end);
      edits.push({ start, end: eol === -1 ? text.length : eol + 1, text: '' });
    } else edits.push({ start: declStart, end, text: '' });
    return;
  }
  const eol = text.indexOf('\n', end);
  const rest = text.slice(end, eol === -1 ? text.length : eol);
  if (/^[ \t]*$/.test(text.slice(start, imp.span.start)) && /^[ \t]*\r?$/.test(rest)) {
    edits.push({ start, end: eol === -1 ? text.length : eol + 1, text: '' });
  } else edits.push({ start: imp.span.start, end, text: '' });
}
