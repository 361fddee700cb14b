import { SCOPES, type Scope } from '../analyze/scope.js';
import type { Finding, Severity } from '../analyze/types.js';
import type { AuditReport } from '../pipeline/audit.js';

/** What the text, markdown and SARIF renderers show (JSON shows what is selected too). */
export interface ViewOptions {
  /** Scopes listed in detail; findings elsewhere are counted in a summary. Default: production (all when nothing is production). */
  scopes?: Scope[];
  /** Findings below this severity are left out. */
  minSeverity?: Severity;
  /** At most this many findings in detail. */
  maxFindings?: number;
}

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'note'];

export interface Selection {
  shown: Finding[];
  /** Findings left out, per reason. */
  hidden: { scope: Map<Scope, Map<string, number>>; severity: number; max: number };
}

/** Splits the findings into those shown in detail and counts of the rest. */
export function selectFindings(report: AuditReport, view: ViewOptions = {}): Selection {
  const rank = (s: Severity) => SEVERITIES.indexOf(s);
  const anyProduction = report.findings.some((f) => f.scope === 'production');
  const scopes = new Set(view.scopes ?? (anyProduction ? ['production'] : SCOPES));
  const hidden: Selection['hidden'] = { scope: new Map(), severity: 0, max: 0 };
  const shown: Finding[] = [];
  for (const f of report.findings) {
    if (view.minSeverity && rank(f.severity) > rank(view.minSeverity)) {
      hidden.severity++;
      continue;
    }
    if (!scopes.has(f.scope)) {
      const byRule = hidden.scope.get(f.scope) ?? new Map<string, number>();
      byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
      hidden.scope.set(f.scope, byRule);
      continue;
    }
    if (view.maxFindings !== undefined && shown.length >= view.maxFindings) {
      hidden.max++;
      continue;
    }
    shown.push(f);
  }
  return { shown, hidden };
}
