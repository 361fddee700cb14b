import { percent } from '../analyze/concepts.js';
import type { Finding } from '../analyze/types.js';
import type { AuditReport } from '../pipeline/audit.js';
import type { FocusedReport } from './focus.js';
import { selectFindings, type ViewOptions } from './select.js';
import { summarizeConcepts } from './summary.js';

const MAX_DETAILS = 12;
const SUMMARY_CONCEPTS = 5;

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function details(f: Finding, focus: Set<string>): string[] {
  switch (f.rule) {
    case 'duplicate-definition':
      return [
        ...(f.convention ? [`convention (${f.convention.kind}): ${f.convention.reason}`] : []),
        ...f.bindings.map((b) => {
          const to = b.resolvesTo
            ? b.kind === 'alias'
              ? ` → ${b.resolvesTo.file}:${b.resolvesTo.line} ${b.resolvesTo.name}`
              : ''
            : ' → (unresolved)';
          return `${b.file}:${b.line}  ${b.kind}${to}`;
        }),
      ];
    case 'import-fragmentation':
      return [
        ...f.definitions.map((d) => `defined at ${d.file}:${d.line} (${d.name})`),
        `by name: ${f.names.map((n) => `${n.name} ${n.statements}×/${n.files} files`).join(', ')}`,
        ...f.paths.map(
          (p) =>
            `${p.canonical ? '*' : ' '} ${p.module}  ${plural(p.statements, 'statement')}, ${plural(p.files, 'file')} (${p.byName.map((n) => `${n.name} ${n.statements}`).join(', ')})  e.g. ${p.locations[0]?.file}:${p.locations[0]?.line}`,
        ),
      ];
    case 'shim-module':
      return [
        `${f.file}${f.barrel ? '  (barrel)' : ''}`,
        ...f.reexports.map(
          (r) =>
            `re-exports ${r.name}${r.name === r.imported ? '' : ` (= ${r.imported})`} from ${r.from}`,
        ),
        ...f.alsoRuns.map((a) => `also ${a}`),
        ...(f.own.length ? [`defines ${f.own.join(', ')}`] : []),
      ];
    case 'cycle':
      return [
        ...f.edges.map(
          (e) =>
            `${e.file}:${e.line}  ${e.from} → ${e.to}${e.kind === 'runtime' ? '' : `  (${e.kind})`}`,
        ),
        ...(f.componentSize > f.modules.length
          ? f.members.map(
              (g) =>
                `members in ${g.package} (${g.modules.length}): ${g.modules
                  .slice(0, 8)
                  .map((m) => (focus.has(m) ? `*${m}` : m))
                  .join(', ')}${g.modules.length > 8 ? `, … ${g.modules.length - 8} more` : ''}`,
            )
          : []),
        ...(f.focus?.length ? [`of the focused concept: ${f.focus.join(', ')}`] : []),
        ...(f.cut.length
          ? [
              `cut ${plural(new Set(f.cut.map((c) => `${c.from}>${c.to}`)).size, 'import edge')} to break its runtime cycles:`,
              ...f.cut.map((c) => `  ${c.file}:${c.line}  ${c.from} → ${c.to}`),
            ]
          : []),
      ];
    case 'deprecated-import':
      return f.imports.map(
        (u) =>
          `${f.file}:${u.line}  ${u.name ? `${u.name} from ` : ''}${u.module}${u.replacement ? `  → use ${u.replacement}` : ''}`,
      );
  }
}

function focusSection(report: FocusedReport): string[] {
  const { focus } = report;
  const f = focus.fragmentation;
  const out = [`Concept ${focus.name}`];
  if (f) {
    out.push(
      `  canonical: ${f.canonical.module} (${f.canonical.source === 'config' ? 'ssot.config.json' : 'the defining module'}); ${percent(f.statements - f.offCanonical, f.statements)} of ${plural(f.statements, 'import statement')} in ${plural(f.files, 'file')} use it`,
      '  definitions:',
      ...f.definitions.map((d) => `    ${d.file}:${d.line}  ${d.name}`),
      '  imported by name:',
      ...f.names.map(
        (n) => `    ${n.name}  ${plural(n.statements, 'statement')}, ${plural(n.files, 'file')}`,
      ),
      '  import paths:',
      ...f.paths.map(
        (p) =>
          `  ${p.canonical ? '*' : ' '} ${p.module}  ${plural(p.statements, 'statement')}, ${plural(p.files, 'file')}: ${p.byName.map((n) => `${n.name} ${n.statements}`).join(', ')}`,
      ),
    );
  } else out.push(`  no import of ${focus.name} goes through more than one path`);
  const dups = report.findings.filter((x) => x.rule === 'duplicate-definition');
  for (const d of dups) out.push(`  ${d.message}`);
  const shims = report.findings.filter((x) => x.rule === 'shim-module');
  if (shims.length) out.push('  shims:', ...shims.map((s) => `    ${s.message}`));
  const cycles = report.findings.filter((x) => x.rule === 'cycle');
  if (cycles.length)
    out.push(
      '  cycles it sits in:',
      ...cycles.map(
        (c) => `    ${c.kind} component of ${c.componentSize} modules, with ${c.focus?.join(', ')}`,
      ),
    );
  if (focus.migration.length)
    out.push(
      '  migration (`ssot migrate --from-audit`):',
      ...focus.migration.map(
        (r) =>
          `    ${r.from} → ${r.to}${
            r.names
              ? ` (${Object.entries(r.names)
                  .map(([a, b]) => (a === b ? a : `${a} → ${b}`))
                  .join(', ')})`
              : ''
          }`,
      ),
    );
  out.push('');
  return out;
}

/** The default report: a summary of what to do, then the worst findings first, each with the file:line places to act on. */
export function renderText(report: AuditReport, view: ViewOptions = {}): string {
  const s = report.stats;
  const lines: string[] = [];
  lines.push(
    `ssot audit ${report.root}`,
    `${s.files} files (${s.pythonFiles} Python, ${s.typescriptFiles} TS/JS), ${s.imports} imports in ${seconds(s.ms)}` +
      `${s.parseErrors ? `; ${s.parseErrors} did not parse` : ''}${s.skipped ? `; ${s.skipped} skipped` : ''}`,
    '',
  );
  const focused = 'focus' in report ? (report as FocusedReport) : null;
  if (focused) lines.push(...focusSection(focused));
  else {
    const concepts = summarizeConcepts(report.findings).slice(0, SUMMARY_CONCEPTS);
    if (concepts.length) {
      lines.push('Most fragmented concepts:');
      for (const c of concepts) {
        lines.push(
          `  ${c.name}: ${plural(c.implementations, 'implementation')}, ${plural(c.paths, 'import path')}, ${plural(c.names, 'name')}${c.shims.length ? `, ${plural(c.shims.length, 'shim')}` : ''} — ${c.action}`,
        );
      }
      lines.push('');
    }
  }
  const summary = Object.entries(report.summary)
    .map(([rule, c]) => `${rule} ${c.findings}${c.justified ? ` (${c.justified} justified)` : ''}`)
    .join(' · ');
  lines.push(summary, '');
  const { shown, hidden } = selectFindings(report, view);
  const focusModules = new Set(focused?.focus.modules ?? []);
  for (const f of shown) {
    const tag = f.justified !== undefined ? 'justified' : f.severity;
    lines.push(`${tag.toUpperCase()} ${f.rule}: ${f.message}`);
    if (f.justified !== undefined) lines.push(`    reason: ${f.justified}`);
    const d = details(f, focusModules);
    for (const line of d.slice(0, MAX_DETAILS)) lines.push(`    ${line}`);
    if (d.length > MAX_DETAILS) lines.push(`    … ${d.length - MAX_DETAILS} more`);
    lines.push('');
  }
  if (hidden.max) lines.push(`… ${hidden.max} more findings (--max-findings)`, '');
  if (hidden.severity) lines.push(`${hidden.severity} findings below --min-severity not shown`, '');
  if (hidden.scope.size) {
    lines.push('Outside production code (--scope all to list them):');
    for (const [scope, byRule] of hidden.scope) {
      lines.push(`    ${scope}: ${[...byRule].map(([r, n]) => `${r} ${n}`).join(', ')}`);
    }
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
