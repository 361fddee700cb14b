import type {
  Class,
  Declaration,
  Directive,
  EcmaScriptModule,
  Expression,
  ModuleExportName,
  Program,
  Statement,
  StringLiteral,
  TSType,
  VariableDeclarator,
} from 'oxc-parser';
import { parseSync } from 'oxc-parser';
import { LineIndex } from './lines.js';
import { emptyRecord, RecordBuilder } from './record.js';
import type {
  BindingKind,
  FileRecord,
  ImportedName,
  ImportKind,
  ImportRecord,
  Span,
} from './types.js';

type AnyNode = { type: string; start: number; end: number } & Record<string, unknown>;

const DYNAMIC_OR_REQUIRE = /\brequire\s*\(|\bimport\s*\(/;
/** What the parser's module record leaves out: `require()`, `import()`, `export {} from 'm'`. */
const BEYOND_MODULE_RECORD = /\brequire\s*\(|\bimport\s*\(|\bexport\s+(?:type\s+)?\{\s*\}/;

/**
 * How ssot asks oxc for a parse. `astType: 'js'` leaves TS-only properties (type annotations,
 * importKind) out of the AST, which makes it a third cheaper to hand over to JavaScript; the
 * `type` keyword of type-only imports and exports is read from the source at the positions the
 * parser gives. The errors do not depend on the AST's shape.
 */
export const PARSE_OPTIONS = { preserveParens: false, astType: 'js' } as const;

/**
 * Extracts imports, exports and module-level bindings of one TS/JS file with oxc-parser.
 * `scope: 'imports'` fills only `imports` (bindings and exports stay empty) and, when the file
 * has nothing the parser's module record leaves out, reads them from that record instead of the
 * AST: transferring the AST to JavaScript is about 40 % of the cost of parsing a file, and
 * `ssot migrate` needs no more than the imports of the files it rewrites.
 */
export function extractTypeScript(
  file: string,
  text: string,
  scope: 'all' | 'imports' = 'all',
): FileRecord {
  const record = emptyRecord(file, 'ts', text.length);
  const result = parseSync(file, text, PARSE_OPTIONS);
  const lines = new LineIndex(text);
  const fatal = result.errors.find((e) => e.severity === 'Error');
  if (fatal) {
    const at = fatal.labels[0]?.start ?? 0;
    const loc = lines.location({ start: at, end: at });
    record.parseError = { line: loc.line, column: loc.column, message: fatal.message };
    return record;
  }
  if (scope === 'imports' && !BEYOND_MODULE_RECORD.test(text)) {
    importsFromModuleRecord(record, result.module, text, lines);
    return record;
  }
  new TsExtractor(record, text, lines).program(result.program);
  if (scope === 'imports') {
    record.bindings = [];
    record.exports = [];
    record.reexportOnly = false;
  }
  return record;
}

/** An import record of a TS/JS statement (`source`: the string literal, quotes included). */
function importRecord(
  lines: LineIndex,
  kind: ImportKind,
  stmt: Span,
  source: { start: number; end: number; value: string },
  names: ImportedName[],
  flags: { typeOnly?: boolean; functionLevel?: boolean; binds?: string | null },
): ImportRecord {
  return {
    span: { start: stmt.start, end: stmt.end },
    line: lines.line(stmt.start),
    column: lines.column(stmt.start),
    kind,
    specifier: source.value,
    specifierSpan: innerSpan(source),
    level: 0,
    names,
    binds: flags.binds ?? null,
    typeOnly: flags.typeOnly ?? false,
    typeChecking: false,
    functionLevel: flags.functionLevel ?? false,
    dynamic: kind === 'dynamic',
    inTryImportError: false,
  };
}

type NullableSpan = { start: number | null; end: number | null };

function spanOf(n: NullableSpan): Span {
  return { start: n.start ?? 0, end: n.end ?? 0 };
}

/** `import` and `export … from` statements, as the AST walk records them, from the module record. */
function importsFromModuleRecord(
  record: FileRecord,
  module: EcmaScriptModule,
  text: string,
  lines: LineIndex,
): void {
  for (const si of module.staticImports) {
    const names = si.entries.map((e): ImportedName => {
      const kind: string = e.importName.kind;
      const local = { start: e.localName.start, end: e.localName.end };
      if (kind !== 'Name') {
        return {
          imported: kind === 'Default' ? 'default' : '*',
          local: e.localName.value,
          importedSpan: null,
          localSpan: local,
          isType: e.isType,
        };
      }
      const renamed = e.importName.start !== e.localName.start;
      return {
        imported: e.importName.name ?? '',
        local: e.localName.value,
        importedSpan: spanOf(e.importName),
        localSpan: renamed ? local : null,
        isType: e.isType,
      };
    });
    const typeOnly = names.length > 0 && names.every((n) => n.isType);
    record.imports.push(importRecord(lines, 'import', si, si.moduleRequest, names, { typeOnly }));
  }
  for (const se of module.staticExports) {
    const first = se.entries[0];
    const source = first?.moduleRequest;
    // `import { X } from 'm'; export { X }` is an export entry with a module request too (ECMA-262's
    // indirect export), spanning the import: only `export … from` statements are re-exports here.
    if (!first || !source || !text.startsWith('export', se.start)) continue;
    const what: string = first.importName.kind;
    if (what === 'AllButDefault') {
      record.imports.push(
        importRecord(lines, 'export-all', se, source, [], { typeOnly: first.isType }),
      );
      continue;
    }
    const names = se.entries.map((e): ImportedName => {
      const exported = e.exportName.name ?? 'default';
      if ((e.importName.kind as string) === 'All') {
        return {
          imported: '*',
          local: exported,
          importedSpan: null,
          localSpan: spanOf(e.exportName),
          isType: e.isType,
        };
      }
      return {
        imported: e.importName.name ?? '',
        local: exported,
        importedSpan: spanOf(e.importName),
        localSpan: e.exportName.start !== e.importName.start ? spanOf(e.exportName) : null,
        isType: e.isType,
      };
    });
    const typeOnly = names.length > 0 && names.every((n) => n.isType);
    record.imports.push(importRecord(lines, 'reexport', se, source, names, { typeOnly }));
  }
  record.imports.sort((a, b) => a.span.start - b.span.start);
}

function nameOf(n: ModuleExportName): string {
  return n.type === 'Literal' ? String(n.value) : n.name;
}

function innerSpan(lit: { start: number; end: number }): Span {
  return { start: lit.start + 1, end: lit.end - 1 };
}

/** `a.b.c` (non-computed member chain of identifiers) → ['a', 'b', 'c']; anything else → null. */
function namePath(e: Expression | null | undefined): string[] | null {
  if (!e) return null;
  switch (e.type) {
    case 'Identifier':
      return [e.name];
    case 'MemberExpression': {
      if (e.computed || e.property.type !== 'Identifier') return null;
      const obj = namePath(e.object);
      return obj ? [...obj, e.property.name] : null;
    }
    case 'TSAsExpression':
    case 'TSSatisfiesExpression':
    case 'TSNonNullExpression':
      return namePath(e.expression);
    default:
      return null;
  }
}

function typeNamePath(t: TSType): string[] | null {
  if (t.type !== 'TSTypeReference' || t.typeArguments) return null;
  const path: string[] = [];
  let n = t.typeName;
  while (n.type === 'TSQualifiedName') {
    path.unshift(n.right.name);
    n = n.left;
  }
  if (n.type !== 'Identifier') return null;
  path.unshift(n.name);
  return path;
}

function stringArg(n: unknown): StringLiteral | null {
  const a = n as AnyNode | undefined;
  if (!a) return null;
  if (a.type === 'Literal' && typeof a.value === 'string') return a as unknown as StringLiteral;
  return null;
}

class TsExtractor extends RecordBuilder {
  /** The `type` keyword at `pos` (not an identifier that merely starts with it). */
  private typeAt(pos: number): boolean {
    return this.text.startsWith('type', pos) && !/[\w$]/.test(this.text.charAt(pos + 4));
  }

  /** Position of the first non-space character after the keyword that starts `stmt`. */
  private afterKeyword(stmt: { start: number }, keyword: string): number {
    let p = stmt.start + keyword.length;
    while (/\s/.test(this.text.charAt(p))) p++;
    return p;
  }

  /** A specifier written `type A` / `type A as B` (inline type-only). */
  private inlineType(s: { start: number }, name: { start: number }): boolean {
    return s.start < name.start && this.typeAt(s.start);
  }

  program(program: Program): void {
    for (const stmt of program.body) this.statement(stmt);
    if (DYNAMIC_OR_REQUIRE.test(this.text)) this.walk(program as unknown as AnyNode, false, null);
    // Re-exports of imported names through `export { x }` count as re-exports.
    for (const e of this.record.exports) if (this.importedLocals.has(e.local)) this.reexports++;
    this.finish();
  }

  private addImport(
    kind: ImportKind,
    stmt: { start: number; end: number },
    source: { start: number; end: number; value: string },
    names: ImportedName[],
    flags: { typeOnly?: boolean; functionLevel?: boolean; binds?: string | null },
  ): void {
    this.record.imports.push(importRecord(this.lines, kind, stmt, source, names, flags));
  }

  private statement(stmt: Statement | Directive): void {
    switch (stmt.type) {
      case 'ImportDeclaration': {
        // `import type …` — unless `type` is the name of a default import (`import type from`).
        const kw = this.afterKeyword(stmt, 'import');
        const allType = this.typeAt(kw) && !stmt.specifiers.some((s) => s.local.start === kw);
        const names: ImportedName[] = [];
        for (const s of stmt.specifiers) {
          this.importedLocals.add(s.local.name);
          if (s.type === 'ImportSpecifier') {
            const renamed = s.imported.start !== s.local.start;
            names.push({
              imported: nameOf(s.imported),
              local: s.local.name,
              importedSpan: { start: s.imported.start, end: s.imported.end },
              localSpan: renamed ? { start: s.local.start, end: s.local.end } : null,
              isType: allType || this.inlineType(s, s.imported),
            });
          } else {
            names.push({
              imported: s.type === 'ImportDefaultSpecifier' ? 'default' : '*',
              local: s.local.name,
              importedSpan: null,
              localSpan: { start: s.local.start, end: s.local.end },
              isType: allType,
            });
          }
        }
        const typeOnly = names.length > 0 && names.every((n) => n.isType);
        this.addImport('import', stmt, stmt.source, names, { typeOnly });
        return;
      }
      case 'ExportAllDeclaration': {
        this.reexports++;
        const typeOnly = this.typeAt(this.afterKeyword(stmt, 'export'));
        if (stmt.exported) {
          const name = nameOf(stmt.exported);
          const names: ImportedName[] = [
            {
              imported: '*',
              local: name,
              importedSpan: null,
              localSpan: { start: stmt.exported.start, end: stmt.exported.end },
              isType: typeOnly,
            },
          ];
          this.addImport('reexport', stmt, stmt.source, names, { typeOnly });
        } else {
          this.addImport('export-all', stmt, stmt.source, [], { typeOnly });
        }
        return;
      }
      case 'ExportNamedDeclaration': {
        if (stmt.source) {
          this.reexports++;
          const allType = this.typeAt(this.afterKeyword(stmt, 'export'));
          const names = stmt.specifiers.map(
            (s): ImportedName => ({
              imported: nameOf(s.local),
              local: nameOf(s.exported),
              importedSpan: { start: s.local.start, end: s.local.end },
              localSpan:
                s.exported.start !== s.local.start
                  ? { start: s.exported.start, end: s.exported.end }
                  : null,
              isType: allType || this.inlineType(s, s.local),
            }),
          );
          const typeOnly = names.length > 0 && names.every((n) => n.isType);
          this.addImport('reexport', stmt, stmt.source, names, { typeOnly });
          for (const n of names) {
            if (n.imported !== n.local && n.localSpan) {
              this.bind(n.local, n.localSpan, 'alias', true, null);
            }
          }
          return;
        }
        if (stmt.declaration) {
          this.declaration(stmt.declaration, true);
          return;
        }
        for (const s of stmt.specifiers) {
          const local = nameOf(s.local);
          const exported = nameOf(s.exported);
          this.record.exports.push({
            span: { start: s.start, end: s.end },
            line: this.lines.line(s.start),
            column: this.lines.column(s.start),
            exported,
            local,
          });
          if (exported !== local) this.bind(exported, s.exported, 'alias', true, [local]);
        }
        return;
      }
      case 'ExportDefaultDeclaration': {
        const d = stmt.declaration;
        if (d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') {
          this.ownCode++;
          const kind = d.type === 'ClassDeclaration' ? 'class' : 'function';
          const name = d.id?.name ?? 'default';
          this.bind(name, d.id ?? stmt, kind, true);
          if (d.id) this.pushDefaultExport(stmt, name);
          return;
        }
        if (d.type === 'Identifier') {
          this.pushDefaultExport(stmt, d.name);
          if (!this.importedLocals.has(d.name)) this.ownCode++;
          return;
        }
        if (d.type === 'TSInterfaceDeclaration') {
          this.ownCode++;
          this.bind(d.id.name, d.id, 'type', true);
          this.pushDefaultExport(stmt, d.id.name);
          return;
        }
        this.ownCode++;
        const expr = d as Expression;
        this.bind('default', stmt, this.valueKind(expr), true, namePath(expr));
        return;
      }
      case 'TSImportEqualsDeclaration': {
        const ref = stmt.moduleReference;
        if (ref.type === 'TSExternalModuleReference') {
          this.importedLocals.add(stmt.id.name);
          this.addImport(
            'require',
            stmt,
            ref.expression,
            [
              {
                imported: '*',
                local: stmt.id.name,
                importedSpan: null,
                localSpan: { start: stmt.id.start, end: stmt.id.end },
                isType: false,
              },
            ],
            { binds: stmt.id.name },
          );
        } else {
          this.ownCode++;
        }
        return;
      }
      case 'ExpressionStatement': {
        // `'use strict'` directives and deprecation warnings do not make a module "own code".
        const e = stmt.expression as AnyNode;
        if ('directive' in stmt && stmt.directive) return;
        if (e.type === 'CallExpression' && /emitWarning|console\.warn/.test(this.slice(e))) return;
        if (e.type === 'CallExpression' && this.slice(e).startsWith('require(')) return;
        this.ownCode++;
        return;
      }
      case 'EmptyStatement':
        return;
      default:
        this.declaration(stmt as Declaration, false);
    }
  }

  private pushDefaultExport(stmt: { start: number; end: number }, local: string): void {
    this.record.exports.push({
      span: { start: stmt.start, end: stmt.end },
      line: this.lines.line(stmt.start),
      column: this.lines.column(stmt.start),
      exported: 'default',
      local,
    });
  }

  private slice(n: { start: number; end: number }): string {
    return this.text.slice(n.start, n.end);
  }

  private valueKind(e: Expression | null | undefined): BindingKind {
    if (!e) return 'variable';
    switch (e.type) {
      case 'ClassExpression':
        return 'class';
      case 'ArrowFunctionExpression':
      case 'FunctionExpression':
        return 'function';
      default:
        return namePath(e) ? 'alias' : 'variable';
    }
  }

  private declaration(d: Declaration | Statement, exported: boolean): void {
    switch (d.type) {
      case 'FunctionDeclaration':
      case 'TSDeclareFunction':
        this.ownCode++;
        if (d.id) this.bind(d.id.name, d.id, 'function', exported);
        return;
      case 'ClassDeclaration':
        this.ownCode++;
        if ((d as Class).id) {
          const id = (d as Class).id as { name: string; start: number; end: number };
          this.bind(id.name, id, 'class', exported);
        }
        return;
      case 'VariableDeclaration': {
        for (const decl of d.declarations) this.variable(decl, exported);
        return;
      }
      case 'TSInterfaceDeclaration':
      case 'TSEnumDeclaration':
        this.ownCode++;
        this.bind(d.id.name, d.id, 'type', exported);
        return;
      case 'TSTypeAliasDeclaration': {
        const path = typeNamePath(d.typeAnnotation);
        if (!path || !this.importedLocals.has(path[0] as string)) this.ownCode++;
        else this.reexports += exported ? 1 : 0;
        this.bind(d.id.name, d.id, path ? 'alias' : 'type', exported, path);
        return;
      }
      default:
        this.ownCode++;
    }
  }

  private variable(decl: VariableDeclarator, exported: boolean): void {
    const init = decl.init;
    if (decl.id.type !== 'Identifier') {
      this.ownCode++;
      return;
    }
    const kind = this.valueKind(init);
    const path = kind === 'alias' ? namePath(init) : null;
    const requireCall = init ? this.requireSpecifier(init as unknown as AnyNode) : null;
    if (path && this.importedLocals.has(path[0] as string)) {
      if (exported) this.reexports++;
    } else if (!requireCall) {
      this.ownCode++;
    }
    this.bind(decl.id.name, decl.id, kind, exported, path);
  }

  /** The specifier of `require('m')` / `require('m').x`, or null. */
  private requireSpecifier(n: AnyNode): StringLiteral | null {
    let e = n;
    while (e.type === 'MemberExpression') e = e.object as AnyNode;
    if (e.type !== 'CallExpression') return null;
    const callee = e.callee as AnyNode;
    if (callee.type !== 'Identifier' || callee.name !== 'require') return null;
    return stringArg((e.arguments as unknown[])[0]);
  }

  /**
   * Finds `require('m')` and `import('m')` anywhere, with the names a surrounding declaration
   * binds (`const { a, b: c } = require('m')`, `const x = require('m').y`).
   */
  private walk(node: AnyNode, inFunction: boolean, declarator: AnyNode | null): void {
    const t = node.type;
    const fn =
      inFunction ||
      t === 'FunctionDeclaration' ||
      t === 'FunctionExpression' ||
      t === 'ArrowFunctionExpression';
    if (t === 'CallExpression' || t === 'ImportExpression') {
      const isRequire =
        t === 'CallExpression' &&
        (node.callee as AnyNode).type === 'Identifier' &&
        (node.callee as AnyNode).name === 'require';
      const source =
        t === 'ImportExpression'
          ? stringArg(node.source)
          : isRequire
            ? stringArg((node.arguments as unknown[])[0])
            : null;
      if (source) {
        const { names, binds } = this.boundNames(declarator, node);
        if (declarator && binds) for (const n of names) this.importedLocals.add(n.local);
        this.addImport(isRequire ? 'require' : 'dynamic', node, source, names, {
          functionLevel: fn,
          binds,
        });
        return;
      }
    }
    const nextDeclarator = t === 'VariableDeclarator' ? node : declarator;
    for (const key in node) {
      if (key === 'type' || key === 'start' || key === 'end' || key === 'parent') continue;
      const v = node[key];
      if (v === null || typeof v !== 'object') continue;
      if (Array.isArray(v)) {
        for (const c of v) {
          if (c && typeof c === 'object' && typeof (c as AnyNode).type === 'string') {
            this.walk(c as AnyNode, fn, nextDeclarator);
          }
        }
      } else if (typeof (v as AnyNode).type === 'string') {
        // boundNames() checks that the call is the declarator's whole initialiser.
        this.walk(v as AnyNode, fn, nextDeclarator);
      }
    }
  }

  private boundNames(
    declarator: AnyNode | null,
    call: AnyNode,
  ): { names: ImportedName[]; binds: string | null } {
    if (!declarator) return { names: [], binds: null };
    let init = declarator.init as AnyNode | null;
    if (init?.type === 'AwaitExpression') init = init.argument as AnyNode;
    const id = declarator.id as AnyNode;
    const span = (n: AnyNode): Span => ({ start: n.start, end: n.end });
    if (init === call && id.type === 'Identifier') {
      return {
        names: [
          {
            imported: '*',
            local: id.name as string,
            importedSpan: null,
            localSpan: span(id),
            isType: false,
          },
        ],
        binds: id.name as string,
      };
    }
    if (init === call && id.type === 'ObjectPattern') {
      const names: ImportedName[] = [];
      for (const p of id.properties as AnyNode[]) {
        if (p.type !== 'Property' || p.computed) continue;
        const key = p.key as AnyNode;
        let value = p.value as AnyNode;
        if (value.type === 'AssignmentPattern') value = value.left as AnyNode;
        if (key.type !== 'Identifier' || value.type !== 'Identifier') continue;
        names.push({
          imported: key.name as string,
          local: value.name as string,
          importedSpan: span(key),
          localSpan: p.shorthand ? null : span(value),
          isType: false,
        });
      }
      return { names, binds: null };
    }
    if (
      init?.type === 'MemberExpression' &&
      init.object === call &&
      !init.computed &&
      (init.property as AnyNode).type === 'Identifier' &&
      id.type === 'Identifier'
    ) {
      const prop = init.property as AnyNode;
      return {
        names: [
          {
            imported: prop.name as string,
            local: id.name as string,
            importedSpan: span(prop),
            localSpan: span(id),
            isType: false,
          },
        ],
        binds: null,
      };
    }
    return { names: [], binds: null };
  }
}
