import { UserError } from '../errors.js';
import { VERSION } from '../version.js';
import { COMMANDS } from './registry.js';

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (!command || command === '-h' || command === '--help' || command === 'help') {
      process.stdout.write((await import('./audit.js')).HELP);
      return command ? 0 : 2;
    }
    if (command === '-v' || command === '--version') {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!load) throw new UserError(`unknown command "${command}" (try: ssot audit [root])`);
    return await (await load()).run(rest);
  } catch (e) {
    const err = e as Error & { code?: string };
    if (e instanceof UserError || err.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`ssot: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`ssot: internal error: ${err.stack ?? err.message}\n`);
    return 3;
  }
}
