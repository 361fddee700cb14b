import { UserError } from '../errors.js';
import { migrate } from '../migrate/migrate.js';
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
    const result = await migrate({
      root: root ?? '.',
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
