import type { RuleId } from '../config/config.js';
import type { EdgeKind } from '../graph/graph.js';

export type Severity = 'error' | 'warning' | 'note';

export interface Place {
  file: string;
  line: number;
}

export interface FindingBase {
  rule: RuleId;
  severity: Severity;
  /** One line a person can act on. */
  message: string;
  /** Sort key within a severity: bigger is worse. */
  score: number;
  /** Set when the config's `allow` list justifies the finding. */
  justified?: string;
}

export interface DuplicateBinding {
  file: string;
  line: number;
  kind: 'class' | 'function' | 'alias';
  /** The definition the binding ends at (itself for a class or function); null when it cannot be followed. */
  resolvesTo: { file: string; line: number; name: string } | null;
}

export interface DuplicateDefinitionFinding extends FindingBase {
  rule: 'duplicate-definition';
  symbol: string;
  /** Number of modules binding the name. */
  modules: number;
  /** Number of distinct definitions the bindings end at. */
  implementations: number;
  bindings: DuplicateBinding[];
}

export interface ImportPath {
  /** Python dotted module name; TS specifier (package/alias) or file path for relative imports. */
  module: string;
  /** The module file the path reaches. */
  file: string;
  statements: number;
  files: number;
  canonical: boolean;
  /** Names imported through this path (aliases included). */
  names: string[];
  /** Every import statement using this path. */
  locations: Place[];
}

export interface ImportFragmentationFinding extends FindingBase {
  rule: 'import-fragmentation';
  symbol: string;
  definition: { file: string; line: number; name: string };
  canonical: { module: string; source: 'config' | 'definition' };
  /** Share of import statements using the canonical path (0…1). */
  canonicalShare: number;
  statements: number;
  files: number;
  paths: ImportPath[];
}

export interface ShimModuleFinding extends FindingBase {
  rule: 'shim-module';
  module: string;
  file: string;
  /** Number of modules importing through this one. */
  importers: number;
  /** A package `__init__.py` or an `index.*` file (a barrel) rather than a stand-alone shim. */
  barrel: boolean;
  /** Modules it re-exports from. */
  reexportsFrom: string[];
}

export interface CycleEdge {
  from: string;
  to: string;
  file: string;
  line: number;
  kind: EdgeKind;
}

export interface CycleFinding extends FindingBase {
  rule: 'cycle';
  /**
   * `runtime` when every import of the cycle runs at load time; otherwise the kind of the
   * imports that close it: `type-only`, `type-checking`, `function-level`, `dynamic`, or
   * `mixed` when several kinds do.
   */
  kind: 'runtime' | 'type-only' | 'type-checking' | 'function-level' | 'dynamic' | 'mixed';
  /** The modules of one concrete cycle, in import order (the first imports the second, …, the last the first). */
  modules: string[];
  files: string[];
  edges: CycleEdge[];
  /** Number of modules in the strongly connected component the cycle belongs to. */
  componentSize: number;
}

export interface DeprecatedUse {
  line: number;
  column: number;
  module: string;
  name: string | null;
  replacement: string | null;
  reason: string | null;
}

export interface DeprecatedImportFinding extends FindingBase {
  rule: 'deprecated-import';
  file: string;
  imports: DeprecatedUse[];
}

export type Finding =
  | DuplicateDefinitionFinding
  | ImportFragmentationFinding
  | ShimModuleFinding
  | CycleFinding
  | DeprecatedImportFinding;
