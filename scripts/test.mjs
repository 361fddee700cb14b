#!/usr/bin/env node
// Runs every package's tests in one `node --test` run, then the Python SDK's tests
// (`python3 -m unittest` in python/tests, against a real gateway process); the exit code fails
// when either fails. Test files: packages/*/test/**/*.test.ts and, for what spans the packages
// (packaging, the README and docs/ followed as written), test/**/*.test.ts (TypeScript, loaded
// through tsx), and python/tests/test_*.py. Arguments select by path: `node scripts/test.mjs
// python` runs only the Python tests.
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
const pythonTests = 'python/tests';
const runPython = only.length === 0 || only.some((o) => o.includes('python') || o.endsWith('.py'));
if (selected.length === 0 && !runPython) {
  console.error(`no test files matched ${only.join(' ') || 'packages/*/test/**/*.test.ts'}`);
  process.exit(1);
}
selected.sort();
const nodeStatus = selected.length === 0 ? 0 : runNode();
const pythonStatus = runPython ? runPythonTests() : 0;
process.exit(nodeStatus || pythonStatus);

function runPythonTests() {
  console.log('\n# python/tests: python3 -m unittest (the Python SDK against a real gateway)');
  const python = spawnSync(
    'python3',
    ['-W', 'error::ResourceWarning', '-m', 'unittest', 'discover', '-s', '.', '-t', '.', '-v'],
    {
      cwd: join(root, pythonTests),
      stdio: 'inherit',
      // The tests start the gateway with this same node binary.
      env: { ...process.env, NODE_ENV: 'test', AGENTWIRE_NODE: process.execPath },
      timeout: 10 * 60_000,
    },
  );
  if (python.error) console.error(`python3 could not be started: ${python.error.message}`);
  return python.status ?? 1;
}

function runNode() {
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
  return result.status ?? 1;
}
