import type { LineIndex } from './lines.js';
import type {
  BindingKind,
  FileRecord,
  ImportedName,
  ImportKind,
  ImportRecord,
  Language,
  Span,
} from './types.js';

/** A record with nothing extracted yet. */
export function emptyRecord(file: string, language: Language, bytes: number): FileRecord {
  return {
    file,
    language,
    bytes,
    imports: [],
    bindings: [],
    exports: [],
    hasAll: false,
    reexportOnly: false,
    effects: [],
    parseError: null,
  };
}

/** What both language extractors keep while they walk one file. */
export abstract class RecordBuilder {
  /** Module-level names bound by imports (and aliases of them), to tell re-exports from own code. */
  protected readonly importedLocals = new Set<string>();
  /** Statements that pass an imported name on. */
  protected reexports = 0;
  /** Statements that are code of the module's own (definitions, calls, …). */
  protected ownCode = 0;

  constructor(
    protected readonly record: FileRecord,
    protected readonly text: string,
    protected readonly lines: LineIndex,
  ) {}

  /** Records a module-level binding whose name sits at `at`. */
  protected bind(
    name: string,
    at: { start: number; end: number },
    kind: BindingKind,
    exported: boolean,
    target: string[] | null = null,
  ): void {
    this.record.bindings.push({
      span: { start: at.start, end: at.end },
      line: this.lines.line(at.start),
      column: this.lines.column(at.start),
      name,
      kind,
      exported,
      target,
    });
  }

  /** Marks a module that only re-exports, and puts its imports in source order. */
  protected finish(): void {
    this.record.reexportOnly = this.reexports > 0 && this.ownCode === 0;
    this.record.imports.sort((a, b) => a.span.start - b.span.start);
  }
}

/** Where a Python import statement sits: the flags both Python extractors record. */
export interface PythonImportContext {
  typeChecking: boolean;
  functionLevel: boolean;
  inTryImportError: boolean;
}

/** The record of one Python import (both Python extractors build theirs here). */
export function pythonImport(
  lines: { line(offset: number): number; column(offset: number): number },
  kind: ImportKind,
  at: Span,
  specifier: string,
  specifierSpan: Span,
  level: number,
  names: ImportedName[],
  binds: string | null,
  ctx: PythonImportContext,
): ImportRecord {
  return {
    span: at,
    line: lines.line(at.start),
    column: lines.column(at.start),
    kind,
    specifier,
    specifierSpan,
    level,
    names,
    binds,
    typeOnly: false,
    typeChecking: ctx.typeChecking,
    functionLevel: ctx.functionLevel,
    dynamic: kind === 'dynamic',
    inTryImportError: ctx.inTryImportError,
  };
}
