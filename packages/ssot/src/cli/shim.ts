import { loadConfig } from '../config/config.js';
import { UserError } from '../errors.js';
import { rulesFromConfig } from '../migrate/rules.js';
import { generateShims, type ShimSpec } from '../shim/shim.js';
import { looksLikeTs, Project } from '../workspace/project.js';
import { defineCommand } from './args.js';

const HELP = `Usage:
  ssot shim <from> <to> [options]
  ssot shim --from-config [options]

Generates a deprecation module at a moved path that re-exports the names from where they live
now: Python with warnings.warn(…, DeprecationWarning, stacklevel=2) (--lazy: a module __getattr__
that imports on first use), TypeScript with /** @deprecated */ re-exports (export const Old = New)
and a once-per-process process.emitWarning(…, 'DeprecationWarning', code). Prints the files;
--write writes them (with a run record: ssot rollback removes them).

<from>: Python dotted module, or TS file path relative to the root (src/legacy/ws.ts).
<to>:   Python dotted module; TS file path, package or path alias.

Options:
      --root <dir>          project root (default: .)
      --names <list>        names to keep: Old=New,Same,… (default: every public name of <to>)
      --lazy                Python: resolve names lazily through module __getattr__
      --from-config         one shim per migrate rule of the config whose <from> no longer exists
      --write               write the files
      --force               replace an existing file that is not a generated shim
  -c, --config <file>       config file (default: <root>/ssot.config.json)
  -h, --help                this help
  -v, --version             the version

Exit codes: 0 done, 2 bad input.
`;

function parseNames(value: string | undefined): Record<string, string> | undefined {
  if (!value) return undefined;
  const out: Record<string, string> = {};
  for (const item of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [old, now] = item.split('=').map((s) => s.trim());
    if (
      !old ||
      (item.includes('=') && !now) ||
      !/^[A-Za-z_$][\w$]*$/.test(old) ||
      (now && !/^[A-Za-z_$][\w$]*$/.test(now))
    ) {
      throw new UserError(`--names: expected Old=New or Name items, got "${item}"`);
    }
    out[old] = now ?? old;
  }
  return out;
}

export const command = defineCommand(
  HELP,
  {
    root: { type: 'string', default: '.' },
    names: { type: 'string' },
    lazy: { type: 'boolean', default: false },
    'from-config': { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    config: { type: 'string', short: 'c' },
  },
  async ({ values, positionals, args }) => {
    const root = values.root ?? '.';
    let shims: ShimSpec[];
    if (values['from-config']) {
      if (positionals.length) throw new UserError('--from-config takes no <from> <to>');
      const { config } = loadConfig(root, values.config);
      const project = new Project(root, { ignore: config.ignore });
      const finder = project.finder();
      shims = rulesFromConfig(config)
        .filter((r) => !r.from.endsWith('*') && r.from !== r.to)
        .filter((r) =>
          looksLikeTs(r.from) ? !project.has(r.from) : finder.python(r.from) === null,
        )
        .map((r) => ({ from: r.from, to: r.to, names: r.names, lazy: values.lazy }));
      if (shims.length === 0) {
        process.stdout.write(
          'ssot shim: every deprecated module of the config still exists; nothing to generate\n',
        );
        return 0;
      }
    } else {
      if (positionals.length !== 2) throw new UserError('expected <from> <to> (or --from-config)');
      shims = [
        {
          from: positionals[0] as string,
          to: positionals[1] as string,
          names: parseNames(values.names),
          lazy: values.lazy,
        },
      ];
    }
    const result = await generateShims({
      root,
      configPath: values.config,
      shims,
      write: values.write,
      force: values.force,
      command: ['ssot', 'shim', ...args],
    });
    for (const s of result.shims) {
      if (!values.write)
        process.stdout.write(`--- ${s.file}${s.exists ? ' (exists)' : ' (new)'}\n${s.text}`);
    }
    for (const s of result.shims) {
      for (const k of s.kept)
        process.stdout.write(
          `ssot shim: ${s.file} keeps ${k.name}, which the old module imported from ${k.module} (missing from the target)\n`,
        );
      if (s.dropped.length)
        process.stdout.write(
          `ssot shim: ${s.file} drops ${s.dropped.join(', ')}: defined in the old module itself, missing from the target\n`,
        );
    }
    const files = result.shims.map((s) => s.file).join(', ');
    process.stdout.write(
      values.write
        ? `ssot shim: wrote ${files}${result.run ? ` (run ${result.run.id}; undo with: ssot rollback ${result.run.id})` : ''}\n`
        : `ssot shim: ${result.shims.length} shim${result.shims.length === 1 ? '' : 's'} (dry run; --write to write ${files})\n`,
    );
    return 0;
  },
);
