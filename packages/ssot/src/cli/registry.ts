import type { Command } from './args.js';

/**
 * Every command, each loaded when it is run: a process loads only the code of the command it
 * runs (an `ssot migrate` does not compile the audit's reporters, say).
 */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  audit: async () => (await import('./audit.js')).command,
  migrate: async () => (await import('./migrate.js')).command,
  rollback: async () => (await import('./rollback.js')).command,
  check: async () => (await import('./check.js')).command,
  shim: async () => (await import('./shim.js')).command,
};
