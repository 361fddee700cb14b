import { writeFileSync } from 'node:fs';
import { SCOPES, type Scope } from '../analyze/scope.js';
import type { Severity } from '../analyze/types.js';
import { loadConfig, RULE_IDS, type RuleId } from '../config/config.js';
import { SEVERITIES } from '../report/select.js';
import { atMostOne, defineCommand, parseList, wholeNumber } from './args.js';

export const HELP = `ssot — single source of truth for TypeScript/JavaScript and Python codebases

Usage:
  ssot audit [root] [options]
  ssot migrate | rollback | check | shim …   (ssot <command> --help)
  ssot --version

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

export const command = defineCommand(
  HELP,
  {
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
  async ({ values, positionals }) => {
    const [{ audit, failures }, { parseFormat, render }] = await Promise.all([
      import('../pipeline/audit.js'),
      import('../report/index.js'),
    ]);
    const root = atMostOne(positionals, 'root directory');
    const format = parseFormat(values.format);
    const rules = parseList(values.rules, 'rule', RULE_IDS) as RuleId[];
    const failOn = parseList(values['fail-on'], 'rule', [...RULE_IDS, 'cycle:runtime']);
    const workers = wholeNumber(values.workers, '--workers', 0);
    const view = {
      scopes:
        values.scope === 'all'
          ? [...SCOPES]
          : values.scope === undefined
            ? undefined
            : (parseList(values.scope, 'scope (or all)', SCOPES) as Scope[]),
      minSeverity: parseList(values['min-severity'], 'severity', SEVERITIES)[0] as
        | Severity
        | undefined,
      maxFindings: wholeNumber(values['max-findings'], '--max-findings', 0),
    };
    const { report: full } = await audit({
      root: root ?? '.',
      configPath: values.config,
      rules: rules.length ? rules : undefined,
      workers,
      onProgress: progress(values.quiet ?? false),
    });
    const report = values.concept
      ? (await import('../report/focus.js')).focusConcept(
          full,
          values.concept,
          Object.keys(loadConfig(full.root, values.config).config.concepts ?? {}),
        )
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
  },
);
