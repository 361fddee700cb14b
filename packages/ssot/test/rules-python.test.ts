import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../src/analyze/types.js';
import { SymbolResolver } from '../src/graph/symbols.js';
import { auditFixture, recordOf } from './helpers.js';

function only<R extends Finding['rule']>(findings: Finding[], rule: R) {
  return findings.filter((f): f is Extract<Finding, { rule: R }> => f.rule === rule);
}

test('python: __init__ re-exports, alias chains, shims — duplicates and fragmentation', async () => {
  const { report } = await auditFixture('py-reexports');
  const dups = only(report.findings, 'duplicate-definition');
  assert.equal(dups.length, 1);
  assert.deepEqual(
    {
      symbol: dups[0]?.symbol,
      modules: dups[0]?.modules,
      implementations: dups[0]?.implementations,
    },
    { symbol: 'WebSocketManager', modules: 3, implementations: 2 },
  );
  const impl = { file: 'app/ws/manager.py', line: 1, name: 'WebSocketManager' };
  assert.deepEqual(dups[0]?.bindings, [
    // compat.py → SocketManager → WSManager → _Impl → app.ws.manager.WebSocketManager
    { file: 'app/legacy/compat.py', line: 1, kind: 'alias', resolvesTo: impl },
    { file: 'app/ws/manager.py', line: 1, kind: 'class', resolvesTo: impl },
    {
      file: 'app/chat/manager.py',
      line: 1,
      kind: 'class',
      resolvesTo: { file: 'app/chat/manager.py', line: 1, name: 'WebSocketManager' },
    },
  ]);
  const frag = only(report.findings, 'import-fragmentation');
  assert.equal(frag.length, 1);
  assert.deepEqual(frag[0]?.definition, impl);
  assert.deepEqual(
    frag[0]?.paths.map((p) => [p.module, p.statements, p.files, p.canonical]),
    [
      ['app.ws', 2, 2, false],
      ['app.legacy.compat', 1, 1, false],
      ['app.legacy.socket', 1, 1, false],
      ['app.ws.manager', 1, 1, true],
    ],
  );
  assert.equal(frag[0]?.canonicalShare, 0.2);
  assert.deepEqual(frag[0]?.paths[2]?.names, ['WSManager']);
  const shims = only(report.findings, 'shim-module');
  assert.deepEqual(
    shims.map((s) => [s.module, s.file, s.importers, s.barrel]),
    [
      ['app.legacy.socket', 'app/legacy/socket.py', 2, false],
      ['app.legacy.compat', 'app/legacy/compat.py', 1, false],
      ['app.ws', 'app/ws/__init__.py', 2, true],
    ],
  );
  assert.equal(only(report.findings, 'cycle').length, 0);
});

test('python: the config canonical registry sets the canonical path and deprecated imports', async () => {
  const { report } = await auditFixture('py-reexports', {
    concepts: {
      WebSocketManager: {
        canonical: { module: 'app.ws' },
        deprecatedModules: ['app.legacy.*'],
        deprecatedNames: ['WSManager', 'SocketManager'],
      },
    },
    allow: [
      { rule: 'duplicate-definition', symbol: 'WebSocketManager', reason: 'chat is being merged' },
    ],
  });
  const frag = only(report.findings, 'import-fragmentation')[0];
  assert.deepEqual(frag?.canonical, { module: 'app.ws', source: 'config' });
  assert.equal(frag?.canonicalShare, 0.4);
  const dep = only(report.findings, 'deprecated-import');
  assert.deepEqual(
    dep.map((d) => [d.file, d.imports.map((u) => [u.line, u.module, u.name, u.replacement])]),
    [
      [
        'app/api/d.py',
        [
          [1, 'app.legacy.socket', null, 'app.ws'],
          [1, 'app.legacy.socket', 'WSManager', 'WebSocketManager from app.ws'],
        ],
      ],
      [
        'app/legacy/compat.py',
        [
          [1, 'app.legacy.socket', null, 'app.ws'],
          [1, 'app.legacy.socket', 'SocketManager', 'WebSocketManager from app.ws'],
        ],
      ],
      ['app/api/e.py', [[1, 'app.legacy.compat', null, 'app.ws']]],
    ],
  );
  const dup = only(report.findings, 'duplicate-definition')[0];
  assert.equal(dup?.justified, 'chat is being merged');
  assert.deepEqual(report.summary['duplicate-definition'], { findings: 1, justified: 1 });
});

test('python: cycles — runtime apart from TYPE_CHECKING, function-level and dynamic', async () => {
  const result = await auditFixture('py-cycles');
  const cycles = only(result.report.findings, 'cycle');
  assert.deepEqual(
    cycles.map((c) => [c.kind, c.modules, c.edges.map((e) => `${e.file}:${e.line}`)]),
    [
      ['runtime', ['cyc.a', 'cyc.b'], ['cyc/a.py:1', 'cyc/b.py:1']],
      ['dynamic', ['cyc.g', 'cyc.h'], ['cyc/g.py:5', 'cyc/h.py:1']],
      ['function-level', ['cyc.e', 'cyc.f'], ['cyc/e.py:2', 'cyc/f.py:1']],
      ['type-checking', ['cyc.c', 'cyc.d'], ['cyc/c.py:4', 'cyc/d.py:1']],
    ],
  );
  const c = recordOf(result, 'cyc/c.py').imports.find((i) => i.specifier === 'cyc.d');
  assert.equal(c?.typeChecking, true);
  // try/except ImportError: flagged, and the name resolves to the first binding (the try body).
  const opt = recordOf(result, 'cyc/opt.py');
  assert.deepEqual(
    opt.imports.map((i) => [i.specifier, i.inTryImportError]),
    [['cyc.fast', true]],
  );
  const symbols = new SymbolResolver(result.graph);
  assert.deepEqual(symbols.resolveExport('cyc/use.py', 'speedup'), {
    file: 'cyc/fast.py',
    line: 1,
    name: 'speedup',
    kind: 'function',
  });
});

test('python: namespace packages, src layout and several roots resolve without configuration', async () => {
  const result = await auditFixture('py-namespace');
  const names = [...result.graph.modules.values()].map((m) => [m.file, m.name]).sort();
  assert.deepEqual(names, [
    ['scripts/helpers.py', 'helpers'],
    ['scripts/tool.py', 'tool'],
    ['services/api/app/__init__.py', 'app'],
    ['services/api/app/config.py', 'app.config'],
    ['services/api/app/main.py', 'app.main'],
    ['services/api/app/routes.py', 'app.routes'],
    ['services/worker/app/__init__.py', 'app'],
    ['services/worker/app/config.py', 'app.config'],
    ['services/worker/app/jobs.py', 'app.jobs'],
    ['services/worker/app/main.py', 'app.main'],
    ['src/acme/core/__init__.py', 'acme.core'],
    ['src/acme/core/models.py', 'acme.core.models'],
    ['src/acme/plugins/extra.py', 'acme.plugins.extra'],
  ]);
  const resolved = (file: string) =>
    result.graph.modules
      .get(file)
      ?.resolved.map((r) => [r.module, r.status, r.file, r.submodules ?? null]);
  assert.deepEqual(resolved('services/api/app/main.py'), [
    ['app.config', 'project', 'services/api/app/config.py', [null]],
    ['app.routes', 'project', 'services/api/app/routes.py', [null]],
    ['acme.core.models', 'project', 'src/acme/core/models.py', [null]],
  ]);
  assert.deepEqual(resolved('services/worker/app/main.py'), [
    ['app.config', 'project', 'services/worker/app/config.py', [null]],
    ['app.jobs', 'project', 'services/worker/app/jobs.py', [null]],
  ]);
  assert.deepEqual(resolved('scripts/tool.py'), [
    ['helpers', 'project', 'scripts/helpers.py', null],
    ['acme.plugins', 'namespace', null, ['src/acme/plugins/extra.py']],
  ]);
  const frag = only(result.report.findings, 'import-fragmentation');
  assert.deepEqual(
    frag.map((f) => [f.symbol, f.paths.map((p) => [p.module, p.statements])]),
    [
      [
        'Thing',
        [
          ['acme.core', 1],
          ['acme.core.models', 1],
        ],
      ],
    ],
  );
});

test('python: a file with syntax errors is counted, listed and skipped; binary files are skipped', async () => {
  const { report, records } = await auditFixture('py-syntax-error');
  assert.equal(report.stats.files, 2);
  assert.equal(report.stats.parseErrors, 1);
  assert.deepEqual(report.parseErrors, [
    { file: 'bad.py', line: 4, column: 11, message: "'(' was never closed" },
  ]);
  assert.deepEqual(report.skipped, [{ file: 'binary.py', reason: 'binary (contains NUL bytes)' }]);
  const good = records.find((r) => r.file === 'good.py');
  assert.equal(good?.imports.length, 1);
  assert.deepEqual(report.findings, []);
});
