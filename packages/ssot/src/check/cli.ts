import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Finding } from '../analyze/types.js';
import { UserError } from '../errors.js';
import { parseFormat, render } from '../report/index.js';
import { type CheckResult, check } from './check.js';

export const CHECK_HELP = `Usage:
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

Exit codes: 0 pass, 1 violation, 2 usage or configuration error.
`;

function renderText(r: CheckResult): string {
  const m = r.metrics;
  const lines: string[] = [];
  lines.push(
    r.pass
      ? 'ssot check: PASS'
      : `ssot check: FAIL — ${r.violations.length} violation${r.violations.length === 1 ? '' : 's'}`,
  );
  for (const v of r.violations) {
    lines.push(`  ✗ ${v.message}`);
    if (v.kind === 'max-deprecated' || v.kind === 'deprecated-increase') {
      for (const f of v.findings.slice(0, 20)) {
        if (f.rule === 'deprecated-import') {
          for (const u of f.imports)
            lines.push(
              `      ${f.file}:${u.line}  ${u.module}${u.name ? ` (${u.name})` : ''} → ${u.replacement ?? '?'}`,
            );
        }
      }
      if (v.findings.length > 20) lines.push(`      … and ${v.findings.length - 20} more files`);
    }
  }
  const b = r.baseline.before;
  lines.push(
    `  deprecated imports: ${m.deprecated} (${(m.deprecatedShare * 100).toFixed(1)}% of ${m.conceptImports})${b ? `, baseline ${b.deprecated}` : ''}${r.threshold ? `, max ${'count' in r.threshold ? r.threshold.count : `${r.threshold.percent}%`}` : ''}`,
    `  runtime cycles: ${m.cycles}${b ? `, baseline ${b.cycles.length}` : ''}; duplicate definitions: ${m.duplicates}${b ? `, baseline ${Object.keys(b.duplicates).length}` : ''}`,
  );
  if (r.changed) lines.push(`  judged: ${r.changed.length} changed files`);
  if (!r.baseline.existed && !r.baseline.written) {
    lines.push(
      `  no baseline at ${r.baseline.path}: every cycle and duplicate counts as new (create it with --update-baseline)`,
    );
  }
  if (r.baseline.written) lines.push(`  baseline written: ${r.baseline.path}`);
  return `${lines.join('\n')}\n`;
}

export async function runCheck(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'max-deprecated': { type: 'string' },
      baseline: { type: 'string' },
      'update-baseline': { type: 'boolean', default: false },
      'changed-since': { type: 'string' },
      config: { type: 'string', short: 'c' },
      format: { type: 'string', short: 'f', default: 'text' },
      output: { type: 'string', short: 'o' },
      workers: { type: 'string' },
    },
  });
  if (positionals.length > 1)
    throw new UserError(`expected one root directory, got: ${positionals.join(' ')}`);
  const format = parseFormat(values.format);
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 0)
      throw new UserError(`--workers takes a whole number ≥ 0, got "${values.workers}"`);
  }
  const result = await check({
    root: positionals[0] ?? '.',
    configPath: values.config,
    maxDeprecated: values['max-deprecated'],
    baseline: values.baseline,
    updateBaseline: values['update-baseline'],
    changedSince: values['changed-since'],
    workers,
  });
  let text: string;
  if (format === 'text') text = renderText(result);
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
}
