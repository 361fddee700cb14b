// Benchmark: `ssot migrate` on the generated 10,000-file mixed Python/TypeScript repository
// (bench/ssot/generate.ts, the `ssot audit` benchmark's tree) with a real move layered on top:
//   - the Python library `corelib` becomes `corekit` (prefix rule corelib.* → corekit.*:
//     `import corelib.x.m` with its dotted uses, `from corelib.x.m import …`);
//   - the TS workspace package `@synth/core` becomes `@synth/kit` and its path alias `@core/*`
//     becomes `@kit/*` (the new package is a copy of the old one, as after `git mv` + a shim).
// Measured, each as a fresh `ssot` process: a dry run and a `--write` of the whole migration;
// then, on the TypeScript half (web/), `ssot migrate` against a jscodeshift transform doing the
// same specifier rewrite (dry and write, jscodeshift on every core), alternating, `--runs` times;
// the median wall time counts. The first run also checks the result: a second run is a no-op,
// `ssot rollback` restores every byte, the touched Python files compile, and ssot's and
// jscodeshift's TypeScript outputs are compared file by file.
//
// Usage: node --import tsx bench/ssot/migrate.ts [--files 10000] [--runs 3] [--dir /tmp/…]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuSample, machineCpuPct } from '../lib/machine.js';
import { generate } from './generate.js';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    dir: { type: 'string', default: join(tmpdir(), 'agentwire-ssot-migrate-bench') },
  },
});
const repoRoot = new URL('../../', import.meta.url).pathname;
const SSOT = join(repoRoot, 'packages', 'ssot', 'bin', 'ssot.js');
const JSCODESHIFT = join(repoRoot, 'node_modules', 'jscodeshift', 'bin', 'jscodeshift.js');
const TRANSFORM = join(repoRoot, 'bench', 'ssot', 'migrate-transform.cjs');
const dir = values.dir as string;
const base = join(dir, 'base');
const work = join(dir, 'work');
const runs = Number(values.runs);

interface Ran {
  ms: number;
  /** user + sys CPU seconds of the process and its threads (bash `time`). */
  cpu: number;
  /** CPU other processes used meanwhile, % of one core (machine-wide use minus this process's). */
  others: number;
  stdout: string;
  stderr: string;
  code: number | null;
}

const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

/** Runs a command under bash's `time`: wall and CPU time of that process alone. */
function sh(cmd: string, args: string[], cwd?: string): Ran {
  const line = `TIMEFORMAT='@@time %R %U %S'; time ${[cmd, ...args].map(quote).join(' ')}`;
  const before = cpuSample();
  const r = spawnSync('bash', ['-c', line], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, CI: '1' },
  });
  const stderr = r.stderr ?? '';
  const machine = machineCpuPct(before, cpuSample(), cpus().length);
  const m = /@@time ([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  const wall = m ? Number(m[1]) : Number.NaN;
  const cpu = m ? Number(m[2]) + Number(m[3]) : Number.NaN;
  return {
    ms: wall * 1000,
    cpu,
    others: Math.max(0, machine - (cpu / wall) * 100),
    stdout: r.stdout ?? '',
    stderr: m ? stderr.slice(0, m.index) : stderr,
    code: r.status,
  };
}

function must(r: Ran, what: string): Ran {
  if (r.code !== 0)
    throw new Error(`${what} exited ${r.code}:\n${r.stderr.slice(-2000)}${r.stdout.slice(-2000)}`);
  return r;
}

function setup(): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const gen = generate(base, Number(values.files));
  console.log(
    `generated ${gen.python} Python + ${gen.typescript} TypeScript files (${(gen.bytes / 1e6).toFixed(1)} MB)`,
  );
  // The moves: the new homes exist (copies of the old ones), every importer still uses the old path.
  cpSync(join(base, 'py/libs/src/corelib'), join(base, 'py/libs/src/corekit'), { recursive: true });
  cpSync(join(base, 'web/packages/core'), join(base, 'web/packages/kit'), { recursive: true });
  const kitPkg = join(base, 'web/packages/kit/package.json');
  writeFileSync(kitPkg, readFileSync(kitPkg, 'utf8').replace('"@synth/core"', '"@synth/kit"'));
  const tsconfig = join(base, 'web/tsconfig.json');
  const tc = JSON.parse(readFileSync(tsconfig, 'utf8'));
  tc.compilerOptions.paths['@kit/*'] = ['packages/kit/src/*'];
  writeFileSync(tsconfig, `${JSON.stringify(tc, null, 2)}\n`);
  // A monorepo root that declares the web workspaces, as real mixed repositories do.
  writeFileSync(
    join(base, 'package.json'),
    `${JSON.stringify({ name: 'synth', private: true, workspaces: ['web/packages/*'] }, null, 2)}\n`,
  );
  const tsRules = [
    { from: '@synth/core', to: '@synth/kit' },
    { from: '@core/*', to: '@kit/*' },
  ];
  writeFileSync(
    join(base, 'ssot.config.json'),
    `${JSON.stringify({ migrate: { rules: [{ from: 'corelib.*', to: 'corekit.*' }, ...tsRules] } }, null, 2)}\n`,
  );
  writeFileSync(
    join(base, 'web/ssot.config.json'),
    `${JSON.stringify({ migrate: { rules: tsRules } }, null, 2)}\n`,
  );
  must(sh('git', ['init', '-q', '-b', 'main'], base), 'git init');
  must(sh('git', ['add', '-A'], base), 'git add');
  must(
    sh(
      'git',
      ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'base'],
      base,
    ),
    'git commit',
  );
}

function fresh(): void {
  rmSync(work, { recursive: true, force: true });
  // A clone: a checkout with a fresh index, as a developer's is.
  must(sh('git', ['clone', '-q', '--local', base, work]), 'git clone');
  // The clone leaves ~20 MB of dirty pages; flushed now, their writeback is not charged to the
  // measured run (a developer's checkout is not seconds old).
  must(sh('sync', []), 'sync');
}

/** relative path → sha256 of every file below `root` (.git and .ssot left out). */
function hashes(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      if (name === '.git' || name === '.ssot' || name === '__pycache__') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(root);
  return out;
}

function diffCount(a: Map<string, string>, b: Map<string, string>): number {
  let n = 0;
  for (const [f, h] of a) if (b.get(f) !== h) n++;
  for (const f of b.keys()) if (!a.has(f)) n++;
  return n;
}

interface Summary {
  files: number;
  statements: number;
  ms: number;
}

function ssotMigrate(
  root: string,
  extra: string[],
): Summary & { wall: number; cpu: number; others: number } {
  const r = must(
    sh(process.execPath, [SSOT, 'migrate', root, '--format', 'json', ...extra]),
    'ssot migrate',
  );
  const j = JSON.parse(r.stdout) as {
    changes: { statements: number }[];
    written: string[];
    ms: number;
  };
  return {
    files: extra.includes('--write') ? j.written.length : j.changes.length,
    statements: j.changes.reduce((n, c) => n + c.statements, 0),
    ms: j.ms,
    wall: r.ms,
    cpu: r.cpu,
    others: r.others,
  };
}

function jscodeshift(
  root: string,
  dry: boolean,
): { wall: number; cpu: number; others: number; ok: number; errors: number } {
  const r = must(
    sh(process.execPath, [
      JSCODESHIFT,
      '--transform',
      TRANSFORM,
      '--parser=ts',
      '--extensions=ts,tsx',
      `--cpus=${cpus().length}`,
      '--ignore-pattern=**/node_modules/**',
      ...(dry ? ['--dry'] : []),
      join(root, 'packages'),
    ]),
    'jscodeshift',
  );
  const out = r.stdout + r.stderr;
  const count = (what: string) => Number(new RegExp(`(\\d+) ${what}`).exec(out)?.[1] ?? -1);
  return { wall: r.ms, cpu: r.cpu, others: r.others, ok: count('ok'), errors: count('errors') };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

const loadBefore = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
setup();
const baseHashes = hashes(base);
const times: Record<string, number[]> = {
  'ssot dry run (whole tree)': [],
  'ssot --write (whole tree)': [],
  'ssot dry run (web/)': [],
  'ssot --write (web/)': [],
  'jscodeshift --dry (web/)': [],
  'jscodeshift write (web/)': [],
};
let whole: Summary | null = null;
let webSummary: Summary | null = null;
let jsOk = 0;
let jsErrors = 0;
const cpuTimes: Record<string, number[]> = {};
const othersCpu: Record<string, number[]> = {};
const record = (name: string, r: { wall: number; cpu: number; others: number }) => {
  times[name]?.push(r.wall);
  for (const [into, value] of [
    [cpuTimes, r.cpu],
    [othersCpu, r.others],
  ] as const) {
    const list = into[name] ?? [];
    into[name] = list;
    list.push(value);
  }
};
const checks: string[] = [];
for (let run = 0; run < runs; run++) {
  fresh();
  const dry = ssotMigrate(work, []);
  record('ssot dry run (whole tree)', dry);
  const written = ssotMigrate(work, ['--write']);
  record('ssot --write (whole tree)', written);
  whole = dry;
  if (run === 0) {
    if (written.files !== dry.files)
      throw new Error(`wrote ${written.files} files, planned ${dry.files}`);
    const again = ssotMigrate(work, []);
    checks.push(`second run: ${again.files} files to change (no-op: ${again.files === 0})`);
    const touched = spawnSync('git', ['diff', '--name-only', '--', '*.py'], {
      cwd: work,
      encoding: 'utf8',
    })
      .stdout.split('\n')
      .filter(Boolean);
    const compile = sh('python3', ['-m', 'py_compile', ...touched], work);
    checks.push(
      `python3 -m py_compile on ${touched.length} touched Python files: ${compile.code === 0 ? 'ok' : `FAILED ${compile.stderr.slice(0, 500)}`}`,
    );
    must(sh(process.execPath, [SSOT, 'rollback', '--root', work]), 'ssot rollback');
    checks.push(
      `ssot rollback: ${diffCount(baseHashes, hashes(work))} files differ from the original tree`,
    );
  }
  // The TypeScript half: ssot and jscodeshift on fresh copies of web/.
  fresh();
  const webDir = join(work, 'web');
  const wdry = ssotMigrate(webDir, []);
  record('ssot dry run (web/)', wdry);
  const wwrite = ssotMigrate(webDir, ['--write', '--allow-dirty']);
  record('ssot --write (web/)', wwrite);
  webSummary = wdry;
  const ssotWeb = run === 0 ? hashes(webDir) : null;
  fresh();
  const jdry = jscodeshift(webDir, true);
  record('jscodeshift --dry (web/)', jdry);
  const jwrite = jscodeshift(webDir, false);
  record('jscodeshift write (web/)', jwrite);
  jsOk = jwrite.ok;
  jsErrors = jwrite.errors;
  if (ssotWeb) {
    const js = hashes(webDir);
    checks.push(
      `web/ after ssot vs after jscodeshift: ${diffCount(ssotWeb, js)} files differ (ssot changed ${wwrite.files}, jscodeshift reports ${jwrite.ok} ok)`,
    );
  }
}
const loadAfter = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
console.log(
  `\n${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load ${loadBefore} → ${loadAfter}, ${runs} runs\n`,
);
console.log(
  `whole tree: ${whole?.files} files, ${whole?.statements} import statements rewritten; web/: ${webSummary?.files} files, ${webSummary?.statements} statements (jscodeshift: ${jsOk} files ok, ${jsErrors} it could not transform)`,
);
console.log(
  "\n| run | wall (median) | wall (best) | CPU user+sys (median) | wall per run | others' CPU per run |\n| --- | ---: | ---: | ---: | --- | --- |",
);
for (const [name, xs] of Object.entries(times)) {
  const cpu = median(cpuTimes[name] ?? []);
  const best = Math.min(...xs) / 1000;
  console.log(
    `| ${name} | ${(median(xs) / 1000).toFixed(2)} s | ${best.toFixed(2)} s | ${cpu.toFixed(2)} s | ${xs.map((x) => (x / 1000).toFixed(2)).join(', ')} | ${(othersCpu[name] ?? []).map((o) => `${o.toFixed(0)} %`).join(', ')} |`,
  );
}
console.log(`\n${checks.map((c) => `- ${c}`).join('\n')}`);
if (!existsSync(dir)) process.exit(1);
