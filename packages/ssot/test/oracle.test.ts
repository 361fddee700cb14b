import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { audit } from '../src/pipeline/audit.js';
import { cpythonCensus } from './cpython.js';
import { FIXTURES } from './helpers.js';

// Python's own `ast` (CPython 3.13, test/cpython.ts) counts import statements per file; ssot's
// extract stage must agree on every Python fixture (files that Python cannot parse are left out
// on both sides).
test("oracle: import counts on the Python fixtures equal those of Python's ast module", async () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.py')) files.push(relative(FIXTURES, path));
    }
  };
  walk(FIXTURES);
  const census = await cpythonCensus(FIXTURES, files);
  const expected: Record<string, { import: number; from: number; names: number }> = {};
  for (const [file, c] of census) {
    if (c.error) continue;
    const counts = { import: 0, from: 0, names: 0 };
    for (const i of c.imports) {
      counts[i.kind]++;
      counts.names += i.names;
    }
    expected[file] = counts;
  }
  assert.ok(Object.keys(expected).length >= 40, 'the oracle saw the Python fixtures');
  const { records } = await audit({ root: FIXTURES, workers: 0 });
  const actual: typeof expected = {};
  for (const r of records) {
    if (r.language !== 'py' || r.parseError) continue;
    const counts = { import: 0, from: 0, names: 0 };
    const statements = new Set<number>();
    for (const i of r.imports) {
      if (i.kind === 'dynamic') continue;
      if (i.kind === 'import-module') {
        if (!statements.has(i.span.start)) counts.import++;
        statements.add(i.span.start);
        counts.names++;
      } else {
        counts.from++;
        counts.names += i.kind === 'export-all' ? 1 : i.names.length;
      }
    }
    actual[r.file] = counts;
  }
  assert.deepEqual(actual, expected);
});
