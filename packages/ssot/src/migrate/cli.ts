import { parseArgs } from 'node:util';
import { UserError } from '../errors.js';
import { type MigrateResult, migrate, rollback } from './migrate.js';
import { unifiedDiff } from './plan.js';
import { listRuns } from './runs.js';

export const MIGRATE_HELP = `Usage:
  ssot migrate [root] [options]
  ssot rollback [run] [--root <dir>] [--force] [--list]

Rewrites imports of deprecated modules and names to the canonical ones. Rules come from
ssot.config.json (migrate.rules, concepts[…].deprecatedModules/deprecatedNames, deprecated[] with
a replacement) or from the audit (--from-audit). Dry run by default: prints a unified diff and a
summary.

Options (migrate):
  -c, --config <file>     config file (default: <root>/ssot.config.json)
      --from-audit        also derive rules from the audit's shim and fragmentation findings
      --write             write the files and keep a run record in .ssot/runs/ (the originals
                          and hashes, on disk before any file changes); a failure restores them
      --atomic            with --write, replace each file by a temporary file and a rename, so
                          no reader sees a partly written file (slower: a new inode per file)
      --verify <command>  after --write, run this shell command in the root; roll back when it fails
      --allow-dirty       --write even when the git work tree has uncommitted changes
      --include <glob>    only files matching (repeatable)
      --exclude <glob>    leave out files matching (repeatable)
      --limit <n>         change at most n files (migrate in batches)
  -f, --format <fmt>      text (default) or json (the summary, no diff)
  -q, --quiet             no diff, summary only
      --workers <n>       planning threads, this one included (0 or 1: none; default: by size)

Options (rollback):
      --root <dir>        the migrated root (default: .)
      --force             restore even files changed since the run
      --list              list the runs

Exit codes: 0 done, 1 --verify failed (rolled back) or rollback refused, 2 bad input.
`;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function summary(r: MigrateResult, write: boolean): string {
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
  const notes = [
    ...plan.changes.flatMap((c) => c.notes.map((note) => ({ file: c.file, note }))),
    ...plan.notes,
  ];
  if (notes.length) {
    lines.push(`  left as is: ${plural(notes.length, 'statement')}`);
    for (const n of notes) lines.push(`    ${n.file} ${n.note}`);
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

export async function runMigrate(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      'from-audit': { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
      atomic: { type: 'boolean', default: false },
      verify: { type: 'string' },
      'allow-dirty': { type: 'boolean', default: false },
      include: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      limit: { type: 'string' },
      format: { type: 'string', short: 'f', default: 'text' },
      quiet: { type: 'boolean', short: 'q', default: false },
      workers: { type: 'string' },
    },
  });
  if (positionals.length > 1)
    throw new UserError(`expected one root directory, got: ${positionals.join(' ')}`);
  if (values.format !== 'text' && values.format !== 'json') {
    throw new UserError(`unknown format "${values.format}" (expected text or json)`);
  }
  if (values.verify !== undefined && !values.write) throw new UserError('--verify needs --write');
  if (values.atomic && !values.write) throw new UserError('--atomic needs --write');
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1)
      throw new UserError(`--limit takes a whole number ≥ 1, got "${values.limit}"`);
  }
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 0) {
      throw new UserError(`--workers takes a whole number ≥ 0, got "${values.workers}"`);
    }
  }
  const write = values.write ?? false;
  const result = await migrate({
    root: positionals[0] ?? '.',
    configPath: values.config,
    fromAudit: values['from-audit'],
    include: values.include,
    exclude: values.exclude,
    limit,
    write,
    verify: values.verify,
    allowDirty: values['allow-dirty'],
    writeMethod: values.atomic ? 'atomic' : 'in-place',
    command: ['ssot', 'migrate', ...args],
    workers,
  });
  if (values.format === 'json') {
    const { plan } = result;
    process.stdout.write(
      `${JSON.stringify(
        {
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
        },
        null,
        2,
      )}\n`,
    );
  } else {
    if (!write && !values.quiet) {
      for (const c of result.plan.changes)
        process.stdout.write(unifiedDiff(c.file, c.before, c.after));
    }
    process.stdout.write(summary(result, write));
  }
  return result.rolledBack ? 1 : 0;
}

export async function runRollback(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      root: { type: 'string', default: '.' },
      force: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
    },
  });
  const root = values.root ?? '.';
  if (values.list) {
    for (const r of listRuns(root)) {
      process.stdout.write(
        `${r.id}  ${r.kind}  ${r.status}  ${plural(r.files.length, 'file')}  ${r.command.join(' ')}\n`,
      );
    }
    return 0;
  }
  if (positionals.length > 1)
    throw new UserError(`expected one run id, got: ${positionals.join(' ')}`);
  const r = rollback(root, positionals[0], values.force);
  if (r.conflicts.length && !values.force) {
    process.stderr.write(
      `ssot rollback: refused — ${plural(r.conflicts.length, 'file')} changed since run ${r.run.id}:\n${r.conflicts.map((f) => `  ${f}\n`).join('')}nothing was restored; pass --force to restore them anyway\n`,
    );
    return 1;
  }
  process.stdout.write(
    `ssot rollback: run ${r.run.id} — ${plural(r.restored.length, 'file')} restored${r.unchanged.length ? `, ${r.unchanged.length} already as before` : ''}${r.conflicts.length ? `, ${r.conflicts.length} overwritten (--force)` : ''}\n`,
  );
  return 0;
}
