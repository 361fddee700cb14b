#!/usr/bin/env node
// Runs every package's tests in one `node --test` run, so there is one summary and one exit code.
// Test files: packages/*/test/**/*.test.ts and, for what spans the packages (packaging, the
// README and docs/ followed as written), test/**/*.test.ts (TypeScript, loaded through tsx).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const files = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const testDir = join(root, 'packages', pkg, 'test');
  try {
    if (statSync(testDir).isDirectory()) collect(testDir, files);
  } catch {}
}
collect(join(root, 'test'), files);
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
if (selected.length === 0) {
  console.error(`no test files matched ${only.join(' ') || 'packages/*/test/**/*.test.ts'}`);
  process.exit(1);
}
selected.sort();
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    // A test that leaves a server open must not hang CI; a stuck test fails after 3 minutes.
    '--test-force-exit',
    '--test-timeout=180000',
    ...selected,
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'test' },
  },
);
process.exit(result.status ?? 1);
