import Parser from 'tree-sitter';
import Python from 'tree-sitter-python';
import { LineIndex } from './lines.js';
import { emptyRecord, pythonImport, RecordBuilder } from './record.js';
import type { FileRecord, ImportedName, ImportKind, ImportRecord, Span } from './types.js';

type Node = Parser.SyntaxNode;

let parser: Parser | null = null;

/**
 * node-tree-sitter keeps every node object it hands out in a cache on its tree, so that
 * `Tree.edit` can move them along: each node then costs a weak reference and a finalizer, and each
 * `edit` walks all of them through N-API. ssot never uses a node after editing its tree (an edited
 * tree is only re-parsed), so the cache buys nothing; without it planning a migration of Python
 * files takes a fifth less time. Nodes are then new objects on each access: compare them by `id`,
 * never by identity. (Guarded: a version without these hooks is left as it is.)
 */
function withoutNodeCache(): void {
  const tree = (Parser as unknown as { Tree: { prototype: Record<string, unknown> } }).Tree
    .prototype;
  if (typeof tree._cacheNode === 'function' && typeof tree._cacheNodes === 'function') {
    tree._cacheNode = () => {};
    tree._cacheNodes = () => {};
  }
}

/** The tree-sitter-python parser (one per thread; `ssot migrate` parses with it too). */
export function getParser(): Parser {
  if (!parser) {
    withoutNodeCache();
    parser = new Parser();
    parser.setLanguage(Python as unknown as Parser.Language);
  }
  return parser;
}

const DYNAMIC_IMPORT = /^(importlib\.import_module|import_module|__import__)$/;
const IMPORT_ERRORS = /\b(ImportError|ModuleNotFoundError)\b/;
const TYPE_CHECKING = /^(typing\.|t\.)?TYPE_CHECKING$/;

function span(n: Node): Span {
  return { start: n.startIndex, end: n.endIndex };
}

/** `a.b.c` attribute chain or identifier → ['a', 'b', 'c']; anything else → null. */
function namePath(n: Node | null): string[] | null {
  if (!n) return null;
  if (n.type === 'identifier') return [n.text];
  if (n.type === 'attribute') {
    const obj = namePath(n.childForFieldName('object'));
    const attr = n.childForFieldName('attribute');
    return obj && attr ? [...obj, attr.text] : null;
  }
  return null;
}

function firstError(n: Node): Node {
  if (n.type === 'ERROR' || n.isMissing) return n;
  for (const c of n.children) if (c.hasError || c.isMissing) return firstError(c);
  return n;
}

/** Extracts imports and module-level bindings of one Python file with tree-sitter-python. */
export function extractPython(file: string, text: string, parsed?: Parser.Tree): FileRecord {
  const record = emptyRecord(file, 'py', text.length);
  // `parsed`: a tree of `text` the caller already has (`ssot migrate` parses once for both).
  const tree = parsed ?? getParser().parse(text, undefined, { bufferSize: text.length * 2 + 64 });
  const root = tree.rootNode;
  if (root.hasError) {
    const err = firstError(root);
    record.parseError = {
      line: err.startPosition.row + 1,
      column: err.startPosition.column + 1,
      message: err.isMissing ? `missing ${err.type}` : 'syntax error',
    };
    return record;
  }
  new PyExtractor(record, text, new LineIndex(text)).module(root);
  return record;
}

interface Context {
  typeChecking: boolean;
  functionLevel: boolean;
  inTryImportError: boolean;
}

const TOP: Context = { typeChecking: false, functionLevel: false, inTryImportError: false };

class PyExtractor extends RecordBuilder {
  /** Whether the source of `n` mentions `word` (cheap: no syntax tree access beyond the span). */
  private mentions(n: Node, word: string): boolean {
    const i = this.text.indexOf(word, n.startIndex);
    return i !== -1 && i < n.endIndex;
  }

  private push(
    kind: ImportKind,
    at: Span,
    specifier: string,
    specifierSpan: Span,
    level: number,
    names: ImportedName[],
    binds: string | null,
    ctx: Context,
  ): void {
    this.record.imports.push(
      pythonImport(this.lines, kind, at, specifier, specifierSpan, level, names, binds, ctx),
    );
    if (!ctx.functionLevel) {
      for (const n of names) this.importedLocals.add(n.local);
      if (binds) this.importedLocals.add(binds);
    }
  }

  /** Source text of a span (cheaper than `node.text`, which asks the tree for the span again). */
  private slice(at: Span): string {
    return this.text.slice(at.start, at.end);
  }

  /** An `aliased_import` (`a.b as c`) → the name and alias spans, from one child list. */
  private aliased(item: Node): { name: Span; alias: Span } {
    const [name, alias] = item.namedChildren as [Node, Node];
    return { name: span(name), alias: span(alias) };
  }

  /**
   * One `import …` / `from … import …` statement. Each node's children are read once (one
   * native call) and texts are sliced from the source by span: this runs for every import.
   */
  importStatement(stmt: Node, ctx: Context): void {
    const at = span(stmt);
    const children = stmt.namedChildren;
    if (stmt.type === 'import_statement') {
      for (const item of children) {
        if (item.type === 'aliased_import') {
          const { name, alias } = this.aliased(item);
          const local = this.slice(alias);
          const names: ImportedName[] = [
            { imported: '*', local, importedSpan: null, localSpan: alias, isType: false },
          ];
          const dotted = this.slice(name).replace(/\s+/g, '');
          this.push('import-module', at, dotted, name, 0, names, local, ctx);
        } else if (item.type === 'dotted_name') {
          const sp = span(item);
          const dotted = this.slice(sp).replace(/\s+/g, '');
          this.push('import-module', at, dotted, sp, 0, [], dotted.split('.')[0] as string, ctx);
        }
      }
      return;
    }
    // import_from_statement: the module name comes first, then the names (or `*`).
    const [moduleNode, ...rest] = children as [Node, ...Node[]];
    const moduleSpan = span(moduleNode);
    const specifier = this.slice(moduleSpan).replace(/\s+/g, '');
    let level = 0;
    while (specifier.charCodeAt(level) === 46 /* . */) level++;
    const names: ImportedName[] = [];
    let star = false;
    for (const item of rest) {
      const type = item.type;
      if (type === 'wildcard_import') star = true;
      else if (type === 'aliased_import') {
        const { name, alias } = this.aliased(item);
        names.push({
          imported: this.slice(name),
          local: this.slice(alias),
          importedSpan: name,
          localSpan: alias,
          isType: false,
        });
      } else if (type === 'dotted_name') {
        const sp = span(item);
        const text = this.slice(sp);
        names.push({
          imported: text,
          local: text,
          importedSpan: sp,
          localSpan: null,
          isType: false,
        });
      }
    }
    this.push(star ? 'export-all' : 'import', at, specifier, moduleSpan, level, names, null, ctx);
  }

  /** `importlib.import_module("m")`, `import_module("m")`, `__import__("m")` anywhere below `n`. */
  private dynamicCalls(n: Node, ctx: Context): void {
    if (!this.mentions(n, 'import')) return;
    if (n.type === 'call') {
      const fn = n.childForFieldName('function');
      if (fn && DYNAMIC_IMPORT.test(fn.text)) {
        const arg = n.childForFieldName('arguments')?.namedChildren[0];
        const parts = arg?.type === 'string' ? arg.namedChildren : [];
        const content = parts.filter((c) => c.type === 'string_content');
        if (content.length === 1 && !parts.some((c) => c.type === 'interpolation')) {
          const s = content[0] as Node;
          this.push('dynamic', span(n), s.text, span(s), 0, [], null, ctx);
        }
      }
    }
    const inner =
      n.type === 'function_definition' || n.type === 'lambda'
        ? { ...ctx, functionLevel: true }
        : ctx;
    for (const c of n.namedChildren) this.dynamicCalls(c, inner);
  }

  /**
   * Imports below module level: inside functions (function-level), classes, `if TYPE_CHECKING:`,
   * `try/except ImportError` and other blocks. Only subtrees whose text mentions `import` are
   * visited.
   */
  private nested(n: Node, ctx: Context): void {
    if (!this.mentions(n, 'import')) return;
    switch (n.type) {
      case 'import_statement':
      case 'import_from_statement':
        this.importStatement(n, ctx);
        return;
      case 'future_import_statement':
        return;
      case 'function_definition':
      case 'lambda':
        for (const c of n.namedChildren) this.nested(c, { ...ctx, functionLevel: true });
        return;
      case 'if_statement': {
        const typeChecking = TYPE_CHECKING.test(n.childForFieldName('condition')?.text ?? '');
        const body = n.childForFieldName('consequence');
        for (const c of n.namedChildren) {
          this.nested(
            c,
            typeChecking && body && c.id === body.id ? { ...ctx, typeChecking: true } : ctx,
          );
        }
        return;
      }
      case 'try_statement': {
        const guarded = n.namedChildren.some(
          (h) => h.type === 'except_clause' && catchesImportError(h),
        );
        const inner = guarded ? { ...ctx, inTryImportError: true } : ctx;
        for (const c of n.namedChildren) {
          const handler = c.type === 'block' || c.type === 'except_clause';
          this.nested(c, handler ? inner : ctx);
        }
        return;
      }
      case 'expression_statement':
      case 'return_statement':
      case 'assignment':
        this.dynamicCalls(n, ctx);
        return;
      default:
        for (const c of n.namedChildren) this.nested(c, ctx);
    }
  }

  /** Module-level statements: imports, bindings, `__all__`, and whether the module only re-exports. */
  module(root: Node): void {
    const allNames = new Set<string>();
    this.block(root, allNames, true, TOP);
    for (const b of this.record.bindings) {
      if (allNames.has(b.name)) b.exported = true;
    }
    if (this.record.hasAll && this.importedLocals.size > 0) this.reexports++;
    this.finish();
  }

  private block(node: Node, allNames: Set<string>, top: boolean, ctx: Context): void {
    for (const stmt of node.namedChildren) {
      switch (stmt.type) {
        case 'comment':
        case 'pass_statement':
        case 'future_import_statement':
          break;
        case 'import_statement':
          this.importStatement(stmt, ctx);
          break;
        case 'import_from_statement': {
          // The record just pushed says what the statement binds: no second walk of its nodes.
          this.importStatement(stmt, ctx);
          const rec = this.record.imports[this.record.imports.length - 1] as ImportRecord;
          this.reexports += rec.kind === 'export-all' ? 1 : rec.names.length;
          for (const n of rec.names) {
            if (n.localSpan && n.local !== n.imported)
              this.bind(n.local, n.localSpan, 'alias', isPublic(n.local));
          }
          break;
        }
        case 'class_definition':
        case 'function_definition':
          this.definition(stmt, ctx);
          break;
        case 'decorated_definition': {
          const def = stmt.childForFieldName('definition');
          if (def) this.definition(def, ctx);
          break;
        }
        case 'expression_statement':
          this.expression(stmt, allNames, top);
          this.dynamicCalls(stmt, ctx);
          break;
        case 'if_statement':
        case 'try_statement':
        case 'with_statement':
        case 'else_clause':
        case 'elif_clause':
        case 'except_clause':
        case 'finally_clause':
        case 'block':
          this.compound(stmt, allNames, ctx);
          break;
        default:
          this.ownCode++;
          this.nested(stmt, ctx);
      }
    }
  }

  /** if/try/with at module level: their bodies bind module-level names too. */
  private compound(stmt: Node, allNames: Set<string>, ctx: Context): void {
    const isTypeChecking =
      stmt.type === 'if_statement' &&
      TYPE_CHECKING.test(stmt.childForFieldName('condition')?.text ?? '');
    const guardedImport =
      isTypeChecking ||
      (stmt.type === 'try_statement' &&
        stmt.namedChildren.some((h) => h.type === 'except_clause' && catchesImportError(h)));
    if (stmt.type === 'if_statement' && !isTypeChecking) this.ownCode++;
    if (stmt.type === 'with_statement') this.ownCode++;
    const guardedTry = stmt.type === 'try_statement' && guardedImport;
    const body = stmt.type === 'if_statement' ? stmt.childForFieldName('consequence') : null;
    for (const c of stmt.namedChildren) {
      if (c.type === 'block') {
        const inner =
          isTypeChecking && body && c.id === body.id
            ? { ...ctx, typeChecking: true }
            : guardedTry
              ? { ...ctx, inTryImportError: true }
              : ctx;
        this.block(c, allNames, false, inner);
      } else if (
        c.type === 'else_clause' ||
        c.type === 'elif_clause' ||
        c.type === 'except_clause' ||
        c.type === 'finally_clause'
      ) {
        const inner =
          guardedTry && c.type === 'except_clause' ? { ...ctx, inTryImportError: true } : ctx;
        this.compound(c, allNames, inner);
      } else {
        this.dynamicCalls(c, ctx); // conditions, `with` items
      }
    }
    if (stmt.type === 'try_statement' && !guardedImport) this.ownCode++;
  }

  private definition(def: Node, ctx: Context): void {
    const name = def.childForFieldName('name');
    // PEP 562 module hooks (`__getattr__`, `__dir__`) hand out re-exported names lazily, as the
    // shims `ssot shim --lazy` generates do: plumbing, not own code.
    const hook = def.type === 'function_definition' && /^__(getattr|dir)__$/.test(name?.text ?? '');
    if (!hook) this.ownCode++;
    if (name) {
      const kind = def.type === 'class_definition' ? 'class' : 'function';
      this.bind(name.text, span(name), kind, isPublic(name.text));
    }
    this.nested(def, ctx);
  }

  private expression(stmt: Node, allNames: Set<string>, top: boolean): void {
    const e = stmt.namedChildren[0];
    if (!e) return;
    if (e.type === 'string' && top) return; // docstring
    if (e.type === 'call') {
      const fn = e.childForFieldName('function')?.text ?? '';
      if (/(^|\.)warn$/.test(fn)) return; // deprecation warning in a shim
      this.ownCode++;
      return;
    }
    if (e.type === 'assignment') {
      const left = e.childForFieldName('left');
      const right = e.childForFieldName('right');
      if (left?.type === 'identifier' && left.text === '__all__') {
        this.record.hasAll = true;
        this.collectAll(right, allNames, e);
        return;
      }
      if (left?.type !== 'identifier') {
        this.ownCode++;
        return;
      }
      const path = namePath(right);
      if (path && this.importedLocals.has(path[0] as string)) {
        // An alias of an imported name (or of such an alias) only passes it on.
        this.reexports++;
        if (top) this.importedLocals.add(left.text);
      } else this.ownCode++;
      this.bind(left.text, span(left), path ? 'alias' : 'variable', isPublic(left.text), path);
      return;
    }
    if (e.type === 'augmented_assignment') {
      const left = e.childForFieldName('left');
      if (left?.text === '__all__') {
        this.record.hasAll = true;
        this.collectAll(e.childForFieldName('right'), allNames, e);
        return;
      }
    }
    this.ownCode++;
  }

  private collectAll(list: Node | null, allNames: Set<string>, at: Node): void {
    if (!list || (list.type !== 'list' && list.type !== 'tuple')) return;
    for (const s of list.namedChildren) {
      if (s.type !== 'string') continue;
      const content = s.namedChildren.find((c) => c.type === 'string_content');
      if (!content) continue;
      allNames.add(content.text);
      this.record.exports.push({
        span: { start: at.startIndex, end: at.endIndex },
        line: this.lines.line(at.startIndex),
        column: this.lines.column(at.startIndex),
        exported: content.text,
        local: content.text,
      });
    }
  }
}

/** Python's convention: a leading underscore marks a module-private name (`__all__` can widen it). */
function isPublic(name: string): boolean {
  return !name.startsWith('_');
}

function catchesImportError(clause: Node): boolean {
  const first = clause.namedChildren[0];
  // A bare `except:` has a block as its first named child.
  if (!first || first.type === 'block') return true;
  return IMPORT_ERRORS.test(first.text) || /^(Exception|BaseException)\b/.test(first.text);
}
