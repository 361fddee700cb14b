/**
 * The extract stage's output: one `FileRecord` per source file, built from the parser's syntax
 * tree only (no other file is read). This shape is a stable API: `ssot migrate` rewrites import
 * specifiers and names by the spans recorded here.
 *
 * Offsets (`Span.start`/`Span.end`) are indices into the file's text as a JavaScript string
 * (UTF-16 code units of the file decoded as UTF-8) — exactly what `String.prototype.slice` and
 * magic-string take. For ASCII files they equal byte offsets. `end` is exclusive.
 * Lines and columns are 1-based.
 */

export type Language = 'ts' | 'py';

export interface Span {
  start: number;
  end: number;
}

/** Where a statement or name sits: its span plus the 1-based line and column of `span.start`. */
export interface Location {
  span: Span;
  line: number;
  column: number;
}

/**
 * What kind of statement brought a module in.
 * - `import`: TS `import … from 'm'` / `import 'm'`; Python `from m import …`.
 * - `import-module`: Python `import a.b.c [as d]` (one record per dotted name in the statement).
 * - `reexport`: TS `export { a as b } from 'm'`, `export * as ns from 'm'`.
 * - `export-all`: TS `export * from 'm'`; Python `from m import *`.
 * - `require`: CommonJS `require('m')`.
 * - `dynamic`: TS/JS `import('m')`; Python `importlib.import_module('m')` / `__import__('m')`.
 */
export type ImportKind =
  | 'import'
  | 'import-module'
  | 'reexport'
  | 'export-all'
  | 'require'
  | 'dynamic';

/** One name in an import or re-export statement. */
export interface ImportedName {
  /**
   * The name taken from the module: an identifier, `default`, or `*` for a namespace
   * (`import * as ns`, `export * as ns`, Python `import a.b as c`).
   */
  imported: string;
  /** The name it is bound (import) or exported (re-export) as in this file; equals `imported` when not renamed. */
  local: string;
  /** Span of the imported name in the source, or null when it is implicit (`import x from`, `*`). */
  importedSpan: Span | null;
  /** Span of the alias after `as`, or null when there is none. */
  localSpan: Span | null;
  /** TS `import { type X }` / `import type { X }`; always false for Python. */
  isType: boolean;
}

export interface ImportRecord extends Location {
  kind: ImportKind;
  /** The module specifier as written: `'./a.js'` → `./a.js`; Python `from ..pkg import x` → `..pkg`; `from . import x` → `.`. */
  specifier: string;
  /** Span of the specifier text itself (inside the quotes for TS; the dotted name incl. leading dots for Python). */
  specifierSpan: Span;
  /** Python relative level (number of leading dots); 0 for absolute imports and for TS. */
  level: number;
  /** Names imported or re-exported; empty for side-effect imports, `export *` and a plain `import a.b`. */
  names: ImportedName[];
  /** The local name a Python `import a.b.c` binds (`a`), or the destructured/assigned name of a `require`; null otherwise. */
  binds: string | null;
  /** TS `import type` / `export type` or every name type-only. */
  typeOnly: boolean;
  /** Inside a Python `if TYPE_CHECKING:` block. */
  typeChecking: boolean;
  /** Inside a function or method body (runs when called, not when the module loads). */
  functionLevel: boolean;
  /** `import()`, `importlib.import_module()`, `__import__()`. */
  dynamic: boolean;
  /** Inside a Python `try:` whose handlers catch ImportError / ModuleNotFoundError (or in such a handler). */
  inTryImportError: boolean;
}

/**
 * A name bound at module level.
 * - `class`, `function`: a definition (TS also `const X = class …` / arrow functions).
 * - `alias`: a name bound to another name: `X = Y`, `X = mod.Y`, `export const X = Y`,
 *   Python `from m import Y as X` (X ≠ Y), TS `export { Y as X }` (X ≠ Y).
 * - `type`: TS interface, type alias, enum (tracked for re-export resolution, not reported as duplicates).
 * - `variable`: any other module-level assignment / declaration.
 */
export type BindingKind = 'class' | 'function' | 'alias' | 'type' | 'variable';

export interface BindingRecord extends Location {
  name: string;
  kind: BindingKind;
  /** TS: exported from the module. Python: public (no leading underscore, or listed in `__all__`). */
  exported: boolean;
  /**
   * For aliases: the referenced name path, e.g. `['Impl']` for `X = Impl`, `['mod', 'Impl']` for
   * `X = mod.Impl`. For import-renames the imported binding's local name (`['X']`) — the import
   * record says where it comes from. Null for definitions.
   */
  target: string[] | null;
}

/** TS `export { a as b }` (no `from`) and `export default a`; Python `__all__` entries. */
export interface LocalExport extends Location {
  /** The exported name (`default` for `export default`). */
  exported: string;
  /** The local name it refers to. */
  local: string;
}

/**
 * Something a module does at import time besides binding names:
 * - `calls`: a call statement at module level (`_check_env()`), `name` is the function;
 * - `logs`: a logging call (`logger.info(…)`, `logging.warning(…)`, `print(…)`);
 * - `warns`: `warnings.warn(…)`;
 * - `fallback`: an assignment in the handler of a `try/except ImportError` (`X = None`), with
 *   the assigned value as `detail`.
 */
export interface ModuleEffect {
  kind: 'calls' | 'logs' | 'warns' | 'fallback';
  line: number;
  name: string;
  detail?: string;
}

export interface ParseError {
  line: number;
  column: number;
  message: string;
}

export interface FileRecord {
  /** Path relative to the audited root, with `/` separators. */
  file: string;
  language: Language;
  bytes: number;
  imports: ImportRecord[];
  bindings: BindingRecord[];
  exports: LocalExport[];
  /** Python: the module defines `__all__`. */
  hasAll: boolean;
  /**
   * True when the module's public names all come from imports (re-exports, aliases of imported
   * names, fallbacks), whatever else it runs at import (TS: only `export … from` and re-exported
   * imports), and at least one name is re-exported.
   */
  reexportOnly: boolean;
  /** Python: what the module runs at import besides binding names (calls, logging, warnings, fallbacks). */
  effects: ModuleEffect[];
  /** Set when the file did not parse; its other fields are then empty. */
  parseError: ParseError | null;
}
