import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIGRATE_FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const REPO_ROOT = join(PACKAGE_ROOT, '..', '..');
export const BIN = join(PACKAGE_ROOT, 'bin', 'ssot.js');
export const TSC = join(REPO_ROOT, 'node_modules', '.bin', 'tsc');

const temps: string[] = [];

/** Copies a directory to a fresh temporary directory (removed by `cleanup`). */
export function copyDir(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ssot-${source.split(/[\\/]/).filter(Boolean).pop()}-`));
  cpSync(source, dir, { recursive: true });
  temps.push(dir);
  return dir;
}

/** Copies `fixtures/<name>/<part>` (default `before`) to a fresh temporary directory. */
export function copyFixture(name: string, part = 'before'): string {
  return copyDir(join(MIGRATE_FIXTURES, name, part));
}

export function cleanup(): void {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Every file below `dir` (relative path → bytes), leaving out `.ssot/`, `.git/` and caches. */
export function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      if (name === '.ssot' || name === '.git' || name === '__pycache__') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p).split('\\').join('/'), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** Files whose bytes differ between two trees (or exist in one only). */
export function treeDiff(a: Map<string, Buffer>, b: Map<string, Buffer>): string[] {
  const diff: string[] = [];
  for (const [f, bytes] of a) if (!b.get(f)?.equals(bytes)) diff.push(f);
  for (const f of b.keys()) if (!a.has(f)) diff.push(f);
  return diff.sort();
}

export function fixtureTree(name: string, part: string): Map<string, Buffer> {
  return tree(join(MIGRATE_FIXTURES, name, part));
}

/** Runs the built `ssot` CLI. */
export function ssot(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function git(dir: string, ...args: string[]): string {
  const r = spawnSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A git repository with everything in `dir` committed. */
export function gitInit(dir: string): void {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'init');
}
