import type { FileRecord } from '../extract/types.js';
import type { ResolvedImport } from '../resolve/types.js';
import type { Edit } from '../workspace/edits.js';

/** Where a moved module or name goes. */
export interface Target {
  /** Python dotted name / the rule's TS module string. */
  module: string;
  /** The target module's file. */
  file: string;
  /** The name in the target module; null when a module object moves. */
  name: string | null;
  /** Call-site rule: calls of the name become calls of this factory of the target module. */
  factory?: string;
}

/** A rule applies but its target module does not exist (prefix moves). */
export interface MissingTarget {
  missing: string;
}

export type Lookup = Target | MissingTarget | null;

/** What a language rewriter needs for one file. */
export interface RewriteInput {
  file: string;
  text: string;
  record: FileRecord;
  /** `resolved(i)` belongs to `record.imports[i]`. */
  resolved: (index: number) => ResolvedImport;
  /** Where `name` of the module an import reaches goes (null name: the module object itself). */
  lookup: (
    index: number,
    name: string | null,
    module?: { module: string; file: string | null },
  ) => Lookup;
  /** Python: the file's syntax tree when the caller has it (parsed once for extract and rewrite). */
  tree?: unknown;
  /** Whether a module file binds, exports or re-exports `name`. */
  defines: (file: string, name: string) => boolean;
  /** Whether any rule (by module or by name) concerns the module import `index` reaches. */
  matches: (index: number) => boolean;
  /** Whether any rule concerns the module named in a string. */
  concerns?: (module: string) => boolean;
  /** Where `name` of a module named in a string goes (null name: the module itself). */
  lookupModule?: (module: string, name: string | null) => Lookup;
  /** Python: where the module named `module` uses `name` other than by importing it, if it does. */
  usesName?: (module: string, name: string) => { file: string; line: number } | null;
}

export interface RewriteOutput {
  edits: Edit[];
  /** Import statements rewritten. */
  statements: number;
  /** Statements left as they are, with the reason. */
  notes: string[];
  /** Set when the whole file is left as it is. */
  skip: string | null;
}

export function isTarget(l: Lookup): l is Target {
  return l !== null && 'file' in l;
}
