// Benchmark: `ssot audit` on a generated 10,000-file mixed Python/TypeScript monorepo, and
// dependency-cruiser and madge (both with cycle detection) on its TypeScript half, in one run.
// Every tool runs as a fresh process, alternating, `--runs` times; the median wall time counts.
//
// Usage: npm run bench:ssot [-- --files 10000 --runs 3 --dir /tmp/ssot-bench --tools ssot,depcruise,madge]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generate } from './generate.js';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    dir: { type: 'string', default: join(tmpdir(), 'agentwire-ssot-bench') },
    /** Comma-separated subset: ssot, depcruise, madge (default: all three). */
    tools: { type: 'string', default: 'ssot,depcruise,madge' },
  },
});
const repoRoot = new URL('../../', import.meta.url).pathname;
const bin = (name: string) =>
  [
    join(repoRoot, 'packages', 'ssot', 'node_modules', '.bin', name),
    join(repoRoot, 'node_modules', '.bin', name),
  ].find((p) => existsSync(p)) ?? name;
const dir = values.dir as string;
const web = join(dir, 'web');
const out = (name: string) => join(tmpdir(), `agentwire-ssot-bench-${name}.json`);

const loadBefore = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
const gen = generate(dir, Number(values.files));
console.log(
  `generated ${gen.python} Python + ${gen.typescript} TypeScript files (${(gen.bytes / 1e6).toFixed(1)} MB) in ${dir}`,
);
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
    name: 'dependency-cruiser',
    scope: 'TS half only',
    cmd: [
      bin('depcruise'),
      'packages',
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
      'ts',
      '--ts-config',
      join(web, 'tsconfig.json'),
      '--circular',
      '--json',
      'packages',
    ],
    cwd: web,
    check: () => 'see stdout',
  },
];

function readJson(path: string): string {
  return spawnSync('cat', [path], { encoding: 'utf8', maxBuffer: 1 << 30 }).stdout;
}

const wanted = (values.tools as string).split(',');
const selected = tools.filter((t) =>
  wanted.some((w) => t.name.startsWith(w === 'depcruise' ? 'dependency-cruiser' : w)),
);
const runs = Number(values.runs);
interface Sample {
  wall: number;
  cpu: number;
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
      `TIMEFORMAT='@@time %R %U %S'; time ${quoted} ${tool.stdoutTo ? `>'${tool.stdoutTo}'` : ''} 2>/tmp/agentwire-ssot-bench-stderr`,
    ],
    {
      cwd: tool.cwd,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      env: { ...process.env, CI: '1' },
    },
  );
  const m = /@@time ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (!m) throw new Error(`${tool.name}: no timing (${r.stderr.slice(0, 500)})`);
  return {
    status: r.status,
    stdout: r.stdout,
    wall: Number(m[1]),
    cpu: Number(m[2]) + Number(m[3]),
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
    samples.get(tool)?.push({ wall: r.wall, cpu: r.cpu });
    if (tool.name === 'madge') {
      const cycles = JSON.parse(readJson(out('madge'))) as unknown[];
      notes.set(tool, `${cycles.length} circular chains`);
    } else notes.set(tool, tool.check());
    console.log(
      `run ${i + 1}: ${tool.name} (${tool.scope}) wall ${r.wall.toFixed(2)} s, cpu ${r.cpu.toFixed(2)} s`,
    );
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
console.log(
  `\nmachine: ${cpus().length} cores (${cpus()[0]?.model}), node ${process.version}; median of ${runs} alternating runs; load average before: ${loadBefore}\n`,
);
console.log(
  '| tool | scope | wall (median) | wall (best) | CPU user+sys (median) | wall per run | what it reported |',
);
console.log('| --- | --- | ---: | ---: | ---: | --- | --- |');
for (const tool of selected) {
  const ts = samples.get(tool) as Sample[];
  console.log(
    `| ${tool.name} | ${tool.scope} | ${median(ts.map((t) => t.wall)).toFixed(2)} s | ${Math.min(...ts.map((t) => t.wall)).toFixed(2)} s | ${median(ts.map((t) => t.cpu)).toFixed(2)} s | ${ts.map((t) => t.wall.toFixed(2)).join(', ')} | ${notes.get(tool)} |`,
  );
}
