// Public API of @agentwire/ssot. The extract and resolve shapes are stable: `ssot migrate`,
// `ssot check` and `ssot shim` build on them.
export { analyze, RULES } from './analyze/analyze.js';
export type * from './analyze/types.js';
// ssot migrate, check and shim.
export {
  type Baseline,
  type CheckOptions,
  type CheckResult,
  check,
  type Violation,
} from './check/check.js';
export { main } from './cli/main.js';
export {
  type AllowConfig,
  CONFIG_FILE,
  type ConceptConfig,
  type DeprecatedModuleConfig,
  loadConfig,
  RULE_IDS,
  type RuleId,
  type SsotConfig,
} from './config/config.js';
export {
  type DiscoverOptions,
  type Discovery,
  discover,
  languageOf,
  type SkippedFile,
  type SourceFile,
} from './discover/discover.js';
export { UserError } from './errors.js';
export { type ExtractResult, extractFile, extractFiles } from './extract/extract.js';
export { LineIndex } from './extract/lines.js';
export { defaultWorkers, type ExtractOptions, ExtractPool, extractAll } from './extract/pool.js';
export { extractPython } from './extract/python.js';
export type * from './extract/types.js';
export { extractTypeScript } from './extract/typescript.js';
export {
  buildGraph,
  type Edge,
  type EdgeKind,
  edgeKind,
  type ModuleNode,
  type ProjectGraph,
} from './graph/graph.js';
export { type Definition, SymbolResolver } from './graph/symbols.js';
export {
  type MigrateOptions,
  type MigrateResult,
  migrate,
  type RollbackResult,
  rollback,
} from './migrate/migrate.js';
export type { FileChange, MigrationPlan } from './migrate/plan.js';
export { type MigrationRule, rulesFromAudit, rulesFromConfig } from './migrate/rules.js';
export {
  type AuditOptions,
  type AuditReport,
  type AuditResult,
  type AuditStats,
  audit,
} from './pipeline/audit.js';

export { FORMATS, type Format, render } from './report/index.js';
export { PythonResolver } from './resolve/python.js';
export {
  createPythonResolver,
  createResolvers,
  createTypeScriptResolver,
  type Resolvers,
  resolveAll,
  resolveInto,
} from './resolve/resolve.js';
export type { Resolution, ResolvedImport } from './resolve/types.js';
export { TypeScriptResolver } from './resolve/typescript.js';
export { generateShims, type ShimOptions, type ShimResult, type ShimSpec } from './shim/shim.js';
export { VERSION } from './version.js';
export { listRuns, type RunRecord } from './workspace/journal.js';
