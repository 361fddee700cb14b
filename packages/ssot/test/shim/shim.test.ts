import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ImportFragmentationFinding, ShimModuleFinding } from '../../src/analyze/types.js';
import { migrate } from '../../src/migrate/migrate.js';
import { audit } from '../../src/pipeline/audit.js';
import { cleanup, copyDir, REPO_ROOT, ssot, TSC, tree, treeDiff } from '../migrate/helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/moved/', import.meta.url));
after(cleanup);

const copy = () => copyDir(FIXTURE);

function python(dir: string, code: string) {
  return spawnSync('python3', ['-W', 'always::DeprecationWarning', '-c', code], {
    cwd: join(dir, 'py'),
    encoding: 'utf8',
  });
}

test('shim (Python): the moved path works again, warns at the importing line, and hands out the canonical objects', () => {
  const dir = copy();
  assert.notEqual(python(dir, 'import app.api.user').status, 0, 'the moved module is gone');
  const r = ssot(['shim', '--from-config', '--write', '--root', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote py\/app\/legacy\/ws\.py, ts\/src\/legacy\/socket\.ts/);
  assert.ok(existsSync(join(dir, 'py/app/legacy/__init__.py')), 'the package is created');
  const run = python(
    dir,
    'import app.api.user, app.api.other\nfrom app.legacy.ws import WSManager\nfrom app.realtime.core import WebSocketManager\nassert WSManager is WebSocketManager\nprint(type(app.api.other.session).__name__)',
  );
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'WebSocketManager');
  assert.match(
    run.stderr,
    /app\/api\/user\.py:1: DeprecationWarning: app\.legacy\.ws is deprecated; import from app\.realtime\.core instead \(WSManager is now WebSocketManager\)/,
  );
  const compile = spawnSync('python3', ['-m', 'py_compile', 'py/app/legacy/ws.py'], {
    cwd: dir,
    encoding: 'utf8',
  });
  assert.equal(compile.status, 0, compile.stderr);
});

test('shim --lazy (Python): module __getattr__ imports the target on first use and warns there', () => {
  const dir = copy();
  const r = ssot([
    'shim',
    'app.legacy.ws',
    'app.realtime.core',
    '--lazy',
    '--names',
    'WSManager=WebSocketManager,connect',
    '--write',
    '--root',
    dir,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const text = readFileSync(join(dir, 'py/app/legacy/ws.py'), 'utf8');
  assert.match(text, /def __getattr__\(name: str\) -> object:/);
  assert.match(
    text,
    /if TYPE_CHECKING:\n {4}from app\.realtime\.core import WebSocketManager as WSManager, connect/,
  );
  const run = python(
    dir,
    [
      'import sys',
      'import app.legacy.ws as shim',
      'assert "app.realtime.core" not in sys.modules, "lazy"',
      'from app.legacy.ws import WSManager',
      'assert "app.realtime.core" in sys.modules',
      'from app.realtime.core import WebSocketManager',
      'assert WSManager is WebSocketManager',
      'try:\n    shim.Nope\nexcept AttributeError as e:\n    print(e)',
    ].join('\n'),
  );
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /module 'app\.legacy\.ws' has no attribute 'Nope'/);
  assert.match(
    run.stderr,
    /<string>:4: DeprecationWarning: app\.legacy\.ws\.WSManager is deprecated; use `from app\.realtime\.core import WebSocketManager`/,
  );
});

test('shim (TypeScript): @deprecated re-exports compile, keep generic types, and warn once per process', () => {
  const dir = copy();
  const r = ssot(['shim', '--from-config', '--write', '--root', dir]);
  assert.equal(r.code, 0, r.stderr);
  const text = readFileSync(join(dir, 'ts/src/legacy/socket.ts'), 'utf8');
  assert.match(
    text,
    /\/\*\* @deprecated Import `WebSocketManager` from '\.\.\/core\/ws\.js'\. \*\/\nexport const SocketManager = WebSocketManager_;/,
  );
  assert.match(text, /export type SocketManager = WebSocketManager_;/);
  assert.match(
    text,
    /process\?\.emitWarning\('ts\/src\/legacy\/socket\.ts is deprecated; import from \.\.\/core\/ws\.js instead', 'DeprecationWarning', 'SSOT_DEP_TS_SRC_LEGACY_SOCKET'\)/,
  );
  const tsc = spawnSync(TSC, ['-p', join(dir, 'ts/tsconfig.json')], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, tsc.stdout);
  // Two copies of the module (two URLs) still warn once.
  const script = join(dir, 'ts/run.mts');
  const node = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO_ROOT, // where tsx resolves
    encoding: 'utf8',
  });
  assert.equal(node.status, 0, node.stderr);
  const out = JSON.parse(node.stdout.trim().split('\n').pop() as string);
  assert.deepEqual(out, {
    warnings: ['DeprecationWarning SSOT_DEP_TS_SRC_LEGACY_SOCKET'],
    same: true,
  });
});

test('the audit recognises generated shims and counts the traffic through them; migrate then empties them', async () => {
  for (const lazy of [false, true]) {
    const dir = copy();
    const args = ['shim', '--from-config', '--write', '--root', dir, ...(lazy ? ['--lazy'] : [])];
    assert.equal(ssot(args).code, 0);
    const { report } = await audit({ root: dir, workers: 0 });
    const shims = report.findings.filter((f): f is ShimModuleFinding => f.rule === 'shim-module');
    const py = shims.find((s) => s.file === 'py/app/legacy/ws.py');
    const ts = shims.find((s) => s.file === 'ts/src/legacy/socket.ts');
    assert.equal(py?.importers, 2, `python shim (lazy: ${lazy})`);
    assert.deepEqual(py?.reexportsFrom, ['app.realtime.core']);
    assert.equal(ts?.importers, 1);
    const frag = report.findings.filter(
      (f): f is ImportFragmentationFinding => f.rule === 'import-fragmentation',
    );
    const throughShim = frag
      .flatMap((f) => f.paths)
      .filter((p) => p.file === 'py/app/legacy/ws.py');
    assert.equal(
      throughShim.reduce((n, p) => n + p.statements, 0),
      2,
      'traffic through the shim',
    );
    // Migrating the importers leaves the shims without traffic.
    const m = await migrate({ root: dir, write: true });
    assert.deepEqual(m.written.sort(), [
      'py/app/api/other.py',
      'py/app/api/user.py',
      'ts/src/features/use.ts',
    ]);
    const after = await audit({ root: dir, workers: 0 });
    const left = after.report.findings.filter(
      (f): f is ShimModuleFinding => f.rule === 'shim-module',
    );
    assert.ok(
      left.every((s) => s.importers === 0),
      JSON.stringify(left),
    );
  }
});

test('shim: bad input is refused with a clear message and writes nothing; --force replaces and rollback restores', () => {
  const dir = copy();
  const before = tree(dir);
  const cases: [string[], RegExp][] = [
    [
      ['shim', 'app.legacy.ws', 'app.nowhere', '--root', dir],
      /target module "app\.nowhere" does not exist/,
    ],
    [
      ['shim', 'app.legacy.ws', 'app.realtime.core', '--names', 'Nope', '--root', dir],
      /does not define Nope/,
    ],
    [['shim', 'app.legacy.ws', '--root', dir], /expected <from> <to>/],
    [
      ['shim', 'app.legacy.ws', 'app.realtime.core', '--names', 'A=', '--root', dir],
      /--names: expected Old=New/,
    ],
    [['shim', 'socket', 'ts/src/core/ws.ts', '--root', dir], /give the TS shim as a file path/],
    [
      ['shim', 'app.api.user', 'app.realtime.core', '--write', '--root', dir],
      /py\/app\/api\/user\.py exists and is not a generated shim; pass --force/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = ssot(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, message);
  }
  assert.deepEqual(treeDiff(tree(dir), before), []);
  const forced = ssot([
    'shim',
    'app.api.user',
    'app.realtime.core',
    '--write',
    '--force',
    '--root',
    dir,
  ]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(readFileSync(join(dir, 'py/app/api/user.py'), 'utf8'), /Generated by `ssot shim`/);
  const undo = ssot(['rollback', '--root', dir]);
  assert.equal(undo.code, 0, undo.stderr);
  assert.deepEqual(treeDiff(tree(dir), before), []);
});

test('shim --force over a hand-written module keeps its public surface, names from elsewhere included', () => {
  const dir = copyDir(fileURLToPath(new URL('./fixtures/handwritten/', import.meta.url)));
  const run = () =>
    spawnSync('python3', ['app/client.py'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: dir, PYTHONWARNINGS: 'ignore' },
    });
  const before = run();
  assert.equal(before.status, 0, before.stderr);
  const r = ssot([
    'shim',
    'app.legacy.ws',
    'app.realtime.core',
    '--root',
    dir,
    '--write',
    '--force',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /app\/legacy\/ws\.py keeps retry_delay, which the old module imported from app\.util\.retry/,
  );
  assert.match(
    r.stdout,
    /keeps DEFAULT_TIMEOUT, which the old module imported from app\.util\.retry/,
  );
  assert.match(
    r.stdout,
    /drops legacy_only: defined in the old module itself, missing from the target/,
  );
  const shim = readFileSync(join(dir, 'app/legacy/ws.py'), 'utf8');
  assert.match(shim, /^from app\.util\.retry import backoff as retry_delay$/m);
  assert.match(
    shim,
    /__all__ = \["DEFAULT_TIMEOUT", "WebSocketManager", "connect", "retry_delay"\]/,
  );
  // The importer that used four names of the old module still gets the same objects.
  const after = run();
  assert.equal(after.status, 0, after.stderr);
  assert.equal(after.stdout, before.stdout);
});
