import { importSpellings, moduleMatches, type RuleContext } from '../context.js';
import { scopeOf } from '../scope.js';
import type { DeprecatedImportFinding, DeprecatedUse, Finding } from '../types.js';

interface DeprecatedModuleRule {
  module: string;
  replacement: string | null;
  reason: string | null;
}

/** Uses of module paths and alias names that the config marks deprecated, per file. */
export function deprecatedImport(ctx: RuleContext): Finding[] {
  const { graph, config } = ctx;
  const moduleRules: DeprecatedModuleRule[] = (config.deprecated ?? []).map((d) => ({
    module: d.module,
    replacement: d.replacement ?? null,
    reason: d.reason ?? null,
  }));
  const nameRules = new Map<string, { replacement: string; reason: string }>();
  for (const [concept, c] of Object.entries(config.concepts ?? {})) {
    const symbol = c.canonical.symbol ?? concept;
    for (const module of c.deprecatedModules ?? []) {
      moduleRules.push({
        module,
        replacement: c.canonical.module,
        reason: `deprecated path of ${concept}`,
      });
    }
    for (const name of c.deprecatedNames ?? []) {
      nameRules.set(name, {
        replacement: `${symbol} from ${c.canonical.module}`,
        reason: `deprecated name of ${concept}`,
      });
    }
  }
  if (moduleRules.length === 0 && nameRules.size === 0) return [];
  const findings: DeprecatedImportFinding[] = [];
  for (const m of graph.modules.values()) {
    const uses: DeprecatedUse[] = [];
    m.record.imports.forEach((imp, i) => {
      const candidates = importSpellings(graph, m, i);
      const r = m.resolved[i];
      const rule = moduleRules.find((d) => moduleMatches(d.module, candidates));
      if (rule) {
        uses.push({
          line: imp.line,
          column: imp.column,
          module: r?.module ?? imp.specifier,
          name: null,
          replacement: rule.replacement,
          reason: rule.reason,
        });
      }
      for (const n of imp.names) {
        const byName = nameRules.get(n.imported);
        if (!byName) continue;
        uses.push({
          line: imp.line,
          column: imp.column,
          module: r?.module ?? imp.specifier,
          name: n.imported,
          replacement: byName.replacement,
          reason: byName.reason,
        });
      }
    });
    if (uses.length === 0) continue;
    findings.push({
      rule: 'deprecated-import',
      severity: 'warning',
      message: `${m.file} has ${uses.length} deprecated import${uses.length === 1 ? '' : 's'}`,
      score: uses.length,
      scope: scopeOf(m.file),
      file: m.file,
      imports: uses,
    });
  }
  return findings;
}
