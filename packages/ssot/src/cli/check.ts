import { writeFileSync } from 'node:fs';
import type { Finding } from '../analyze/types.js';
import { check } from '../check/check.js';
import { renderCheck } from '../check/render.js';
import { parseFormat, render } from '../report/index.js';
import { atMostOne, defineCommand, wholeNumber } from './args.js';

const HELP = `Usage:
  ssot check [root] [options]

The CI gate: audits the root and fails (exit 1) when deprecated imports exceed the threshold or
rose above the baseline, or when a runtime import cycle or a duplicate definition is new (not in
the baseline). The baseline only ratchets down.

Options:
      --max-deprecated <n|p%>  most deprecated import statements: a count, or a share of the
                               imports of the config's modules (default: config check.maxDeprecated)
      --baseline <file>        baseline file (default: config check.baseline, else ssot-baseline.json)
      --update-baseline        write the baseline: counts that went down are lowered, none is raised
      --changed-since <rev>    judge only the files changed since this git revision
  -c, --config <file>          config file (default: <root>/ssot.config.json)
  -f, --format <fmt>           text (default), json, sarif (inline annotations), markdown
  -o, --output <file>          write the report to a file
      --workers <n>            extract threads
  -h, --help                   this help
  -v, --version                the version

Exit codes: 0 pass, 1 violation, 2 usage or configuration error.
`;

export const command = defineCommand(
  HELP,
  {
    'max-deprecated': { type: 'string' },
    baseline: { type: 'string' },
    'update-baseline': { type: 'boolean', default: false },
    'changed-since': { type: 'string' },
    config: { type: 'string', short: 'c' },
    format: { type: 'string', short: 'f', default: 'text' },
    output: { type: 'string', short: 'o' },
    workers: { type: 'string' },
  },
  async ({ values, positionals }) => {
    const root = atMostOne(positionals, 'root directory');
    const format = parseFormat(values.format);
    const workers = wholeNumber(values.workers, '--workers', 0);
    const result = await check({
      root: root ?? '.',
      configPath: values.config,
      maxDeprecated: values['max-deprecated'],
      baseline: values.baseline,
      updateBaseline: values['update-baseline'],
      changedSince: values['changed-since'],
      workers,
    });
    let text: string;
    if (format === 'text') text = renderCheck(result);
    else if (format === 'json') {
      const { report, violations, ...rest } = result;
      text = `${JSON.stringify(
        {
          ...rest,
          violations: violations.map((v) => ({ kind: v.kind, message: v.message })),
          findings: [...new Set(violations.flatMap((v) => v.findings))],
          tool: report.tool,
          root: report.root,
        },
        null,
        2,
      )}\n`;
    } else {
      // SARIF and markdown: the audit's reporters over the findings behind the violations.
      const findings: Finding[] = [...new Set(result.violations.flatMap((v) => v.findings))];
      text = render({ ...result.report, findings }, format);
    }
    if (values.output) writeFileSync(values.output, text);
    else process.stdout.write(text);
    return result.pass ? 0 : 1;
  },
);
