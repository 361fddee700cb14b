// Benchmark: `ssot audit` on a generated 10,000-file mixed Python/TypeScript monorepo, a CPython
// `ast` import census of the same tree as the reference (python3: parse every .py file, count its
// imports), and dependency-cruiser and madge (both with cycle detection) on its TypeScript half.
// Every tool runs as a fresh process, alternating, `--runs` times; wall, CPU and peak RSS per
// run come from GNU time; the median wall time counts.
//   --corpus realistic (default): bench/ssot/corpus.ts — files sized like a real repository
//     (≈170 MB of Python with a long tail past 300 KB, 1,000 TS files, unparsable files);
//   --corpus synthetic: bench/ssot/generate.ts — the earlier tree of small, regular files.
//
// Usage: npm run bench:ssot [-- --corpus realistic --files 10000 --runs 3 --dir /tmp/ssot-bench --tools ssot,census,depcruise,madge]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateCorpus } from './corpus.js';
import { generate } from './generate.js';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    dir: { type: 'string', default: join(tmpdir(), 'agentwire-ssot-bench') },
    corpus: { type: 'string', default: 'realistic' },
    /** Comma-separated subset: ssot, census, depcruise, madge (default: all). */
    tools: { type: 'string', default: 'ssot,census,depcruise,madge' },
  },
});
const repoRoot = new URL('../../', import.meta.url).pathname;
const bin = (name: string) =>
  [
    join(repoRoot, 'packages', 'ssot', 'node_modules', '.bin', name),
    join(repoRoot, 'node_modules', '.bin', name),
  ].find((p) => existsSync(p)) ?? name;
const realistic = values.corpus !== 'synthetic';
const dir = `${values.dir as string}${realistic ? '-realistic' : ''}`;
const web = join(dir, realistic ? 'frontend' : 'web');
const tsSources = realistic ? 'src' : 'packages';
const out = (name: string) => join(tmpdir(), `agentwire-ssot-bench-${name}.json`);

const loadBefore = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
if (realistic) {
  const gen = generateCorpus(dir, { files: Number(values.files) });
  console.log(
    `generated ${gen.python} Python (${(gen.pythonBytes / 1e6).toFixed(1)} MB, ${gen.large} files ≥ 300 KB, ${Object.values(gen.broken).reduce((a, b) => a + b, 0)} written not to parse) + ${gen.typescript} TypeScript files (${(gen.typescriptBytes / 1e6).toFixed(1)} MB) in ${dir}`,
  );
} else {
  const gen = generate(dir, Number(values.files));
  console.log(
    `generated ${gen.python} Python + ${gen.typescript} TypeScript files (${(gen.bytes / 1e6).toFixed(1)} MB) in ${dir}`,
  );
}
// The reference: CPython's own parser over the same .py files (what the audit must at least match).
const CENSUS = `
import ast, json, os, sys
root = sys.argv[1]
files = parsed = imports = 0
for dirpath, dirnames, filenames in os.walk(root):
    dirnames[:] = [d for d in dirnames if d not in ('node_modules', '__pycache__') and not d.startswith('.')]
    for name in filenames:
        if not name.endswith('.py'):
            continue
        path = os.path.join(dirpath, name)
        if os.path.getsize(path) > 1048576:
            continue
        files += 1
        try:
            tree = ast.parse(open(path, 'rb').read())
        except (SyntaxError, ValueError):
            continue
        parsed += 1
        imports += sum(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(tree))
json.dump({'files': files, 'parsed': parsed, 'imports': imports}, open(sys.argv[2], 'w'))
`;
// dependency-cruiser with a no-circular rule, so that it finds cycles as ssot and madge do.
const cruiserConfig = join(tmpdir(), 'agentwire-ssot-bench-depcruise.cjs');
spawnSync('sh', [
  '-c',
  `cat > ${cruiserConfig} <<'EOF'
module.exports = {
  forbidden: [{ name: 'no-circular', severity: 'warn', from: {}, to: { circular: true } }],
  options: { doNotFollow: { path: 'node_modules' }, tsConfig: { fileName: '${join(web, 'tsconfig.json')}' }, tsPreCompilationDeps: true },
};
EOF`,
]);

interface Tool {
  name: string;
  /** Where the command's stdout goes (a file: madge exits before a pipe is drained). */
  stdoutTo?: string;
  scope: string;
  cmd: string[];
  cwd: string;
  check: () => string;
}

const ssotBin = join(repoRoot, 'packages', 'ssot', 'bin', 'ssot.js');
/** `ssot audit` on `target`, JSON report to a file; `summary` describes it. */
function ssotTool(
  scope: string,
  target: string,
  name: string,
  summary: (r: SsotReport) => string,
): Tool {
  return {
    name: 'ssot audit',
    scope,
    cmd: [process.execPath, ssotBin, 'audit', target, '--format', 'json', '-o', out(name), '-q'],
    cwd: repoRoot,
    check: () => summary(JSON.parse(readJson(out(name))) as SsotReport),
  };
}

interface SsotReport {
  stats: { files: number; imports: number };
  findings: { rule: string }[];
}

const tools: Tool[] = [
  ssotTool(
    'whole repo (Python + TS)',
    dir,
    'ssot',
    (r) => `${r.stats.files} files, ${r.stats.imports} imports, ${r.findings.length} findings`,
  ),
  ssotTool('TS half only', web, 'ssot-ts', (r) => {
    const cycles = r.findings.filter((f) => f.rule === 'cycle').length;
    return `${r.stats.files} files, ${r.stats.imports} imports, ${cycles} cycle findings`;
  }),
  {
    name: 'CPython ast census',
    scope: `whole repo (Python, ${spawnSync('python3', ['--version'], { encoding: 'utf8' }).stdout.trim()})`,
    cmd: ['python3', '-c', CENSUS, dir, out('census')],
    cwd: repoRoot,
    check: () => {
      const r = JSON.parse(readJson(out('census')));
      return `${r.files} files, ${r.parsed} parsed, ${r.imports} import statements`;
    },
  },
  {
    name: 'dependency-cruiser',
    scope: 'TS half only',
    cmd: [
      bin('depcruise'),
      tsSources,
      '--config',
      cruiserConfig,
      '--output-type',
      'json',
      '--output-to',
      out('depcruise'),
    ],
    cwd: web,
    check: () => {
      const r = JSON.parse(readJson(out('depcruise')));
      return `${r.summary.totalCruised} modules, ${r.summary.totalDependenciesCruised} dependencies, ${r.summary.warn} cycle warnings`;
    },
  },
  {
    name: 'madge',
    scope: 'TS half only',
    stdoutTo: out('madge'),
    cmd: [
      bin('madge'),
      '--extensions',
      'ts,tsx',
      '--ts-config',
      join(web, 'tsconfig.json'),
      '--circular',
      '--json',
      tsSources,
    ],
    cwd: web,
    check: () => 'see stdout',
  },
];

function readJson(path: string): string {
  return spawnSync('cat', [path], { encoding: 'utf8', maxBuffer: 1 << 30 }).stdout;
}

const wanted = (values.tools as string).split(',');
const alias: Record<string, string> = { depcruise: 'dependency-cruiser', census: 'CPython' };
const selected = tools.filter((t) => wanted.some((w) => t.name.startsWith(alias[w] ?? w)));
const runs = Number(values.runs);
interface Sample {
  wall: number;
  cpu: number;
  /** Peak resident set size, MB. */
  rss: number;
}
const samples = new Map<Tool, Sample[]>(selected.map((t) => [t, []]));
const notes = new Map<Tool, string>();
/** Runs a command under bash's `time`: wall and user+sys CPU seconds of the process tree. */
function timed(tool: Tool) {
  const quoted = tool.cmd.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const r = spawnSync(
    'bash',
    [
      '-c',
      `/usr/bin/time -f '@@time %e %U %S %M' -o /tmp/agentwire-ssot-bench-time ${quoted} ${tool.stdoutTo ? `>'${tool.stdoutTo}'` : ''} 2>/tmp/agentwire-ssot-bench-stderr; cat /tmp/agentwire-ssot-bench-time >&2`,
    ],
    {
      cwd: tool.cwd,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      env: { ...process.env, CI: '1' },
    },
  );
  const m = /@@time ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`${tool.name}: no timing (${r.stderr.slice(0, 500)})`);
  const status = /Command exited with non-zero status (\d+)/.exec(r.stderr);
  return {
    status: status ? Number(status[1]) : 0,
    stdout: r.stdout,
    wall: Number(m[1]),
    cpu: Number(m[2]) + Number(m[3]),
    rss: Number(m[4]) / 1024,
  };
}
for (let i = 0; i < runs; i++) {
  for (const tool of selected) {
    const r = timed(tool);
    if (r.status !== 0 && !(tool.name === 'madge' && r.status === 1)) {
      console.error(
        `${tool.name} failed (${r.status}): ${readJson('/tmp/agentwire-ssot-bench-stderr').slice(0, 2000)}`,
      );
      process.exit(1);
    }
    samples.get(tool)?.push({ wall: r.wall, cpu: r.cpu, rss: r.rss });
    if (tool.name === 'madge') {
      const cycles = JSON.parse(readJson(out('madge'))) as unknown[];
      notes.set(tool, `${cycles.length} circular chains`);
    } else notes.set(tool, tool.check());
    console.log(
      `run ${i + 1}: ${tool.name} (${tool.scope}) wall ${r.wall.toFixed(2)} s, cpu ${r.cpu.toFixed(2)} s, peak RSS ${r.rss.toFixed(0)} MB; load average ${loadavg()[0]?.toFixed(2)}`,
    );
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
console.log(
  `\nmachine: ${cpus().length} cores (${cpus()[0]?.model}), node ${process.version}; median of ${runs} alternating runs; load average before: ${loadBefore}\n`,
);
console.log(
  '| tool | scope | wall (median) | wall (best) | CPU user+sys (median) | peak RSS (max) | wall per run | what it reported |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | --- | --- |');
for (const tool of selected) {
  const ts = samples.get(tool) as Sample[];
  console.log(
    `| ${tool.name} | ${tool.scope} | ${median(ts.map((t) => t.wall)).toFixed(2)} s | ${Math.min(...ts.map((t) => t.wall)).toFixed(2)} s | ${median(ts.map((t) => t.cpu)).toFixed(2)} s | ${Math.max(...ts.map((t) => t.rss)).toFixed(0)} MB | ${ts.map((t) => t.wall.toFixed(2)).join(', ')} | ${notes.get(tool)} |`,
  );
}
