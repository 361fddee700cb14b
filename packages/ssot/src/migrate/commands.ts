import { CHECK_HELP, runCheck } from '../check/cli.js';
import { runShim, SHIM_HELP } from '../shim/cli.js';
import { MIGRATE_HELP, runMigrate, runRollback } from './cli.js';

/** Subcommands beyond `audit`: name → help text and handler (returns the exit code). */
export const COMMANDS: Record<string, { help: string; run: (args: string[]) => Promise<number> }> =
  {
    migrate: { help: MIGRATE_HELP, run: runMigrate },
    rollback: { help: MIGRATE_HELP, run: async (args) => runRollback(args) },
    check: { help: CHECK_HELP, run: runCheck },
    shim: { help: SHIM_HELP, run: runShim },
  };
