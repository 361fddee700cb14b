import { LineIndex } from './lines.js';
import {
  KEYWORDS as KEYWORD_LIST,
  keywordId,
  OPS,
  opId,
  T,
  type Tokens,
  tokenize,
} from './python-tokens.js';
import { emptyRecord, pythonImport } from './record.js';
import type {
  BindingKind,
  FileRecord,
  ImportedName,
  ImportKind,
  ModuleEffect,
  Span,
} from './types.js';

/**
 * The audit's fast Python extractor: what the audit needs from a file — its imports (with their
 * context), module-level bindings, `__all__` and what the module runs at import — read from
 * tokens and logical lines instead of a full syntax tree, with the syntax checks that find the
 * errors real repositories contain (Python 2 files, merge-conflict markers, templates, truncated
 * files, broken headers) where CPython's parser reports them. Its records equal those of the
 * tree-sitter extractor (`python.ts`, which `ssot migrate` keeps using for its edits); the tests
 * prove both against CPython's `ast`.
 */

const KEYWORDS = new Set<string>(KEYWORD_LIST);
const COMPOUND = new Set([
  'if',
  'elif',
  'else',
  'while',
  'for',
  'try',
  'except',
  'finally',
  'with',
  'def',
  'class',
]);
/** Keywords after which a statement cannot end. */
const NEEDS_MORE = new Set([
  'and',
  'or',
  'not',
  'in',
  'is',
  'lambda',
  'import',
  'from',
  'as',
  'await',
  'assert',
  'del',
  'if',
  'elif',
  'while',
  'for',
  'with',
  'class',
  'def',
  'global',
  'nonlocal',
  'async',
  'except',
]);
const OPENERS = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);

/** Per operator id: 1 opener, 2 closer, 3 binary-only, 4 prefix-capable, 5 `...`. */
const OP_CLASS = new Uint8Array(OPS.length + 1);
for (const [i, op] of OPS.entries()) {
  OP_CLASS[i + 1] = OPENERS.has(op)
    ? 1
    : CLOSERS.has(op)
      ? 2
      : op === '...'
        ? 5
        : ['+', '-', '~', '*', '**'].includes(op)
          ? 4
          : 3;
}
const CONSTANT_IDS = new Set([keywordId('False'), keywordId('None'), keywordId('True')]);
const NEEDS_MORE_IDS = new Uint8Array(KEYWORD_LIST.length + 1);
for (const k of NEEDS_MORE) NEEDS_MORE_IDS[keywordId(k as never)] = 1;
const O = {
  open: opId('('),
  openSquare: opId('['),
  comma: opId(','),
  colon: opId(':'),
  semicolon: opId(';'),
  dot: opId('.'),
  assign: opId('='),
  star: opId('*'),
  slash: opId('/'),
  at: opId('@'),
  closeSquare: opId(']'),
  ellipsis: opId('...'),
  plusAssign: opId('+='),
};
const K = {
  from: keywordId('from'),
  import: keywordId('import'),
  lambda: keywordId('lambda'),
  async: keywordId('async'),
  def: keywordId('def'),
  for: keywordId('for'),
  with: keywordId('with'),
  except: keywordId('except'),
};
const DYNAMIC_IMPORT = /^(importlib\.import_module|import_module|__import__)$/;
const IMPORT_ERRORS = /\b(ImportError|ModuleNotFoundError)\b/;
const BROAD = /^(Exception|BaseException)\b/;
const TYPE_CHECKING = /^(typing\.|t\.)?TYPE_CHECKING$/;
const LOGGING = /^(logger|log|logging|_logger|_log|LOGGER|LOG)\.|^print$/;
const WARNING = /(^|\.)warn$/;

interface Context {
  typeChecking: boolean;
  functionLevel: boolean;
  inTryImportError: boolean;
}

interface Block {
  /** Depth (number of open indents) of the block's body lines. */
  depth: number;
  ctx: Context;
  /** Module-level names bound here are the module's (module top, and if/try/with bodies there). */
  bindsModule: boolean;
  /** A handler of a try whose handlers catch ImportError (assignments here are fallbacks). */
  fallback: boolean;
}

/**
 * Line/column of offsets, counted forward from the last query (the scanner asks in source
 * order): no per-file array of line starts.
 */
class ForwardLines {
  private offset = 0;
  private lineNo = 1;
  private lineStart = 0;

  constructor(private readonly text: string) {}

  private seek(offset: number): void {
    if (offset < this.offset) {
      this.offset = 0;
      this.lineNo = 1;
      this.lineStart = 0;
    }
    const text = this.text;
    let i = text.indexOf('\n', this.offset);
    while (i !== -1 && i < offset) {
      this.lineNo++;
      this.lineStart = i + 1;
      i = text.indexOf('\n', i + 1);
    }
    this.offset = offset;
  }

  line(offset: number): number {
    this.seek(offset);
    return this.lineNo;
  }

  column(offset: number): number {
    this.seek(offset);
    return offset - this.lineStart + 1;
  }
}

let lineBuffers = {
  first: new Int32Array(8192),
  end: new Int32Array(8192),
  depth: new Int32Array(8192),
};

class ScanError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const TOP: Context = { typeChecking: false, functionLevel: false, inTryImportError: false };

class Scanner {
  readonly data: Int32Array;
  readonly count: number;
  readonly lines: ForwardLines;
  /** Token ranges of the logical lines: [first, end) token index, and their indent depth. */
  lineFirst: Int32Array;
  lineEnd: Int32Array;
  lineDepth: Int32Array;
  lineCount = 0;
  private readonly allNames = new Set<string>();

  constructor(
    readonly record: FileRecord,
    readonly text: string,
    tokens: Tokens,
  ) {
    this.data = tokens.data;
    this.count = tokens.count;
    this.lines = new ForwardLines(text);
    if (lineBuffers.first.length < tokens.count) {
      const n = tokens.count * 2;
      lineBuffers = { first: new Int32Array(n), end: new Int32Array(n), depth: new Int32Array(n) };
    }
    this.lineFirst = lineBuffers.first;
    this.lineEnd = lineBuffers.end;
    this.lineDepth = lineBuffers.depth;
  }

  kind(i: number): T {
    return ((this.data[3 * i] as number) & 0xff) as T;
  }
  /** Operator or keyword id of token i (0 for identifiers and other tokens). */
  sub(i: number): number {
    return (this.data[3 * i] as number) >> 8;
  }
  start(i: number): number {
    return this.data[3 * i + 1] as number;
  }
  end(i: number): number {
    return this.data[3 * i + 2] as number;
  }
  str(i: number): string {
    return this.text.slice(this.start(i), this.end(i));
  }
  /** Whether token i is the operator or name `s` (compares without building a string). */
  is(i: number, s: string): boolean {
    const a = this.start(i);
    if (this.end(i) - a !== s.length) return false;
    for (let k = 0; k < s.length; k++)
      if (this.text.charCodeAt(a + k) !== s.charCodeAt(k)) return false;
    return true;
  }
  fail(i: number, message: string): never {
    throw new ScanError(this.start(i), message);
  }

  /** Splits the tokens into logical lines. */
  split(): void {
    let depth = 0;
    let first = -1;
    for (let i = 0; i < this.count; i++) {
      const k = this.kind(i);
      if (k === T.Indent) depth++;
      else if (k === T.Dedent) depth--;
      else if (k === T.Newline || k === T.End) {
        if (first !== -1) {
          const l = this.lineCount++;
          this.lineFirst[l] = first;
          this.lineEnd[l] = i;
          this.lineDepth[l] = depth;
          first = -1;
        }
      } else if (first === -1) first = i;
    }
  }

  /** The first `:` at bracket depth 0 of tokens [a, b) that is not a lambda's, or -1. */
  headerColon(a: number, b: number): number {
    let depth = 0;
    let lambdas = 0;
    for (let i = a; i < b; i++) {
      if (this.kind(i) === T.Name) {
        if (depth === 0 && this.is(i, 'lambda')) lambdas++;
        continue;
      }
      if (this.kind(i) !== T.Op) continue;
      const c = this.text.charCodeAt(this.start(i));
      const len = this.end(i) - this.start(i);
      if (len === 1 && (c === 40 || c === 91 || c === 123)) depth++;
      else if (len === 1 && (c === 41 || c === 93 || c === 125)) depth--;
      else if (depth === 0 && len === 1 && c === 58) {
        if (lambdas > 0) lambdas--;
        else return i;
      }
    }
    return -1;
  }

  /** Token-level syntax checks of one simple statement or header, tokens [a, b). */
  check(a: number, b: number): void {
    const brackets: number[] = []; // opener ids
    const fromImport = this.sub(a) === K.from;
    // 0 statement start, 1 operand end, 2 operator/opener (an operand expected), 3 keyword, 4 dot
    let prevClass = 0;
    let prevOp = 0; // operator id of the previous token, 0 when it was not an operator
    let prevString = false;
    for (let i = a; i < b; i++) {
      const k = this.kind(i);
      const id = this.sub(i);
      if (k === T.Name) {
        if (id !== 0 && !CONSTANT_IDS.has(id)) {
          if (
            id === K.lambda &&
            i + 1 < b &&
            this.sub(i + 1) === O.open &&
            this.kind(i + 1) === T.Op
          ) {
            this.fail(i + 1, 'invalid syntax');
          }
          if (id === K.async && i + 1 < b) {
            const next = this.sub(i + 1);
            if (
              this.kind(i + 1) !== T.Name ||
              (next !== K.def && next !== K.for && next !== K.with)
            )
              this.fail(i, 'invalid syntax');
          }
          prevClass = 3;
        } else {
          if (prevClass === 1 && !(i - 1 === a && this.softKeyword(a)))
            this.fail(i, 'invalid syntax');
          prevClass = 1;
        }
        prevOp = 0;
        prevString = false;
        continue;
      }
      if (k === T.Number || k === T.String) {
        if (
          prevClass === 1 &&
          !(k === T.String && prevString) &&
          !(i - 1 === a && this.softKeyword(a))
        ) {
          this.fail(i, 'invalid syntax');
        }
        if (prevClass === 4) this.fail(i, 'invalid syntax');
        prevClass = 1;
        prevOp = 0;
        prevString = k === T.String;
        continue;
      }
      prevString = false;
      if (k !== T.Op) continue;
      const cls = OP_CLASS[id] as number;
      if (cls === 5) {
        if (prevClass === 1 && !fromImport) this.fail(i, 'invalid syntax');
        prevClass = fromImport ? 3 : 1;
      } else if (cls === 1) {
        if (prevClass === 4) this.fail(i, 'invalid syntax');
        brackets.push(id);
        prevClass = 2;
      } else if (cls === 2) {
        if (prevClass === 2) {
          const fine =
            (prevOp !== 0 && OP_CLASS[prevOp] === 1) ||
            prevOp === O.comma ||
            (id === O.closeSquare && prevOp === O.colon) ||
            prevOp === O.star ||
            prevOp === O.slash;
          if (!fine) this.fail(i, 'invalid syntax');
        } else if (prevClass === 0 || prevClass === 4) this.fail(i, 'invalid syntax');
        brackets.pop();
        prevClass = 1;
      } else if (cls === 3) {
        if (id === O.dot && fromImport) prevClass = 3;
        else if (prevClass === 0 || prevClass === 2 || prevClass === 4) {
          const inSquare = brackets[brackets.length - 1] === O.openSquare;
          const ok =
            (id === O.colon &&
              inSquare &&
              (prevOp === O.openSquare || prevOp === O.comma || prevOp === O.colon)) ||
            (id === O.comma && inSquare && prevOp === O.colon) ||
            (id === O.assign && prevOp === O.comma) ||
            (id === O.at && prevClass === 0) ||
            (id === O.slash && prevOp === O.comma) ||
            ((id === O.comma || id === O.colon || id === O.assign) &&
              (prevOp === O.star || prevOp === O.slash));
          if (!ok) this.fail(i, 'invalid syntax');
          prevClass = 2;
        } else prevClass = id === O.dot ? 4 : 2;
      } else {
        if (prevClass === 4) this.fail(i, 'invalid syntax');
        prevClass = 2;
      }
      prevOp = id;
    }
    // A statement cannot end on an operator or on a keyword that needs an operand.
    const last = b - 1;
    if (last < a) return;
    const k = this.kind(last);
    const id = this.sub(last);
    if (k === T.Op) {
      if (
        id === O.star &&
        last > a &&
        this.sub(last - 1) === K.import &&
        this.kind(last - 1) === T.Name
      )
        return;
      if (id === O.colon || id === O.comma || id === O.semicolon || id === O.ellipsis) return;
      const cls = OP_CLASS[id];
      if (cls === 3 || cls === 4) this.fail(last, 'invalid syntax');
    } else if (k === T.Name && NEEDS_MORE_IDS[id] === 1) {
      if (id === K.except && last === a) this.fail(last, "expected ':'");
      this.fail(last, 'invalid syntax');
    }
  }

  /** The keyword token i is (a constant string, nothing allocated), or '' for other tokens. */
  word(i: number): string {
    if (this.kind(i) !== T.Name) return '';
    const id = this.sub(i);
    return id === 0 ? '' : (KEYWORD_LIST[id - 1] as string);
  }

  /** `match`, `case` or `type` opening a statement (soft keywords). */
  softKeyword(i: number): boolean {
    return this.is(i, 'match') || this.is(i, 'case') || this.is(i, 'type');
  }

  /** Names of import statement tokens [a, b): `import a.b as c, d`. */
  importStatement(a: number, b: number, ctx: Context): void {
    const at: Span = { start: this.start(a), end: this.end(b - 1) };
    if (this.is(a, 'import')) {
      let i = a + 1;
      while (i < b) {
        const nameStart = i;
        while (i < b && !this.is(i, ',') && !this.is(i, 'as')) i++;
        const nameSpan = { start: this.start(nameStart), end: this.end(i - 1) };
        const dotted = this.text.slice(nameSpan.start, nameSpan.end).replace(/\s+/g, '');
        if (i < b && this.is(i, 'as')) {
          const alias = i + 1;
          const aliasSpan = { start: this.start(alias), end: this.end(alias) };
          const local = this.str(alias);
          const names: ImportedName[] = [
            { imported: '*', local, importedSpan: null, localSpan: aliasSpan, isType: false },
          ];
          this.push('import-module', at, dotted, nameSpan, 0, names, local, ctx);
          i = alias + 1;
        } else {
          this.push(
            'import-module',
            at,
            dotted,
            nameSpan,
            0,
            [],
            dotted.split('.')[0] as string,
            ctx,
          );
        }
        if (i < b && this.is(i, ',')) i++;
      }
      return;
    }
    // from M import …
    let i = a + 1;
    const moduleStart = i;
    while (i < b && !this.is(i, 'import')) i++;
    const moduleSpan = { start: this.start(moduleStart), end: this.end(i - 1) };
    const specifier = this.text.slice(moduleSpan.start, moduleSpan.end).replace(/\s+/g, '');
    if (specifier === '__future__') return;
    let level = 0;
    while (specifier.charCodeAt(level) === 46) level++;
    i++; // import
    const names: ImportedName[] = [];
    let star = false;
    for (; i < b; i++) {
      if (this.kind(i) === T.Op) {
        if (this.is(i, '*')) star = true;
        continue;
      }
      if (this.kind(i) !== T.Name) continue;
      const nameSpan = { start: this.start(i), end: this.end(i) };
      // tree-sitter takes `a.b` as one dotted name here (invalid Python, but parsed).
      while (i + 2 < b && this.is(i + 1, '.') && this.kind(i + 2) === T.Name) {
        i += 2;
        nameSpan.end = this.end(i);
      }
      const imported = this.text.slice(nameSpan.start, nameSpan.end);
      if (i + 2 < b && this.is(i + 1, 'as')) {
        const alias = i + 2;
        names.push({
          imported,
          local: this.str(alias),
          importedSpan: nameSpan,
          localSpan: { start: this.start(alias), end: this.end(alias) },
          isType: false,
        });
        i = alias;
      } else {
        names.push({
          imported,
          local: imported,
          importedSpan: nameSpan,
          localSpan: null,
          isType: false,
        });
      }
    }
    this.push(star ? 'export-all' : 'import', at, specifier, moduleSpan, level, names, null, ctx);
  }

  push(
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
  }

  bind(i: number, kind: BindingKind, target: string[] | null, spanEnd?: number): void {
    const name = this.str(i);
    this.record.bindings.push({
      span: { start: this.start(i), end: spanEnd ?? this.end(i) },
      line: this.lines.line(this.start(i)),
      column: this.lines.column(this.start(i)),
      name,
      kind,
      exported: !name.startsWith('_'),
      target,
    });
  }

  effect(i: number, kind: ModuleEffect['kind'], name: string, detail?: string): void {
    this.record.effects.push({
      kind,
      line: this.lines.line(this.start(i)),
      name,
      ...(detail ? { detail } : {}),
    });
  }

  /** `importlib.import_module("m")` and friends in tokens [a, b). */
  dynamicCalls(a: number, b: number, ctx: Context): void {
    for (let i = a; i < b; i++) {
      if (this.kind(i) !== T.Name) continue;
      const c = this.text.charCodeAt(this.start(i));
      if (c !== 105 /* i */ && c !== 95 /* _ */) continue;
      let j = i;
      if (
        this.is(i, 'importlib') &&
        i + 2 < b &&
        this.is(i + 1, '.') &&
        this.is(i + 2, 'import_module')
      )
        j = i + 2;
      else if (!this.is(i, 'import_module') && !this.is(i, '__import__')) continue;
      if (i > a && (this.is(i - 1, '.') || this.is(i - 1, 'def'))) continue;
      if (!DYNAMIC_IMPORT.test(this.text.slice(this.start(i), this.end(j)))) continue;
      if (!(j + 2 < b && this.is(j + 1, '(') && this.kind(j + 2) === T.String)) continue;
      const s = j + 2;
      if (!this.is(s + 1, ')') && !this.is(s + 1, ',')) continue; // `"a." + name`, concatenated
      const raw = this.str(s);
      const q = raw.search(/['"]/);
      const prefix = raw.slice(0, q);
      const quote = raw.slice(q, raw.startsWith(raw[q]?.repeat(3) ?? '', q) ? q + 3 : q + 1);
      const content = { start: this.start(s) + q + quote.length, end: this.end(s) - quote.length };
      if (content.end <= content.start) continue;
      if (/[fFtT]/.test(prefix) && /(^|[^{])\{(?!\{)/.test(raw)) continue;
      let fn = false;
      for (let k = a; k < i; k++) if (this.is(k, 'lambda')) fn = true;
      const span = { start: this.start(i), end: this.closeOf(j + 1) };
      this.push(
        'dynamic',
        span,
        this.text.slice(content.start, content.end),
        content,
        0,
        [],
        null,
        fn ? { ...ctx, functionLevel: true } : ctx,
      );
    }
  }

  /** End offset of the bracket opened at token i. */
  closeOf(i: number): number {
    let depth = 0;
    for (let k = i; k < this.count; k++) {
      if (this.kind(k) !== T.Op) continue;
      const op = this.str(k);
      if (OPENERS.has(op)) depth++;
      else if (CLOSERS.has(op) && --depth === 0) return this.end(k);
    }
    return this.end(i);
  }

  /** One simple statement, tokens [a, b). */
  simple(a: number, b: number, block: Block, top: boolean): void {
    if (a >= b) return;
    this.check(a, b);
    const first = this.word(a);
    if (first === 'raise') {
      // Python 2's `raise E, "message"`.
      let depth = 0;
      for (let i = a + 1; i < b; i++) {
        if (this.kind(i) !== T.Op) continue;
        const op = this.str(i);
        if (OPENERS.has(op)) depth++;
        else if (CLOSERS.has(op)) depth--;
        else if (op === ',' && depth === 0) this.fail(i, 'invalid syntax');
      }
    }
    if (first === 'import' || first === 'from') {
      this.importStatement(a, b, block.ctx);
      if (first === 'from' && block.bindsModule) {
        const rec = this.record.imports[this.record.imports.length - 1];
        if (rec && rec.span.start === this.start(a)) {
          for (const n of rec.names) {
            if (n.localSpan && n.local !== n.imported) {
              this.record.bindings.push({
                span: n.localSpan,
                line: this.lines.line(n.localSpan.start),
                column: this.lines.column(n.localSpan.start),
                name: n.local,
                kind: 'alias',
                exported: !n.local.startsWith('_'),
                target: null,
              });
            }
          }
        }
      }
      return;
    }
    this.dynamicCalls(a, b, block.ctx);
    if (!block.bindsModule) return;
    // Assignments: the first `=` at bracket depth 0.
    let eq = -1;
    let annotation = -1;
    let depth = 0;
    for (let i = a; i < b; i++) {
      if (this.kind(i) !== T.Op) continue;
      const id = this.sub(i);
      const cls = OP_CLASS[id];
      if (cls === 1) depth++;
      else if (cls === 2) depth--;
      else if (depth === 0 && id === O.assign && eq === -1) eq = i;
      else if (depth === 0 && id === O.colon && annotation === -1 && eq === -1) annotation = i;
      else if (
        depth === 0 &&
        id === O.plusAssign &&
        eq === -1 &&
        i === a + 1 &&
        this.is(a, '__all__')
      ) {
        this.record.hasAll = true;
        this.collectAll(i + 1, b, a);
        return;
      }
    }
    const soleTarget =
      this.kind(a) === T.Name && first === '' && (eq === a + 1 || annotation === a + 1);
    if (soleTarget) {
      if (this.is(a, '__all__')) {
        this.record.hasAll = true;
        if (eq !== -1) this.collectAll(eq + 1, b, a);
        return;
      }
      const right = eq === -1 ? -1 : eq + 1;
      const path = right === -1 ? null : this.namePath(right, b);
      this.bind(a, path ? 'alias' : 'variable', path);
      if (block.fallback)
        this.effect(
          a,
          'fallback',
          this.str(a),
          right === -1 ? '' : this.text.slice(this.start(right), this.end(b - 1)),
        );
      return;
    }
    if (eq !== -1 || annotation !== -1) return;
    // A call statement: `logger.info(…)`, `warnings.warn(…)`, `helper()`.
    if (this.kind(a) === T.Name && first === '') {
      let i = a;
      while (i + 2 < b && this.is(i + 1, '.') && this.kind(i + 2) === T.Name) i += 2;
      if (i + 1 < b && this.is(i + 1, '(') && this.closeOf(i + 1) === this.end(b - 1)) {
        const fn = this.text.slice(this.start(a), this.end(i)).replace(/\s+/g, '');
        this.effect(a, WARNING.test(fn) ? 'warns' : LOGGING.test(fn) ? 'logs' : 'calls', fn);
        return;
      }
    }
    void top;
  }

  /** `Y`, `mod.Y`, `a.b.Y` as the whole of tokens [a, b) → its name path, else null. */
  namePath(a: number, b: number): string[] | null {
    if (a >= b || (b - a) % 2 === 0) return null;
    const path: string[] = [];
    for (let i = a; i < b; i += 2) {
      if (this.kind(i) !== T.Name) return null;
      const w = this.str(i);
      if (KEYWORDS.has(w)) return null;
      path.push(w);
      if (i + 1 < b && !this.is(i + 1, '.')) return null;
    }
    return path;
  }

  /** `__all__ = [...]` / `+= (...)`: the names listed as plain strings. */
  collectAll(a: number, b: number, stmt: number): void {
    if (a >= b || !(this.is(a, '[') || this.is(a, '('))) return;
    if (this.closeOf(a) !== this.end(b - 1)) return;
    const at = { start: this.start(stmt), end: this.end(b - 1) };
    // Only a plain list or tuple of strings: no comprehension, no concatenation with others.
    let depth = 0;
    for (let i = a; i < b; i++) {
      if (this.kind(i) === T.Op) {
        const op = this.str(i);
        if (OPENERS.has(op)) depth++;
        else if (CLOSERS.has(op)) depth--;
      } else if (depth === 1 && this.is(i, 'for')) return;
    }
    for (let i = a + 1; i < b - 1; i++) {
      if (this.kind(i) !== T.String) continue;
      const before = this.str(i - 1);
      const after = this.str(i + 1);
      if (!(i === a + 1 || before === ',') || !(after === ',' || i === b - 2)) continue;
      const raw = this.str(i);
      const q = raw.search(/['"]/);
      const triple = raw.length - q >= 6 && raw[q] === raw[q + 1] && raw[q] === raw[q + 2];
      const content = raw.slice(q + (triple ? 3 : 1), raw.length - (triple ? 3 : 1));
      if (!content) continue;
      this.allNames.add(content);
      this.record.exports.push({
        span: at,
        line: this.lines.line(at.start),
        column: this.lines.column(at.start),
        exported: content,
        local: content,
      });
    }
  }

  /** Whether a `try:` header on line `l` has a handler that catches ImportError. */
  tryCatchesImportError(l: number): boolean {
    const depth = this.lineDepth[l] as number;
    for (let k = l + 1; k < this.lineCount; k++) {
      const d = this.lineDepth[k] as number;
      if (d > depth) continue;
      if (d < depth) return false;
      const f = this.lineFirst[k] as number;
      if (this.is(f, 'except')) {
        if (this.catchesImportError(f, this.lineEnd[k] as number)) return true;
      } else if (!this.is(f, 'else') && !this.is(f, 'finally')) return false;
    }
    return false;
  }

  catchesImportError(a: number, b: number): boolean {
    const colon = this.headerColon(a, b);
    let from = a + 1;
    if (from < b && this.is(from, '*')) from++;
    if (colon === from) return true; // bare except
    const stop = colon === -1 ? b : colon;
    let asAt = stop;
    for (let i = from; i < stop; i++) if (this.is(i, 'as')) asAt = i;
    const text = this.text.slice(this.start(from), this.end(asAt - 1));
    return IMPORT_ERRORS.test(text) || BROAD.test(text);
  }

  run(): void {
    this.split();
    const stack: Block[] = [{ depth: 0, ctx: TOP, bindsModule: true, fallback: false }];
    /** Per depth: the compound statement whose clauses may follow (`if`, `try`, `for`, …). */
    const group: (string | null)[] = [];
    const tryClauses: boolean[] = [];
    const guardedTry: boolean[] = [];
    let pending: Block | null = null;
    let pendingLine = -1;
    let decorated = -1;
    const lineCount = this.lineCount;
    for (let l = 0; l < lineCount; l++) {
      const a = this.lineFirst[l] as number;
      const b = this.lineEnd[l] as number;
      const depth = this.lineDepth[l] as number;
      if (pending) {
        if (depth !== pending.depth) {
          this.fail(a, this.expectedBlock(pendingLine));
        }
        stack.push(pending);
        pending = null;
      } else if (depth > (stack[stack.length - 1] as Block).depth)
        this.fail(a, 'unexpected indent');
      while ((stack[stack.length - 1] as Block).depth > depth) stack.pop();
      // Clauses end a group at this depth; anything else closes it (a try needs a handler).
      const first = this.word(a);
      const clause =
        first === 'elif' || first === 'else' || first === 'except' || first === 'finally';
      for (let d = group.length - 1; d > depth; d--) {
        if (group[d] === 'try' && !tryClauses[d])
          this.fail(a, "expected 'except' or 'finally' block");
        group[d] = null;
      }
      if (!clause && group[depth] === 'try' && !tryClauses[depth])
        this.fail(a, "expected 'except' or 'finally' block");
      if (clause) {
        const g = group[depth];
        const fits =
          (first === 'elif' && g === 'if') ||
          (first === 'else' && (g === 'if' || g === 'for' || g === 'while' || g === 'try')) ||
          ((first === 'except' || first === 'finally') && g === 'try');
        if (!fits) this.fail(a, 'invalid syntax');
        if (first === 'except' || first === 'finally') tryClauses[depth] = true;
      }
      if (decorated !== -1) {
        const ok = first === 'def' || first === 'class' || first === 'async' || this.is(a, '@');
        if (!ok) this.fail(a, 'invalid syntax');
        decorated = -1;
      }
      const block = stack[stack.length - 1] as Block;
      const softHeader =
        this.kind(a) === T.Name &&
        (this.is(a, 'match') || this.is(a, 'case')) &&
        this.is(b - 1, ':') &&
        b - a > 2 &&
        !this.is(a + 1, '=') &&
        !this.is(a + 1, '.');
      if (this.is(a, '@')) {
        this.check(a, b);
        decorated = l;
        continue;
      }
      if (COMPOUND.has(first) || (first === 'async' && b > a + 1) || softHeader) {
        const keyword = first === 'async' ? this.str(a + 1) : first;
        if (keyword === 'else' || keyword === 'try' || keyword === 'finally') {
          if (!this.is(a + 1, ':')) this.fail(a + 1 < b ? a + 1 : a, "expected ':'");
        }
        const colon = this.headerColon(a, b);
        if (colon === -1) this.fail(b - 1, "expected ':'");
        const kwAt = first === 'async' ? a + 1 : a;
        if (keyword === 'def' || keyword === 'class') {
          if (this.kind(kwAt + 1) !== T.Name || KEYWORDS.has(this.str(kwAt + 1)))
            this.fail(kwAt + 1, 'invalid syntax');
          if (keyword === 'def' && !(this.is(kwAt + 2, '(') || this.is(kwAt + 2, '[')))
            this.fail(kwAt + 2, "expected '('");
        }
        if (keyword === 'except') {
          let depth2 = 0;
          let comma = false;
          let hasAs = false;
          for (let i = a + 1; i < colon; i++) {
            if (this.kind(i) === T.Op) {
              const op = this.str(i);
              if (OPENERS.has(op)) depth2++;
              else if (CLOSERS.has(op)) depth2--;
              else if (op === ',' && depth2 === 0) comma = true;
            } else if (this.is(i, 'as')) hasAs = true;
          }
          if (comma)
            this.fail(
              a + 1,
              hasAs
                ? 'multiple exception types must be parenthesized'
                : 'multiple exception types must be parenthesized',
            );
        }
        this.check(a, colon + 1);
        // The new block's context.
        let ctx = block.ctx;
        let bindsModule = block.bindsModule;
        let fallback = false;
        if (keyword === 'def') {
          ctx = { ...ctx, functionLevel: true };
          bindsModule = false;
        } else if (keyword === 'class') bindsModule = false;
        else if (keyword === 'if' || keyword === 'elif') {
          const cond = this.text.slice(this.start(a + 1), this.end(colon - 1));
          if (TYPE_CHECKING.test(cond)) ctx = { ...ctx, typeChecking: true };
        } else if (keyword === 'try') {
          guardedTry[depth] = this.tryCatchesImportError(l);
          if (guardedTry[depth]) ctx = { ...ctx, inTryImportError: true };
        } else if (keyword === 'except') {
          if (guardedTry[depth]) {
            ctx = { ...ctx, inTryImportError: true };
            fallback = true;
          }
        } else if (keyword === 'else') {
          if (group[depth] === 'for' || group[depth] === 'while') bindsModule = false;
        } else if (keyword !== 'with' && keyword !== 'finally') bindsModule = false; // for, while, match, case
        if (!clause) {
          group[depth] = softHeader ? null : keyword;
          tryClauses[depth] = false;
        }
        if (block.bindsModule && (keyword === 'def' || keyword === 'class')) {
          this.bind(kwAt + 1, keyword === 'class' ? 'class' : 'function', null);
        }
        // Imports in default values, bases and decorators belong to the enclosing block.
        this.dynamicCalls(a, colon, block.ctx);
        const body: Block = { depth: depth + 1, ctx, bindsModule, fallback };
        if (colon === b - 1) {
          pending = body;
          pendingLine = l;
        } else this.statements(colon + 1, b, { ...body, depth }, false);
        continue;
      }
      group[depth] = null;
      this.statements(a, b, block, stack.length === 1);
    }
    if (pending) {
      throw new ScanError(this.text.length, this.expectedBlock(pendingLine));
    }
    for (let d = group.length - 1; d >= 0; d--) {
      if (group[d] === 'try' && !tryClauses[d])
        throw new ScanError(this.text.length, "expected 'except' or 'finally' block");
    }
    if (decorated !== -1) throw new ScanError(this.text.length, 'invalid syntax');
    for (const b of this.record.bindings) if (this.allNames.has(b.name)) b.exported = true;
    this.record.imports.sort((x, y) => x.span.start - y.span.start);
    this.record.reexportOnly = reexportsOnly(this.record);
  }

  /** CPython's message for a header on line `l` without a body. */
  expectedBlock(l: number): string {
    const first = this.lineFirst[l] as number;
    const kw =
      this.is(first, 'async') || this.is(first, '@') ? this.str(first + 1) : this.str(first);
    const what =
      kw === 'def'
        ? 'function definition'
        : kw === 'class'
          ? 'class definition'
          : `'${kw}' statement`;
    return `expected an indented block after ${what} on line ${this.lines.line(this.start(first))}`;
  }

  /** Simple statements separated by `;`, tokens [a, b). */
  statements(a: number, b: number, block: Block, top: boolean): void {
    let s = a;
    let depth = 0;
    for (let i = a; i < b; i++) {
      if (this.kind(i) !== T.Op) continue;
      const c = this.text.charCodeAt(this.start(i));
      const len = this.end(i) - this.start(i);
      if (len !== 1) continue;
      if (c === 40 || c === 91 || c === 123) depth++;
      else if (c === 41 || c === 93 || c === 125) depth--;
      else if (c === 59 && depth === 0) {
        if (i === s) this.fail(i, 'invalid syntax');
        this.simple(s, i, block, top);
        s = i + 1;
      }
    }
    this.simple(s, b, block, top);
  }
}

/**
 * Whether the module's public names all come from imports (the shim test of the extract stage;
 * the analyze stage refines it with what importers take from the module).
 */
export function reexportsOnly(record: FileRecord): boolean {
  const imported = new Set<string>();
  for (const imp of record.imports) {
    if (imp.functionLevel || imp.typeChecking) continue;
    for (const n of imp.names) imported.add(n.local);
  }
  let own = 0;
  let passed = 0;
  for (const b of record.bindings) {
    if (!b.exported) continue;
    if (b.kind === 'alias' && (!b.target || imported.has(b.target[0] as string))) passed++;
    else own++;
  }
  for (const n of imported) if (!n.startsWith('_') && n !== '*') passed++;
  return passed > 0 && own === 0;
}

/**
 * Extracts one Python file with the fast scanner. Returns null when the scanner cannot be sure
 * (the caller then uses the full parser).
 */
export function scanPython(file: string, text: string): FileRecord {
  const record = emptyRecord(file, 'py', text.length);
  const tokens = tokenize(text);
  if (tokens.error) {
    const lines = new LineIndex(text);
    const at = Math.min(tokens.error.offset, text.length);
    record.parseError = {
      line: lines.line(at),
      column: lines.column(at),
      message: tokens.error.message,
    };
    return record;
  }
  const scanner = new Scanner(record, text, tokens);
  try {
    scanner.run();
  } catch (e) {
    if (!(e instanceof ScanError)) throw e;
    const clean = emptyRecord(file, 'py', text.length);
    const lines = new LineIndex(text);
    const at = Math.min(e.offset, text.length);
    clean.parseError = { line: lines.line(at), column: lines.column(at), message: e.message };
    return clean;
  }
  return record;
}
