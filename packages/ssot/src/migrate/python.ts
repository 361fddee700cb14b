import type Parser from 'tree-sitter';
import { LineIndex } from '../extract/lines.js';
import { getParser } from '../extract/python.js';
import type { ImportedName, ImportRecord, Span } from '../extract/types.js';
import {
  type Edit,
  isTarget,
  type Lookup,
  lineOf,
  type RewriteInput,
  type RewriteOutput,
  type Target,
} from './types.js';

type Node = Parser.SyntaxNode;

/** Parses Python source (one tree serves the extract stage and the rewriter). */
export function parsePython(text: string): Parser.Tree {
  return getParser().parse(text);
}

/** Whether Python source parses without syntax errors. */
export function pythonParses(text: string): boolean {
  return !parsePython(text).rootNode.hasError;
}

function pointAt(lines: LineIndex, offset: number): Parser.Point {
  return { row: lines.line(offset) - 1, column: lines.column(offset) - 1 };
}

/**
 * Whether `after` (= `before` with `edits` applied) parses, re-parsing incrementally from the
 * tree of `before`: only the edited regions are parsed again. The tree is consumed.
 */
export function reparsesPython(
  before: string,
  tree: Parser.Tree,
  edits: Edit[],
  after: string,
): boolean {
  const lines = new LineIndex(before);
  // Last edit first: earlier offsets stay valid; on a tie the replacement goes before the insertion.
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  for (const e of sorted) {
    const start = pointAt(lines, e.start);
    const nl = e.text.lastIndexOf('\n');
    const newEnd =
      nl === -1
        ? { row: start.row, column: start.column + e.text.length }
        : { row: start.row + e.text.split('\n').length - 1, column: e.text.length - nl - 1 };
    tree.edit({
      startIndex: e.start,
      oldEndIndex: e.end,
      newEndIndex: e.start + e.text.length,
      startPosition: start,
      oldEndPosition: pointAt(lines, e.end),
      newEndPosition: newEnd,
    });
  }
  return !getParser().parse(after, tree).rootNode.hasError;
}

export interface PySpeller {
  /** How `imp` (of the file) should spell a `from X import` module: relative when it was and can be. */
  fromModule(imp: ImportRecord, module: string, file: string | null): string;
}

/** Where an identifier occurs. */
type Role = 'ref' | 'binding' | 'skip';

const PATTERN = new Set([
  'pattern_list',
  'tuple_pattern',
  'list_pattern',
  'tuple',
  'list',
  'parenthesized_expression',
  'list_splat_pattern',
  'expression_list',
]);

function fieldIs(parent: Node, field: string, child: Node): boolean {
  const f = parent.childForFieldName(field);
  return f !== null && f.startIndex === child.startIndex && f.endIndex === child.endIndex;
}

function roleOf(id: Node): Role {
  const p = id.parent;
  if (!p) return 'ref';
  switch (p.type) {
    case 'attribute':
      return fieldIs(p, 'attribute', id) ? 'skip' : 'ref';
    case 'keyword_argument':
      return fieldIs(p, 'name', id) ? 'skip' : 'ref';
    case 'dotted_name':
    case 'aliased_import':
    case 'import_statement':
    case 'import_from_statement':
    case 'future_import_statement':
    case 'relative_import':
      return 'skip';
    case 'function_definition':
    case 'class_definition':
    case 'default_parameter':
    case 'typed_default_parameter':
    case 'named_expression':
      return fieldIs(p, 'name', id) ? 'binding' : 'ref';
    case 'parameters':
    case 'lambda_parameters':
    case 'typed_parameter':
    case 'list_splat_pattern':
    case 'dictionary_splat_pattern':
    case 'global_statement':
    case 'nonlocal_statement':
    case 'as_pattern_target':
    case 'delete_statement':
    case 'type_alias_statement':
    case 'case_pattern':
    case 'keyword_pattern':
    case 'splat_pattern':
    case 'type_parameter':
      return 'binding';
    default:
      break;
  }
  // Assignment, for and comprehension targets, possibly inside tuple/list patterns.
  let child: Node = id;
  let q: Node | null = p;
  while (q && PATTERN.has(q.type)) {
    child = q;
    q = q.parent;
  }
  if (!q) return 'ref';
  if ((q.type === 'assignment' || q.type === 'augmented_assignment') && fieldIs(q, 'left', child)) {
    return 'binding';
  }
  if ((q.type === 'for_statement' || q.type === 'for_in_clause') && fieldIs(q, 'left', child)) {
    return 'binding';
  }
  if (q.type === 'as_pattern_target' || q.type === 'delete_statement') return 'binding';
  return 'ref';
}

interface Occurrence {
  node: Node;
  role: Role;
}

/**
 * Identifier occurrences of a name, found by a text search and checked against the syntax tree
 * (so words in strings and comments are not identifiers), plus its mentions in string
 * annotations (`x: "Name"`).
 */
class Names {
  private readonly cache = new Map<string, { ids: Occurrence[]; annotations: Span[] }>();

  constructor(
    private readonly root: () => Node,
    private readonly text: string,
  ) {}

  private find(name: string): { ids: Occurrence[]; annotations: Span[] } {
    const known = this.cache.get(name);
    if (known) return known;
    const found = { ids: [] as Occurrence[], annotations: [] as Span[] };
    const word = new RegExp(`(?<![\\w.])${name}(?!\\w)`, 'g');
    for (const m of this.text.matchAll(word)) {
      const at = m.index as number;
      const n = this.root().descendantForIndex(at, at + name.length);
      if (n.type === 'identifier' && n.startIndex === at && n.endIndex === at + name.length) {
        found.ids.push({ node: n, role: roleOf(n) });
      } else if (n.type === 'string_content' || n.type === 'string') {
        for (let p: Node | null = n; p; p = p.parent) {
          if (p.type === 'type') {
            found.annotations.push({ start: at, end: at + name.length });
            break;
          }
          if (p.type.endsWith('statement') || p.type === 'block') break;
        }
      }
    }
    this.cache.set(name, found);
    return found;
  }

  of(name: string): Occurrence[] {
    return this.find(name).ids;
  }

  annotations(name: string): Span[] {
    return this.find(name).annotations;
  }
}

function statementNode(root: Node, imp: ImportRecord): Node | null {
  let n: Node | null = root.descendantForIndex(
    imp.span.start,
    Math.max(imp.span.start, imp.span.end - 1),
  );
  while (n && n.type !== 'import_statement' && n.type !== 'import_from_statement') n = n.parent;
  return n;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i === -1 ? text.length : i;
}

/** The indentation of a statement when it starts its line, else null (`x = 1; import y`). */
function indentOf(text: string, stmtStart: number): string | null {
  const start = lineStart(text, stmtStart);
  const prefix = text.slice(start, stmtStart);
  return /^[ \t]*$/.test(prefix) ? prefix : null;
}

/** Whether only whitespace or a comment follows the statement on its last line. */
function endsLine(text: string, stmtEnd: number): boolean {
  const rest = text.slice(stmtEnd, lineEnd(text, stmtEnd));
  return /^[ \t]*(#.*)?\r?$/.test(rest);
}

function itemSpan(n: ImportedName): { start: number; end: number } {
  const start = (n.importedSpan as { start: number }).start;
  const end = (n.localSpan ?? n.importedSpan)?.end ?? start;
  return { start, end };
}

function item(name: string, local: string): string {
  return name === local ? name : `${name} as ${local}`;
}

/** A name of a `from M import …` statement and where it goes. */
interface NameMove {
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

interface Rename {
  from: string;
  to: string;
  /** Import statements (span starts) that bind `from` and are rewritten with this rename. */
  statements: Set<number>;
  target: Target;
}

/**
 * Rewrites one Python file's imports: `from M import X [as Y]`, `from P import m`, `import P.m`
 * with its dotted uses, `import P.m as x`, `from M import *`, `importlib.import_module("M")` —
 * at any depth (TYPE_CHECKING, functions, try/except) and relative level. Symbol renames
 * rewrite the references to the binding; shadowing makes the file be left alone.
 */
export function rewritePython(input: RewriteInput, speller: PySpeller): RewriteOutput {
  const { text, record } = input;
  const out: RewriteOutput = { edits: [], statements: 0, notes: [], skip: null };
  const edits = out.edits;
  let tree = (input.tree as Parser.Tree | undefined) ?? null;
  const root = (): Node => {
    tree ??= parsePython(text);
    return tree.rootNode;
  };
  const names = new Names(root, text);

  // 1. Decide what each import does.
  interface Plan {
    index: number;
    imp: ImportRecord;
    node: () => Node | null;
    moves: NameMove[];
    /** For import-module / export-all / dynamic: the new module text for the specifier. */
    newSpecifier: string | null;
    /** `import P.m` dotted uses: chain node → replacement. */
    chainEdits: Edit[];
  }
  const plans: Plan[] = [];
  const renames: Rename[] = [];
  /** Module objects whose attribute uses move by name rules: local → attr renames. */
  const attrRenames: Edit[] = [];
  const lookups = record.imports.map((_imp, i) => input.lookup(i, null));
  const occurrences = (name: string): Occurrence[] => names.of(name);

  const note = (imp: ImportRecord, why: string): undefined => {
    out.notes.push(`line ${imp.line}: ${why}`);
    return undefined;
  };

  /** Attribute uses `local.attr` of a module object, and how many uses are not `local.attr`. */
  const attributeUses = (local: string) => {
    const uses: Node[] = [];
    let bare = 0;
    for (const o of occurrences(local)) {
      if (o.role !== 'ref') continue;
      const p = o.node.parent;
      if (p?.type === 'attribute' && fieldIs(p, 'object', o.node)) {
        uses.push(p.childForFieldName('attribute') as Node);
      } else bare++;
    }
    return { uses, bare };
  };

  /**
   * Where a module object used as `L.A` (attribute nodes `uses`) can go: the module rule's
   * target, or the one module every used name moves to by name rules. Each used name must be
   * defined by the target (renamed where a rule renames it). Returns the target with the
   * attribute renames, a reason to leave the statement, or null when nothing moves.
   */
  const moveModuleObject = (
    index: number,
    what: string,
    uses: Node[],
    bare: number,
    module: { module: string; file: string | null },
    moduleTarget: Target | null,
  ): { target: Target; edits: Edit[] } | string | null => {
    let target = moduleTarget;
    const renamed: Edit[] = [];
    const finalNames: { name: string; at: Node }[] = [];
    let stays = 0;
    for (const a of uses) {
      const l = input.lookup(index, a.text, module);
      if (!isTarget(l)) {
        stays++;
        finalNames.push({ name: a.text, at: a });
        continue;
      }
      if (target && target.file !== l.file) {
        return `${what}.${a.text} moves to ${l.module}, not with the rest to ${target.module}`;
      }
      target = l;
      const name = l.name ?? a.text;
      if (name !== a.text) renamed.push({ start: a.startIndex, end: a.endIndex, text: name });
      finalNames.push({ name, at: a });
    }
    if (!target) return null;
    if (!moduleTarget && (stays > 0 || bare > 0)) {
      return `${what} is also used for names that stay in ${module.module} (or as a module object); move it by a module rule`;
    }
    for (const f of finalNames) {
      if (!input.defines(target.file, f.name)) {
        return `${target.module} does not define ${f.name} (used as ${what}.${f.at.text} at line ${f.at.startPosition.row + 1})`;
      }
    }
    return { target, edits: renamed };
  };

  const allNames = new Set(record.exports.map((e) => e.exported));

  const visit = (imp: ImportRecord, index: number): undefined => {
    const r = input.resolved(index);
    const plan: Plan = {
      index,
      imp,
      node: () => statementNode(root(), imp),
      moves: [],
      newSpecifier: null,
      chainEdits: [],
    };
    const self = (t: Target) => t.file === input.file;

    if (imp.kind === 'dynamic' || imp.kind === 'export-all') {
      const l = lookups[index] ?? null;
      if (isTarget(l)) {
        if (self(l)) return note(imp, `would import the file itself (${l.module})`);
        plan.newSpecifier =
          imp.kind === 'dynamic' ? l.module : speller.fromModule(imp, l.module, l.file);
        plans.push(plan);
      } else if (l) note(imp, `target module ${l.missing} does not exist`);
      else if (input.matches(index)) {
        note(
          imp,
          `${imp.kind === 'dynamic' ? 'dynamic import' : 'star import'}: the names used are unknown`,
        );
      }
      return;
    }

    if (imp.kind === 'import-module') {
      const l = lookups[index] ?? null;
      const alias = imp.names[0]?.local ?? null;
      const dotted = imp.specifier;
      let target: Target | null = isTarget(l) ? l : null;
      const localEdits: Edit[] = [];
      if (l && !target)
        return note(imp, `target module ${(l as { missing: string }).missing} does not exist`);
      if (alias) {
        const { uses, bare } = attributeUses(alias);
        const m = moveModuleObject(
          index,
          alias,
          uses,
          bare,
          { module: r.module, file: r.file },
          target,
        );
        if (typeof m === 'string') return note(imp, m);
        if (!m) return;
        target = m.target;
        localEdits.push(...m.edits);
      } else {
        // `import P.m` binds P; uses spell the whole path.
        const segs = dotted.split('.');
        const head = segs[0] as string;
        if (
          record.imports.some(
            (o) => o !== imp && o.kind === 'import-module' && o.specifier.startsWith(`${dotted}.`),
          )
        ) {
          return note(imp, `${dotted} and a submodule of it are both imported; left as is`);
        }
        const chains: { node: Node; next: Node | null }[] = [];
        let others = 0;
        for (const o of occurrences(head)) {
          if (o.role !== 'ref') continue;
          let cur: Node = o.node;
          let k = 1;
          let ok = true;
          while (k < segs.length) {
            const p = cur.parent;
            if (p?.type !== 'attribute' || !fieldIs(p, 'object', cur)) {
              ok = false;
              break;
            }
            if (p.childForFieldName('attribute')?.text !== segs[k]) {
              ok = false;
              break;
            }
            cur = p;
            k++;
          }
          if (!ok) {
            others++;
            continue;
          }
          const p = cur.parent;
          const next =
            p?.type === 'attribute' && fieldIs(p, 'object', cur)
              ? p.childForFieldName('attribute')
              : null;
          chains.push({ node: cur, next });
        }
        const attrs = chains.map((c) => c.next).filter((x): x is Node => x !== null);
        const m = moveModuleObject(
          index,
          dotted,
          attrs,
          chains.length - attrs.length,
          { module: r.module, file: r.file },
          target,
        );
        if (typeof m === 'string') return note(imp, m);
        if (!m) return;
        target = m.target;
        localEdits.push(...m.edits);
        const newHead = target.module.split('.')[0];
        if (others > 0 && newHead !== head) {
          const stillBound = record.imports.some(
            (o) => o !== imp && o.kind === 'import-module' && o.binds === head && !o.functionLevel,
          );
          if (!stillBound) {
            return note(
              imp,
              `${head} is also used for other modules; rewriting ${dotted} would unbind it`,
            );
          }
        }
        for (const c of chains) {
          localEdits.push({ start: c.node.startIndex, end: c.node.endIndex, text: target.module });
        }
      }
      if (self(target)) return note(imp, `would import the file itself (${target.module})`);
      plan.newSpecifier = target.module;
      plan.chainEdits = localEdits;
      plans.push(plan);
      return;
    }

    // `from M import a, b as c` (kind 'import').
    const visitName = (n: ImportedName, k: number): undefined => {
      const sub = r.submodules?.[k] ?? null;
      if (sub) {
        // `from P import m`: m is a module object.
        const module = { module: `${r.module}.${n.imported}`, file: sub };
        const ml: Lookup = input.lookup(index, null, module);
        if (ml && !isTarget(ml)) return note(imp, `target module ${ml.missing} does not exist`);
        const { uses, bare } = attributeUses(n.local);
        const m = moveModuleObject(index, n.local, uses, bare, module, ml);
        if (typeof m === 'string') return note(imp, m);
        if (!m) return;
        const l = m.target;
        const extra = m.edits;
        if (self(l)) return note(imp, `would import the file itself (${l.module})`);
        attrRenames.push(...extra);
        const dot = l.module.lastIndexOf('.');
        if (dot === -1) {
          plan.moves.push({
            index: k,
            name: n,
            fromModule: '',
            fromFile: null,
            text: '',
            plainImport: item(l.module, n.local),
          });
        } else {
          const parent = l.module.slice(0, dot);
          const last = l.module.slice(dot + 1);
          plan.moves.push({
            index: k,
            name: n,
            fromModule: parent,
            fromFile: null,
            text: item(last, n.local),
            plainImport: null,
          });
        }
        return;
      }
      const l = input.lookup(index, n.imported);
      if (!l) return;
      if (!isTarget(l)) return note(imp, `target module ${l.missing} does not exist`);
      if (self(l)) return note(imp, `would import the file itself (${l.module})`);
      const newName = l.name ?? n.imported;
      if (!input.defines(l.file, newName)) {
        return note(imp, `${l.module} does not define ${newName}; ${n.imported} left as is`);
      }
      let text: string;
      if (n.localSpan) text = item(newName, n.local);
      else if (newName === n.imported) text = newName;
      else if (allNames.has(n.imported))
        text = item(newName, n.local); // public name: keep it
      else {
        text = newName;
        const existing = renames.find((x) => x.from === n.local);
        if (existing && existing.to !== newName) {
          out.skip = `${n.local} would be renamed to both ${existing.to} and ${newName}`;
          return;
        }
        if (existing) existing.statements.add(imp.span.start);
        else
          renames.push({
            from: n.local,
            to: newName,
            statements: new Set([imp.span.start]),
            target: l,
          });
      }
      plan.moves.push({
        index: k,
        name: n,
        fromModule: l.module,
        fromFile: l.file,
        text,
        plainImport: null,
      });
    };
    imp.names.forEach((n, k) => {
      visitName(n, k);
    });
    if (plan.moves.length) plans.push(plan);
  };
  for (let index = 0; index < record.imports.length; index++) {
    visit(record.imports[index] as ImportRecord, index);
  }
  if (out.skip) return { ...out, edits: [], statements: 0 };

  // 2. Renames: refuse where shadowing makes them unsafe.
  for (const rn of renames) {
    const problem = renameProblem(rn, record.imports, occurrences, input, text);
    if (problem) {
      return { edits: [], statements: 0, notes: out.notes, skip: problem };
    }
  }

  // 3. Emit edits.
  for (const plan of plans) {
    const { imp } = plan;
    out.statements++;
    if (plan.newSpecifier !== null) {
      edits.push({
        start: imp.specifierSpan.start,
        end: imp.specifierSpan.end,
        text: plan.newSpecifier,
      });
      edits.push(...plan.chainEdits);
      continue;
    }
    emitFromImport(plan.imp, plan.node, plan.moves, input, speller, plans, edits, out);
  }
  edits.push(...attrRenames);
  for (const rn of renames) {
    for (const o of occurrences(rn.from)) {
      if (o.role === 'ref')
        edits.push({ start: o.node.startIndex, end: o.node.endIndex, text: rn.to });
    }
    for (const a of names.annotations(rn.from)) edits.push({ ...a, text: rn.to });
  }
  return { ...out, skip: null };
}

/** Why renaming `rn.from` → `rn.to` in this file is unsafe, or null. */
function renameProblem(
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

/**
 * Emits the edits for one `from M import …` statement whose names move: in place when all of
 * them go to one module; otherwise the moved names leave the statement and join an import of
 * their module in the same block (merge) or a new statement right after it.
 */
function emitFromImport(
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

/** Removes a whole statement with its line when it is alone on it. */
function removeStatement(text: string, imp: ImportRecord, edits: Edit[]): void {
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
function removeItems(imp: ImportRecord, removed: Set<number>, edits: Edit[]): void {
  removeSpans(imp.names.map(itemSpan), removed, edits);
}

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
    if (other.span.start > imp.span.start) {
      const between = parent.namedChildren.filter(
        (c) => c.startIndex > imp.span.end && c.endIndex < other.span.start,
      );
      if (between.some((c) => c.type !== 'comment' && !c.type.startsWith('import'))) continue;
    }
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
