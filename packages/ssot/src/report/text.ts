import type { Finding } from '../analyze/types.js';
import type { AuditReport } from '../pipeline/audit.js';

const MAX_DETAILS = 12;

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function details(f: Finding): string[] {
  switch (f.rule) {
    case 'duplicate-definition':
      return f.bindings.map((b) => {
        const to = b.resolvesTo
          ? b.kind === 'alias'
            ? ` → ${b.resolvesTo.file}:${b.resolvesTo.line} ${b.resolvesTo.name}`
            : ''
          : ' → (unresolved)';
        return `${b.file}:${b.line}  ${b.kind}${to}`;
      });
    case 'import-fragmentation':
      return [
        `defined at ${f.definition.file}:${f.definition.line}`,
        ...f.paths.map(
          (p) =>
            `${p.canonical ? '*' : ' '} ${p.module}  ${p.statements} statement${p.statements === 1 ? '' : 's'}, ${p.files} file${p.files === 1 ? '' : 's'}  e.g. ${p.locations[0]?.file}:${p.locations[0]?.line}`,
        ),
      ];
    case 'shim-module':
      return [`${f.file}${f.barrel ? '  (barrel)' : ''}`];
    case 'cycle':
      return f.edges.map(
        (e) =>
          `${e.file}:${e.line}  ${e.from} → ${e.to}${e.kind === 'runtime' ? '' : `  (${e.kind})`}`,
      );
    case 'deprecated-import':
      return f.imports.map(
        (u) =>
          `${f.file}:${u.line}  ${u.name ? `${u.name} from ` : ''}${u.module}${u.replacement ? `  → use ${u.replacement}` : ''}`,
      );
  }
}

/** The default report: worst findings first, each with the file:line places to act on. */
export function renderText(report: AuditReport): string {
  const s = report.stats;
  const lines: string[] = [];
  lines.push(
    `ssot audit ${report.root}`,
    `${s.files} files (${s.pythonFiles} Python, ${s.typescriptFiles} TS/JS), ${s.imports} imports in ${seconds(s.ms)}` +
      `${s.parseErrors ? `; ${s.parseErrors} did not parse` : ''}${s.skipped ? `; ${s.skipped} skipped` : ''}`,
    '',
  );
  const summary = Object.entries(report.summary)
    .map(([rule, c]) => `${rule} ${c.findings}${c.justified ? ` (${c.justified} justified)` : ''}`)
    .join(' · ');
  lines.push(summary, '');
  for (const f of report.findings) {
    const tag = f.justified !== undefined ? 'justified' : f.severity;
    lines.push(`${tag.toUpperCase()} ${f.rule}: ${f.message}`);
    if (f.justified !== undefined) lines.push(`    reason: ${f.justified}`);
    const d = details(f);
    for (const line of d.slice(0, MAX_DETAILS)) lines.push(`    ${line}`);
    if (d.length > MAX_DETAILS) lines.push(`    … ${d.length - MAX_DETAILS} more`);
    lines.push('');
  }
  if (report.parseErrors.length) {
    lines.push(`Files that did not parse (skipped):`);
    for (const e of report.parseErrors)
      lines.push(`    ${e.file}:${e.line}:${e.column}  ${e.message}`);
    lines.push('');
  }
  if (report.skipped.length) {
    lines.push('Skipped:');
    for (const k of report.skipped) lines.push(`    ${k.file}  ${k.reason}`);
    lines.push('');
  }
  if (report.findings.length === 0) lines.push('No findings.', '');
  return lines.join('\n');
}
