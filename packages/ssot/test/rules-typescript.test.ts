import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../src/analyze/types.js';
import { auditFixture, read, recordOf } from './helpers.js';

function only<R extends Finding['rule']>(findings: Finding[], rule: R) {
  return findings.filter((f): f is Extract<Finding, { rule: R }> => f.rule === rule);
}

test('ts: tsconfig extends/baseUrl/paths aliases resolve; each spelling is its own path', async () => {
  const result = await auditFixture('ts-path-aliases');
  const targets = ['a', 'b', 'c', 'd', 'e'].map((n) => {
    const m = result.graph.modules.get(`src/app/${n}.ts`);
    return [m?.record.imports[0]?.specifier, m?.resolved[0]?.file];
  });
  assert.deepEqual(targets, [
    ['@core/ws', 'src/core/ws.ts'],
    ['~/core/ws', 'src/core/ws.ts'],
    ['../core/ws.js', 'src/core/ws.ts'],
    ['@core/index', 'src/core/index.ts'],
    ['src/core/ws', 'src/core/ws.ts'],
  ]);
  const frag = only(result.report.findings, 'import-fragmentation');
  assert.deepEqual(
    frag.map((f) => [
      f.symbol,
      f.statements,
      f.canonicalShare,
      f.paths.map((p) => [p.module, p.file, p.canonical]),
    ]),
    [
      [
        'Socket',
        5,
        0.8,
        [
          ['@core/index', 'src/core/index.ts', false],
          ['@core/ws', 'src/core/ws.ts', true],
          ['~/core/ws', 'src/core/ws.ts', true],
          ['src/core/ws', 'src/core/ws.ts', true],
          ['src/core/ws.ts', 'src/core/ws.ts', true],
        ],
      ],
    ],
  );
});

test('ts: barrels, export *, export { X as Y } from, aliases — duplicates, fragmentation, shims', async () => {
  const { report } = await auditFixture('ts-barrels');
  const dup = only(report.findings, 'duplicate-definition');
  assert.deepEqual(
    dup.map((d) => [
      d.symbol,
      d.modules,
      d.implementations,
      d.bindings.map((b) => `${b.file}:${b.line}:${b.kind}`),
    ]),
    [['WebSocketManager', 2, 2, ['src/other/manager.ts:1:class', 'src/ws/manager.ts:1:class']]],
  );
  const frag = only(report.findings, 'import-fragmentation');
  assert.equal(frag.length, 1);
  assert.deepEqual(frag[0]?.definition, {
    file: 'src/ws/manager.ts',
    line: 1,
    name: 'WebSocketManager',
  });
  assert.deepEqual(
    frag[0]?.paths.map((p) => [p.module, p.statements, p.files, p.names]),
    [
      // '../ws' and '../ws/index' reach the same barrel; SocketManager is the renamed re-export.
      ['src/ws/index.ts', 2, 2, ['SocketManager', 'WebSocketManager']],
      ['src/ws/compat.ts', 1, 1, ['WSManager']],
      ['src/ws/manager.ts', 1, 1, ['WebSocketManager']],
    ],
  );
  assert.equal(frag[0]?.canonicalShare, 0.25);
  assert.deepEqual(
    only(report.findings, 'shim-module').map((s) => [
      s.file,
      s.importers,
      s.barrel,
      s.reexportsFrom,
    ]),
    [
      ['src/ws/compat.ts', 1, false, ['src/ws/manager.ts']],
      ['src/ws/legacy.ts', 1, false, ['src/ws/manager.ts']],
      ['src/ws/index.ts', 2, true, ['src/ws/legacy.ts', 'src/ws/manager.ts']],
    ],
  );
});

test('ts: runtime cycles apart from type-only, function-level require and dynamic import()', async () => {
  const result = await auditFixture('ts-cycles');
  assert.deepEqual(
    only(result.report.findings, 'cycle').map((c) => [c.kind, c.modules]),
    [
      ['runtime', ['src/a.ts', 'src/b.ts']],
      ['dynamic', ['src/d1.ts', 'src/d2.ts']],
      ['function-level', ['src/r1.js', 'src/r2.js']],
      ['type-only', ['src/t1.ts', 'src/t2.ts']],
    ],
  );
  const forms = recordOf(result, 'src/forms.ts');
  const text = read('ts-cycles', 'src/forms.ts');
  assert.deepEqual(
    forms.imports.map((i) => [
      i.kind,
      i.specifier,
      i.typeOnly,
      i.names.map((n) => `${n.imported}>${n.local}`),
    ]),
    [
      ['reexport', './t1', true, ['T1>T1']],
      ['reexport', './a', false, ['*>ns']],
      ['require', './b', false, ['*>x']],
    ],
  );
  for (const i of forms.imports) {
    assert.equal(text.slice(i.specifierSpan.start, i.specifierSpan.end), i.specifier);
  }
  const d1 = recordOf(result, 'src/d1.ts').imports[0];
  assert.deepEqual(
    [d1?.kind, d1?.dynamic, d1?.functionLevel, d1?.names.map((n) => n.imported)],
    ['dynamic', true, true, ['d2']],
  );
  const r2 = recordOf(result, 'src/r2.js').imports[0];
  assert.deepEqual([r2?.kind, r2?.functionLevel, r2?.binds], ['require', false, 'r1']);
});

test('ts: workspace packages resolve to their sources through package exports, without node_modules', async () => {
  const result = await auditFixture('ts-workspaces');
  const app = result.graph.modules.get('packages/web/src/app.ts');
  assert.deepEqual(
    app?.resolved.map((r) => [r.module, r.status, r.file]),
    [
      ['@acme/core', 'project', 'packages/core/src/index.ts'],
      ['@acme/core/events', 'project', 'packages/core/src/events.ts'],
      ['react', 'external', null],
      ['node:fs', 'external', null],
    ],
  );
  // A subpath the package's `exports` does not list does not resolve (deep imports are blocked).
  const legacy = result.graph.modules.get('packages/web/src/legacy.ts');
  assert.deepEqual(
    legacy?.resolved.map((r) => [r.module, r.status, r.file]),
    [
      ['packages/core/src/compat.ts', 'project', 'packages/core/src/compat.ts'],
      ['@acme/core/src/events.js', 'unresolved', null],
    ],
  );
  // The package entry and the defining module are canonical; the shim reached by a relative path is not.
  const frag = only(result.report.findings, 'import-fragmentation');
  assert.deepEqual(
    frag.map((f) => [
      f.symbol,
      f.canonicalShare,
      f.paths.map((p) => [p.module, p.names, p.canonical]),
    ]),
    [
      [
        'Bus',
        0.6667,
        [
          ['@acme/core', ['Bus'], true],
          ['@acme/core/events', ['Bus as EventBus'], true],
          ['packages/core/src/compat.ts', ['EventBus'], false],
        ],
      ],
    ],
  );
});

test('ts: deprecated module paths from the config, exact and prefix patterns, per file', async () => {
  const { report } = await auditFixture('ts-path-aliases', {
    deprecated: [
      { module: '@core/index', replacement: '@core/ws', reason: 'barrel removed' },
      { module: '~/*', replacement: '@core/*' },
    ],
  });
  const dep = report.findings.filter((f) => f.rule === 'deprecated-import');
  assert.deepEqual(
    dep.map((f) =>
      f.rule === 'deprecated-import'
        ? [f.file, f.imports.map((u) => [u.line, u.module, u.replacement, u.reason])]
        : null,
    ),
    [
      ['src/app/b.ts', [[1, '~/core/ws', '@core/*', null]]],
      ['src/app/d.ts', [[1, '@core/index', '@core/ws', 'barrel removed']]],
    ],
  );
});
