import type { AllowConfig, RuleId, SsotConfig } from '../config/config.js';
import type { ProjectGraph } from '../graph/graph.js';
import { SymbolResolver } from '../graph/symbols.js';
import { type Rule, ruleContext } from './context.js';
import { cycle } from './rules/cycle.js';
import { deprecatedImport } from './rules/deprecated-import.js';
import { duplicateDefinition } from './rules/duplicate-definition.js';
import { importFragmentation } from './rules/import-fragmentation.js';
import { shimModule } from './rules/shim-module.js';
import type { Finding, Severity } from './types.js';

export const RULES: Record<RuleId, Rule> = {
  'duplicate-definition': duplicateDefinition,
  'import-fragmentation': importFragmentation,
  'shim-module': shimModule,
  cycle,
  'deprecated-import': deprecatedImport,
};

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

function allowed(f: Finding, a: AllowConfig): boolean {
  if (a.rule !== f.rule) return false;
  switch (f.rule) {
    case 'duplicate-definition':
    case 'import-fragmentation':
      return a.symbol === f.symbol;
    case 'shim-module':
      return a.module === f.module || a.module === f.file;
    case 'cycle': {
      const list = new Set(a.modules ?? []);
      return f.modules.every((m, i) => list.has(m) || list.has(f.files[i] as string));
    }
    case 'deprecated-import':
      return a.file === f.file;
  }
}

/** Runs the rules over the graph, marks justified findings, and sorts them worst first. */
export function analyze(
  graph: ProjectGraph,
  config: SsotConfig,
  rules: readonly RuleId[],
): Finding[] {
  const ctx = ruleContext(graph, new SymbolResolver(graph), config);
  const findings = rules.flatMap((id) => RULES[id](ctx));
  for (const f of findings) {
    const a = (config.allow ?? []).find((x) => allowed(f, x));
    if (a) f.justified = a.reason;
  }
  return findings.sort(
    (a, b) =>
      Number(a.justified !== undefined) - Number(b.justified !== undefined) ||
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      b.score - a.score ||
      a.message.localeCompare(b.message),
  );
}
