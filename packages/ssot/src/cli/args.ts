import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UserError } from '../errors.js';
import { VERSION } from '../version.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The parsed flags and positionals of a command with the given options, and the raw arguments. */
export type Parsed<T extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; options: T }>
> & { args: string[] };

/** A command of the CLI: its help text and handler (returns the exit code). */
export interface Command {
  help: string;
  run: (args: string[]) => Promise<number>;
}

/**
 * A command whose flags are `options` plus the two every command has: `-h/--help` prints `help`
 * and `-v/--version` the version, before anything else is checked. Unknown flags, missing values
 * and bad numbers are user errors (exit 2).
 */
export function defineCommand<const T extends Options>(
  help: string,
  options: T,
  run: (parsed: Parsed<T>) => Promise<number> | number,
): Command {
  return {
    help,
    run: async (args) => {
      if (args.includes('-h') || args.includes('--help')) {
        process.stdout.write(help);
        return 0;
      }
      if (args.includes('-v') || args.includes('--version')) {
        process.stdout.write(`${VERSION}\n`);
        return 0;
      }
      return run({ ...parseArgs({ args, allowPositionals: true, options }), args } as Parsed<T>);
    },
  };
}

/** The one optional positional of a command (e.g. the root), or a user error naming the extras. */
export function atMostOne(positionals: string[], what: string): string | undefined {
  if (positionals.length > 1)
    throw new UserError(`expected one ${what}, got: ${positionals.join(' ')}`);
  return positionals[0];
}

/** A whole-number flag value ≥ `min`, or undefined when the flag was not given. */
export function wholeNumber(
  value: string | undefined,
  flag: string,
  min: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UserError(`${flag} takes a whole number ≥ ${min}, got "${value}"`);
  return n;
}

/** A comma-separated list whose items must each be one of `allowed`. */
export function parseList(
  value: string | undefined,
  what: string,
  allowed: readonly string[],
): string[] {
  if (!value) return [];
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item)) {
      throw new UserError(`unknown ${what} "${item}" (expected one of: ${allowed.join(', ')})`);
    }
  }
  return items;
}
