import type { RuleId } from '../config/config.js';
import type { EdgeKind } from '../graph/graph.js';
import type { Convention } from './conventions.js';
import type { Scope } from './scope.js';
import type { Reexport } from './shims.js';

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
  /**
   * What the finding costs a team, the sort key within a severity (bigger is worse): the import
   * statements and files that depend on the fragmentation (see docs/ssot.md, "Ranking").
   */
  score: number;
  /** `production` when any of its files is production code, else where it lives. */
  scope: Scope;
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
  /** Files importing the name from one of its modules. */
  importers: number;
  /** Set when the name is per module by convention (then the finding is a note), with why. */
  convention?: Convention;
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
  /** Statements and files per imported name (as imported: `WSManager`, not the local alias). */
  byName: NameCount[];
  /** Every import statement using this path. */
  locations: Place[];
}

export interface NameCount {
  name: string;
  statements: number;
  files: number;
}

export interface ImportFragmentationFinding extends FindingBase {
  rule: 'import-fragmentation';
  /** The concept: the config's concept name, else the most imported public name. */
  symbol: string;
  /** Set when ssot.config.json names the concept. */
  concept?: string;
  /** The main definition (the canonical symbol's when the config names one). */
  definition: { file: string; line: number; name: string };
  /** Every definition counted in the concept (the config's members: subclasses, re-bindings). */
  definitions: { file: string; line: number; name: string }[];
  canonical: { module: string; source: 'config' | 'definition' };
  /** Share of import statements using the canonical path (0…1; below 1 while any is off it). */
  canonicalShare: number;
  statements: number;
  files: number;
  /** Statements that do not use the canonical path. */
  offCanonical: number;
  paths: ImportPath[];
  /** Statements and files per imported name, over all paths. */
  names: NameCount[];
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
  /** Every name it passes on, and where from. */
  reexports: Reexport[];
  /** Public names it defines itself (a shim may have a few). */
  own: string[];
  /** What else it runs at import ("logs at import (logger.info, line 7)"). */
  alsoRuns: string[];
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
  /** The component's modules, grouped by package (Python package or directory). */
  members: { package: string; modules: string[] }[];
  /**
   * Runtime cycles: a small set of import edges (module pairs, with every statement) whose removal
   * leaves the component without runtime cycles — the fewest the heuristic finds.
   */
  cut: CycleEdge[];
  /** With `--concept`: the component's modules that belong to the concept. */
  focus?: string[];
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
