import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { audit } from '../src/pipeline/audit.js';
import { FIXTURES } from './helpers.js';

// Python's own `ast` counts import statements per file; ssot's extract stage must agree on every
// Python fixture (files that Python cannot parse are left out on both sides).
const ORACLE = `
import ast, json, os, sys
root = sys.argv[1]
out = {}
for dirpath, dirnames, filenames in os.walk(root):
    dirnames.sort()
    for name in sorted(filenames):
        if not name.endswith('.py'):
            continue
        path = os.path.join(dirpath, name)
        try:
            tree = ast.parse(open(path, 'rb').read())
        except (SyntaxError, ValueError):
            continue
        counts = {'import': 0, 'from': 0, 'names': 0}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                counts['import'] += 1
                counts['names'] += len(node.names)
            elif isinstance(node, ast.ImportFrom) and node.module != '__future__':
                counts['from'] += 1
                counts['names'] += len(node.names)
        out[os.path.relpath(path, root).replace(os.sep, '/')] = counts
print(json.dumps(out))
`;

test("oracle: import counts on the Python fixtures equal those of Python's ast module", async () => {
  const py = spawnSync('python3', ['-c', ORACLE, FIXTURES], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const expected = JSON.parse(py.stdout) as Record<
    string,
    { import: number; from: number; names: number }
  >;
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
