import { execFile, spawnSync } from 'node:child_process';

function git(root: string, args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('git', ['-C', root, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { ok: r.status === 0, out: r.stdout ?? '', err: (r.stderr ?? '').trim() };
}

/** Whether `root` is inside a git work tree. */
export function isGitWorkTree(root: string): boolean {
  const r = git(root, ['rev-parse', '--is-inside-work-tree']);
  return r.ok && r.out.trim() === 'true';
}

/**
 * Uncommitted changes under `root` (modified, staged or untracked, ignored files left out), as
 * paths relative to the repository; null when `root` is not in a git work tree.
 */
export function dirtyFiles(root: string): string[] | null {
  if (!isGitWorkTree(root)) return null;
  const r = git(root, ['status', '--porcelain', '--untracked-files=all', '--', '.']);
  if (!r.ok) return null;
  return r.out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3));
}

/**
 * Files changed since `rev` (committed, staged, unstaged and untracked), relative to `root`.
 * Throws with git's message when `rev` is not a revision.
 */
export function changedSince(root: string, rev: string): Set<string> {
  if (!isGitWorkTree(root)) throw new Error(`${root} is not in a git work tree`);
  const base = git(root, ['merge-base', rev, 'HEAD']);
  const from = base.ok ? base.out.trim() : rev;
  const diff = git(root, ['diff', '--name-only', '--relative', from, '--', '.']);
  if (!diff.ok) throw new Error(`git diff ${rev}: ${diff.err}`);
  const untracked = git(root, ['ls-files', '--others', '--exclude-standard', '--', '.']);
  const out = new Set<string>();
  for (const l of `${diff.out}\n${untracked.out}`.split('\n')) if (l) out.add(l);
  return out;
}

/** `dirtyFiles`, without blocking this thread while git looks (it runs beside the planner). */
export function dirtyFilesAsync(root: string): Promise<string[] | null> {
  const run = (args: string[]) =>
    new Promise<{ ok: boolean; out: string }>((resolve) => {
      execFile('git', ['-C', root, ...args], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout) =>
        resolve({ ok: !err, out: String(stdout ?? '') }),
      );
    });
  // Both start now: the answers wait in their pipes until this thread is free to read them.
  const inside = run(['rev-parse', '--is-inside-work-tree']);
  const status = run(['status', '--porcelain', '--untracked-files=all', '--', '.']);
  return Promise.all([inside, status]).then(([i, st]) => {
    if (!i.ok || i.out.trim() !== 'true' || !st.ok) return null;
    return st.out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3));
  });
}
