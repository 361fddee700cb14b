import { plural } from '../format.js';
import { rollback } from '../migrate/migrate.js';
import { listRuns } from '../workspace/journal.js';
import { atMostOne, defineCommand } from './args.js';

const HELP = `Usage:
  ssot rollback [run] [options]

Puts back every file a \`ssot migrate --write\` or \`ssot shim --write\` run changed, byte for
byte (run: its id; default the latest run not rolled back). Refuses when a file changed since
the run, restoring nothing, unless --force.

Options:
      --root <dir>        the migrated root (default: .)
      --force             restore even files changed since the run
      --list              list the runs
  -h, --help              this help
  -v, --version           the version

Exit codes: 0 done, 1 rollback refused, 2 bad input.
`;

export const command = defineCommand(
  HELP,
  {
    root: { type: 'string', default: '.' },
    force: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
  },
  ({ values, positionals }) => {
    const root = values.root ?? '.';
    if (values.list) {
      for (const r of listRuns(root)) {
        process.stdout.write(
          `${r.id}  ${r.kind}  ${r.status}  ${plural(r.files.length, 'file')}  ${r.command.join(' ')}\n`,
        );
      }
      return 0;
    }
    const r = rollback(root, atMostOne(positionals, 'run id'), values.force);
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
  },
);
