import { UserError } from '../errors.js';
import { type MigrateOptions, migrate } from '../migrate/migrate.js';
import { migrateJson, migrateSummary } from '../migrate/summary.js';
import { unifiedDiff } from '../workspace/edits.js';
import { atMostOne, defineCommand, wholeNumber } from './args.js';

const HELP = `Usage:
  ssot migrate [root] [options]

Rewrites imports of deprecated modules and names to the canonical ones. Rules come from
ssot.config.json (migrate.rules, concepts[…].deprecatedModules/deprecatedNames, deprecated[] with
a replacement) or from the audit (--from-audit). Dry run by default: prints a unified diff and a
summary.

Options:
  -c, --config <file>     config file (default: <root>/ssot.config.json)
      --from-audit        also derive rules from the audit's shim and fragmentation findings
      --write             write the files and keep a run record in .ssot/runs/ (the originals
                          and hashes, on disk before any file changes); a failure restores them
      --atomic            with --write, replace each file by a temporary file and a rename, so
                          no reader sees a partly written file (slower: a new inode per file)
      --verify <command>  after --write, run this shell command in the root; roll back when it fails
      --allow-dirty       --write even when the git work tree has uncommitted changes
      --batches           run the config's migrate.batches in order (each its globs and its
                          verify); stops at the first batch whose verify fails, rolling back
                          that batch only
      --concept <name>    only the rules of this concept (repeatable); with --from-audit, only
                          the rules derived for it
      --rule <id>         only this rule: a migrate.rules entry's "id", or migrate.rules[0]
                          (repeatable)
      --include <glob>    only files matching (repeatable)
      --exclude <glob>    leave out files matching (repeatable)
      --limit <n>         change at most n files (migrate in batches)
  -f, --format <fmt>      text (default) or json (the summary, no diff)
  -q, --quiet             no diff, summary only
      --workers <n>       planning threads, this one included (0 or 1: none; default: by size)

  -h, --help              this help
  -v, --version           the version

Undo a written run with: ssot rollback [run] (ssot rollback --help).

Exit codes: 0 done, 1 --verify failed (rolled back), 2 bad input.
`;

export const command = defineCommand(
  HELP,
  {
    config: { type: 'string', short: 'c' },
    'from-audit': { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    atomic: { type: 'boolean', default: false },
    verify: { type: 'string' },
    'allow-dirty': { type: 'boolean', default: false },
    batches: { type: 'boolean', default: false },
    concept: { type: 'string', multiple: true },
    rule: { type: 'string', multiple: true },
    include: { type: 'string', multiple: true },
    exclude: { type: 'string', multiple: true },
    limit: { type: 'string' },
    format: { type: 'string', short: 'f', default: 'text' },
    quiet: { type: 'boolean', short: 'q', default: false },
    workers: { type: 'string' },
  },
  async ({ values, positionals, args }) => {
    const root = atMostOne(positionals, 'root directory');
    if (values.format !== 'text' && values.format !== 'json') {
      throw new UserError(`unknown format "${values.format}" (expected text or json)`);
    }
    if (values.verify !== undefined && !values.write) throw new UserError('--verify needs --write');
    if (values.atomic && !values.write) throw new UserError('--atomic needs --write');
    const limit = wholeNumber(values.limit, '--limit', 1);
    const workers = wholeNumber(values.workers, '--workers', 0);
    const write = values.write ?? false;
    const options: MigrateOptions = {
      root: root ?? '.',
      configPath: values.config,
      fromAudit: values['from-audit'],
      concepts: values.concept,
      ruleIds: values.rule,
      include: values.include,
      exclude: values.exclude,
      limit,
      write,
      verify: values.verify,
      allowDirty: values['allow-dirty'],
      writeMethod: values.atomic ? 'atomic' : 'in-place',
      command: ['ssot', 'migrate', ...args],
      workers,
    };
    if (values.batches) {
      if (values.include?.length || values.limit !== undefined)
        throw new UserError(
          '--batches takes its files from migrate.batches; drop --include/--limit',
        );
      const { migrateBatches } = await import('../migrate/batches.js');
      const r = await migrateBatches(options);
      if (values.format === 'json') {
        const batches = r.batches.map((b) => ({
          name: b.name,
          status: b.status,
          result: b.result ? migrateJson(b.result, write) : null,
        }));
        process.stdout.write(`${JSON.stringify({ batches, failed: r.failed }, null, 2)}\n`);
      } else {
        for (const b of r.batches) {
          if (!b.result) continue;
          process.stdout.write(`batch ${b.name}:\n${migrateSummary(b.result, write)}`);
        }
        const by = (s: string) => r.batches.filter((b) => b.status === s).map((b) => b.name);
        const all: [string, string[]][] = [
          ['landed', by('landed')],
          ['planned', by('planned')],
          ['rolled back (verify failed)', by('rolled back')],
          ['not run', by('not run')],
        ];
        const parts = all.filter(([, names]) => names.length > 0);
        process.stdout.write(
          `ssot migrate --batches: ${parts.map(([what, names]) => `${what}: ${names.join(', ')}`).join('; ')}\n`,
        );
      }
      return r.failed ? 1 : 0;
    }
    const result = await migrate(options);
    if (values.format === 'json') {
      process.stdout.write(`${JSON.stringify(migrateJson(result, write), null, 2)}\n`);
    } else {
      if (!write && !values.quiet) {
        for (const c of result.plan.changes)
          process.stdout.write(unifiedDiff(c.file, c.before, c.after));
      }
      process.stdout.write(migrateSummary(result, write));
    }
    return result.rolledBack ? 1 : 0;
  },
);
