import type { AuditReport } from '../pipeline/audit.js';
import { placesOf, RULE_DESCRIPTIONS } from './locations.js';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** `--format markdown`: a summary table and one section per rule, for a PR comment or a wiki page. */
export function renderMarkdown(report: AuditReport): string {
  const s = report.stats;
  const out: string[] = [
    '# ssot audit',
    '',
    `${s.files} files (${s.pythonFiles} Python, ${s.typescriptFiles} TS/JS), ${s.imports} imports, ${s.ms} ms; ${s.parseErrors} did not parse, ${s.skipped} skipped.`,
    '',
    '| rule | findings | justified |',
    '| --- | ---: | ---: |',
    ...Object.entries(report.summary).map(([r, c]) => `| ${r} | ${c.findings} | ${c.justified} |`),
    '',
  ];
  for (const rule of Object.keys(report.summary) as (keyof typeof RULE_DESCRIPTIONS)[]) {
    const list = report.findings.filter((f) => f.rule === rule);
    if (list.length === 0) continue;
    out.push(
      `## ${rule}`,
      '',
      RULE_DESCRIPTIONS[rule],
      '',
      '| severity | finding | where |',
      '| --- | --- | --- |',
    );
    for (const f of list) {
      const { primary } = placesOf(f);
      const sev = f.justified !== undefined ? `justified: ${cell(f.justified)}` : f.severity;
      out.push(`| ${sev} | ${cell(f.message)} | \`${primary.file}:${primary.line}\` |`);
    }
    out.push('');
  }
  if (report.parseErrors.length) {
    out.push('## Files that did not parse', '');
    for (const e of report.parseErrors) out.push(`- \`${e.file}:${e.line}\` ${cell(e.message)}`);
    out.push('');
  }
  return out.join('\n');
}
