import { plural } from '../format.js';
import type { MigrateResult } from './migrate.js';

/** The text summary of a migration (after the diff of a dry run). */
export function migrateSummary(r: MigrateResult, write: boolean): string {
  const { plan } = r;
  const lines: string[] = [];
  const written = write ? r.written.length : plan.changes.length;
  const statements = write
    ? plan.changes.filter((c) => r.written.includes(c.file)).reduce((n, c) => n + c.statements, 0)
    : plan.stats.statements;
  const mode = write ? (r.rolledBack ? 'rolled back' : 'written') : 'dry run; --write to apply';
  if (plan.changes.length === 0) {
    lines.push(
      `ssot migrate: nothing to migrate (${plural(plan.rules.length, 'rule')}, ${plural(plan.stats.files, 'file')} scanned)`,
    );
  } else {
    lines.push(
      `ssot migrate: ${plural(written, 'file')}, ${plural(statements, 'import statement')} rewritten (${mode}) in ${r.ms} ms`,
    );
  }
  lines.push(
    `  rules: ${plan.rules
      .map(
        (x) =>
          `${x.from} → ${x.to}${
            x.names
              ? ` [${Object.entries(x.names)
                  .map(([a, b]) => (a === b ? a : `${a}→${b}`))
                  .join(', ')}]`
              : ''
          }`,
      )
      .join('; ')}`,
  );
  if (plan.stats.deferred)
    lines.push(`  deferred by --limit: ${plural(plan.stats.deferred, 'file')}`);
  if (plan.skipped.length) {
    lines.push(`  skipped ${plural(plan.skipped.length, 'file')}:`);
    for (const s of plan.skipped) lines.push(`    ${s.file}: ${s.reason}`);
  }
  if (plan.stats.unparsable) {
    lines.push(
      `  skipped ${plural(plan.stats.unparsable, 'file')} that ${plan.stats.unparsable === 1 ? 'does not parse and mentions' : 'do not parse and mention'} no deprecated module (not listed)`,
    );
  }
  const notes = [
    ...plan.changes.flatMap((c) => c.notes.map((note) => ({ file: c.file, note }))),
    ...plan.notes,
  ];
  if (notes.length) {
    lines.push(`  left as is: ${plural(notes.length, 'statement')}`);
    for (const g of groupNotes(notes)) {
      lines.push(
        g.at.length === 1
          ? `    ${g.first.file} ${g.first.note}`
          : `    ${g.why} (${g.at.length}×: ${g.at.slice(0, 5).join(', ')}${g.at.length > 5 ? ', …' : ''})`,
      );
    }
  }
  for (const x of r.restored) lines.push(`  restored ${x.file}: ${x.reason}`);
  if (r.run) lines.push(`  run: ${r.run.id} (undo with: ssot rollback ${r.run.id})`);
  if (r.verify) {
    lines.push(
      r.verify.exitCode === 0
        ? `  verify: \`${r.verify.command}\` passed`
        : `  verify: \`${r.verify.command}\` exited ${r.verify.exitCode}; every file of the run was restored`,
    );
  }
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

/** The JSON form of a migration's result (`--format json`: the summary, no diff). */
export function migrateJson(result: MigrateResult, write: boolean): object {
  const { plan } = result;
  return {
    root: result.root,
    write,
    stats: plan.stats,
    rules: plan.rules.map(({ from, to, names, source, language }) => ({
      from,
      to,
      names,
      source,
      language,
    })),
    changes: plan.changes.map((c) => ({
      file: c.file,
      statements: c.statements,
      notes: c.notes,
    })),
    skipped: plan.skipped,
    notes: plan.notes,
    written: result.written,
    restored: result.restored,
    run: result.run?.id ?? null,
    verify: result.verify,
    rolledBack: result.rolledBack,
    warnings: result.warnings,
    ms: result.ms,
  };
}

/**
 * Notes with the same reason, shown once with a count: `line 3: X` in a.py and `line 9: X` in
 * b.py are one reason at two places (`a.py:3`, `b.py:9`).
 */
export function groupNotes(
  notes: { file: string; note: string }[],
): { why: string; at: string[]; first: { file: string; note: string } }[] {
  const groups = new Map<
    string,
    { why: string; at: string[]; first: { file: string; note: string } }
  >();
  for (const n of notes) {
    const m = /^line (\d+): (.*)$/s.exec(n.note);
    const why = m ? (m[2] as string) : n.note;
    const at = m ? `${n.file}:${m[1]}` : n.file;
    const g = groups.get(why);
    if (g) g.at.push(at);
    else groups.set(why, { why, at: [at], first: n });
  }
  return [...groups.values()];
}
