import type { CheckResult } from './check.js';

/** The gate's text report. */
export function renderCheck(r: CheckResult): string {
  const m = r.metrics;
  const lines: string[] = [];
  lines.push(
    r.pass
      ? 'ssot check: PASS'
      : `ssot check: FAIL — ${r.violations.length} violation${r.violations.length === 1 ? '' : 's'}`,
  );
  for (const v of r.violations) {
    lines.push(`  ✗ ${v.message}`);
    if (v.kind === 'max-deprecated' || v.kind === 'deprecated-increase') {
      for (const f of v.findings.slice(0, 20)) {
        if (f.rule === 'deprecated-import') {
          for (const u of f.imports)
            lines.push(
              `      ${f.file}:${u.line}  ${u.module}${u.name ? ` (${u.name})` : ''} → ${u.replacement ?? '?'}`,
            );
        }
      }
      if (v.findings.length > 20) lines.push(`      … and ${v.findings.length - 20} more files`);
    }
  }
  const b = r.baseline.before;
  lines.push(
    `  deprecated imports: ${m.deprecated} (${(m.deprecatedShare * 100).toFixed(1)}% of ${m.conceptImports})${b ? `, baseline ${b.deprecated}` : ''}${r.threshold ? `, max ${'count' in r.threshold ? r.threshold.count : `${r.threshold.percent}%`}` : ''}`,
    `  runtime cycles: ${m.cycles}${b ? `, baseline ${b.cycles.length}` : ''}; duplicate definitions: ${m.duplicates}${b ? `, baseline ${Object.keys(b.duplicates).length}` : ''}`,
  );
  if (r.changed) lines.push(`  judged: ${r.changed.length} changed files`);
  if (!r.baseline.existed && !r.baseline.written) {
    lines.push(
      `  no baseline at ${r.baseline.path}: every cycle and duplicate counts as new (create it with --update-baseline)`,
    );
  }
  if (r.baseline.written) lines.push(`  baseline written: ${r.baseline.path}`);
  return `${lines.join('\n')}\n`;
}
