import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditFixture, read, recordOf } from './helpers.js';

test('python: every import form, with flags, levels and exact spans', async () => {
  const result = await auditFixture('py-import-forms');
  const file = 'pkg/sub/deep/forms.py';
  const text = read('py-import-forms', file);
  const rec = recordOf(result, file);
  assert.equal(rec.parseError, null);
  const rows = rec.imports.map((i) => ({
    kind: i.kind,
    specifier: i.specifier,
    level: i.level,
    line: i.line,
    names: i.names.map((n) =>
      n.imported === n.local ? n.imported : `${n.imported} as ${n.local}`,
    ),
    binds: i.binds,
    functionLevel: i.functionLevel,
    dynamic: i.dynamic,
  }));
  const f = { functionLevel: false, dynamic: false };
  assert.deepEqual(rows, [
    { kind: 'import-module', specifier: 'os', level: 0, line: 2, names: [], binds: 'os', ...f },
    {
      kind: 'import-module',
      specifier: 'pkg.models',
      level: 0,
      line: 3,
      names: [],
      binds: 'pkg',
      ...f,
    },
    {
      kind: 'import-module',
      specifier: 'pkg.other.util',
      level: 0,
      line: 4,
      names: ['* as u'],
      binds: 'u',
      ...f,
    },
    { kind: 'import-module', specifier: 'json', level: 0, line: 4, names: [], binds: 'json', ...f },
    {
      kind: 'import',
      specifier: 'pkg.models',
      level: 0,
      line: 5,
      names: ['User as Member'],
      binds: null,
      ...f,
    },
    {
      kind: 'import',
      specifier: 'pkg.models',
      level: 0,
      line: 6,
      names: ['User', 'Team as Squad'],
      binds: null,
      ...f,
    },
    { kind: 'import', specifier: '.', level: 1, line: 10, names: ['sibling'], binds: null, ...f },
    { kind: 'import', specifier: '..', level: 2, line: 11, names: ['helpers'], binds: null, ...f },
    {
      kind: 'import',
      specifier: '...other',
      level: 3,
      line: 12,
      names: ['util'],
      binds: null,
      ...f,
    },
    {
      kind: 'export-all',
      specifier: '...models',
      level: 3,
      line: 13,
      names: [],
      binds: null,
      ...f,
    },
    {
      kind: 'import',
      specifier: '.sibling',
      level: 1,
      line: 14,
      names: ['VALUE'],
      binds: null,
      ...f,
    },
    {
      kind: 'import',
      specifier: 'pkg.other.util',
      level: 0,
      line: 18,
      names: ['helper'],
      binds: null,
      functionLevel: true,
      dynamic: false,
    },
    {
      kind: 'import-module',
      specifier: 'importlib',
      level: 0,
      line: 24,
      names: [],
      binds: 'importlib',
      functionLevel: true,
      dynamic: false,
    },
    {
      kind: 'dynamic',
      specifier: 'pkg.other.util',
      level: 0,
      line: 26,
      names: [],
      binds: null,
      functionLevel: true,
      dynamic: true,
    },
  ]);
  // Spans: the specifier, every imported name and alias, and the statement, exactly.
  for (const i of rec.imports) {
    assert.equal(text.slice(i.specifierSpan.start, i.specifierSpan.end), i.specifier);
    for (const n of i.names) {
      if (n.importedSpan)
        assert.equal(text.slice(n.importedSpan.start, n.importedSpan.end), n.imported);
      if (n.localSpan) assert.equal(text.slice(n.localSpan.start, n.localSpan.end), n.local);
    }
  }
  const multi = rec.imports[5];
  assert.equal(
    text.slice(multi?.span.start, multi?.span.end),
    'from pkg.models import (\n    User,\n    Team as Squad,\n)',
  );
  // Resolution: absolute, every relative level, submodules.
  const resolved = result.graph.modules
    .get(file)
    ?.resolved.map((r) => [r.module, r.file, r.status]);
  assert.deepEqual(resolved, [
    ['os', null, 'external'],
    ['pkg.models', 'pkg/models.py', 'project'],
    ['pkg.other.util', 'pkg/other/util.py', 'project'],
    ['json', null, 'external'],
    ['pkg.models', 'pkg/models.py', 'project'],
    ['pkg.models', 'pkg/models.py', 'project'],
    ['pkg.sub.deep', 'pkg/sub/deep/__init__.py', 'project'],
    ['pkg.sub', 'pkg/sub/__init__.py', 'project'],
    ['pkg.other', 'pkg/other/__init__.py', 'project'],
    ['pkg.models', 'pkg/models.py', 'project'],
    ['pkg.sub.deep.sibling', 'pkg/sub/deep/sibling.py', 'project'],
    ['pkg.other.util', 'pkg/other/util.py', 'project'],
    ['importlib', null, 'external'],
    ['pkg.other.util', 'pkg/other/util.py', 'project'],
  ]);
  const subs = result.graph.modules.get(file)?.resolved.map((r) => r.submodules ?? null);
  assert.deepEqual(subs?.[6], ['pkg/sub/deep/sibling.py']);
  assert.deepEqual(subs?.[7], ['pkg/sub/helpers.py']);
  assert.deepEqual(subs?.[8], ['pkg/other/util.py']);
});
