import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AuditReport } from '../audit.js';
import { loadConfig, RULE_IDS, type RuleId } from '../config/config.js';
import { UserError } from '../errors.js';
import { COMMANDS } from '../migrate/commands.js';

const HELP = `ssot — single source of truth for TypeScript/JavaScript and Python codebases

Usage:
  ssot audit [root] [options]
  ssot migrate | rollback | check | shim …   (ssot <command> --help)

Finds duplicate definitions, fragmented import paths, shim modules, import cycles and
deprecated imports. root defaults to the current directory.

Options:
  -f, --format <fmt>     text (default), json, sarif, markdown
  -o, --output <file>    write the report to a file instead of stdout
  -c, --config <file>    config file (default: <root>/ssot.config.json when present)
      --rules <list>     comma-separated rules to run (default: all)
      --fail-on <list>   exit 1 when an unjustified finding of these rules exists;
                         'cycle:runtime' fails on runtime cycles only
      --concept <name>   focus the report on one concept: its definitions, import paths
                         with counts per name, shims, cycles and the migration that fixes it
      --scope <list>     scopes listed in detail: production (default), test, fixture,
                         script, or all; the others are counted in a summary
      --min-severity <s> leave out findings below error, warning or note
      --max-findings <n> list at most n findings
      --workers <n>      extract threads (0 = none; default: by input size)
  -q, --quiet            no progress output
  -h, --help             this help
  -v, --version          the version

Rules: ${RULE_IDS.join(', ')}
Exit codes: 0 done, 1 --fail-on matched, 2 bad input (root, config, flags).
`;

function parseList(value: string | undefined, what: string, allowed: readonly string[]): string[] {
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

/** Unjustified findings matched by the --fail-on list. */
export function failures(report: AuditReport, failOn: string[]): number {
  return report.findings.filter(
    (f) =>
      f.justified === undefined &&
      failOn.some((r) =>
        r === 'cycle:runtime' ? f.rule === 'cycle' && f.kind === 'runtime' : r === f.rule,
      ),
  ).length;
}

function progress(
  quiet: boolean,
): ((stage: string, done: number, total: number) => void) | undefined {
  if (quiet || !process.stderr.isTTY || process.env.CI) return undefined;
  let last = 0;
  return (stage, done, total) => {
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    process.stderr.write(`\r${stage} ${done}/${total} files`);
    if (done >= total) process.stderr.write('\r\x1b[K');
  };
}

async function runAudit(args: string[]): Promise<number> {
  const [{ audit }, { parseFormat, render }] = await Promise.all([
    import('../audit.js'),
    import('../report/index.js'),
  ]);
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', short: 'f', default: 'text' },
      output: { type: 'string', short: 'o' },
      config: { type: 'string', short: 'c' },
      rules: { type: 'string' },
      'fail-on': { type: 'string' },
      workers: { type: 'string' },
      concept: { type: 'string' },
      scope: { type: 'string' },
      'min-severity': { type: 'string' },
      'max-findings': { type: 'string' },
      quiet: { type: 'boolean', short: 'q', default: false },
    },
  });
  const { parseCount, parseScopes, parseSeverity } = await import('../report/select.js');
  const view = {
    scopes: parseScopes(values.scope),
    minSeverity: parseSeverity(values['min-severity']),
    maxFindings: parseCount(values['max-findings'], '--max-findings'),
  };
  if (positionals.length > 1)
    throw new UserError(`expected one root directory, got: ${positionals.join(' ')}`);
  const format = parseFormat(values.format);
  const rules = parseList(values.rules, 'rule', RULE_IDS) as RuleId[];
  const failOn = parseList(values['fail-on'], 'rule', [...RULE_IDS, 'cycle:runtime']);
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 0) {
      throw new UserError(`--workers takes a whole number ≥ 0, got "${values.workers}"`);
    }
  }
  const { report: full } = await audit({
    root: positionals[0] ?? '.',
    configPath: values.config,
    rules: rules.length ? rules : undefined,
    workers,
    onProgress: progress(values.quiet ?? false),
  });
  const report = values.concept
    ? (await import('../report/focus.js')).focusConcept(full, values.concept, Object.keys(loadConfig(full.root, values.config).config.concepts ?? {}))
    : full;
  const text = render(report, format, view);
  if (values.output) writeFileSync(values.output, text);
  else process.stdout.write(text);
  const failed = failures(report, failOn);
  if (failed > 0) {
    process.stderr.write(
      `ssot: ${failed} unjustified finding${failed === 1 ? '' : 's'} of ${failOn.join(', ')}\n`,
    );
    return 1;
  }
  return 0;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (!command || command === '-h' || command === '--help' || command === 'help') {
      process.stdout.write(HELP);
      return command ? 0 : 2;
    }
    if (command === '-v' || command === '--version') {
      process.stdout.write(`${(await import('../audit.js')).VERSION}\n`);
      return 0;
    }
    if (command === 'audit') {
      if (rest.includes('-h') || rest.includes('--help')) {
        process.stdout.write(HELP);
        return 0;
      }
      return await runAudit(rest);
    }
    const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (load) {
      const sub = await load();
      if (rest.includes('-h') || rest.includes('--help')) {
        process.stdout.write(sub.help);
        return 0;
      }
      return await sub.run(rest);
    }
    throw new UserError(`unknown command "${command}" (try: ssot audit [root])`);
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
