/**
 * The resolve stage's output, parallel to each file's `imports` (`resolved[i]` belongs to
 * `record.imports[i]`). Stable API: `ssot migrate` uses it to find which imports reach a module.
 */
export interface ResolvedImport {
  /** The module file (relative to the root, `/`-separated) the specifier reaches; null when none in the project. */
  file: string | null;
  /**
   * The module's canonical display name: Python — the absolute dotted name (relative imports
   * made absolute); TS/JS — a bare or path-alias specifier as written, or for relative
   * specifiers the target file's path relative to the root.
   */
  module: string;
  /** 'project': a file below the root; 'namespace': a Python namespace package (no file);
   *  'external': a dependency, the standard library or a builtin; 'unresolved': nothing found. */
  status: 'project' | 'namespace' | 'external' | 'unresolved';
  /**
   * Python `from pkg import name`: for each entry of `names`, the submodule file when `name` is a
   * submodule of the package (`pkg/name.py`), else null. Absent for TS.
   */
  submodules?: (string | null)[];
}

/** Resolution results for every file: `imports[file][i]` ↔ `record.imports[i]`. */
export type Resolution = Map<string, ResolvedImport[]>;
