/** A subcommand beyond `audit`: its help text and handler (returns the exit code). */
export interface Command {
  help: string;
  run: (args: string[]) => Promise<number>;
}

/**
 * Subcommands beyond `audit`, each loaded when it is run: a process loads only the code of the
 * command it runs (an `ssot migrate` does not compile the audit's reporters, say).
 */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  migrate: async () => {
    const { MIGRATE_HELP, runMigrate } = await import('./cli.js');
    return { help: MIGRATE_HELP, run: runMigrate };
  },
  rollback: async () => {
    const { MIGRATE_HELP, runRollback } = await import('./cli.js');
    return { help: MIGRATE_HELP, run: async (args) => runRollback(args) };
  },
  check: async () => {
    const { CHECK_HELP, runCheck } = await import('../check/cli.js');
    return { help: CHECK_HELP, run: runCheck };
  },
  shim: async () => {
    const { SHIM_HELP, runShim } = await import('../shim/cli.js');
    return { help: SHIM_HELP, run: runShim };
  },
};
