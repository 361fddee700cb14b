import { writeFileSync } from 'node:fs';
import { RULE_IDS, type RuleId } from '../config/config.js';
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
    const { report } = await audit({
      root: root ?? '.',
      configPath: values.config,
      rules: rules.length ? rules : undefined,
      workers,
      onProgress: progress(values.quiet ?? false),
    });
    const text = render(report, format);
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
