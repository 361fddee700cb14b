import type { AuditReport } from '../pipeline/audit.js';

/** `--format json`: the report object as described by schema/audit-report.schema.json. */
export function renderJson(report: AuditReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
