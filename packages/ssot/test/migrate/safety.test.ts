import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { migrate, rollback } from '../../src/migrate/migrate.js';
import { listRuns } from '../../src/workspace/journal.js';
import { cleanup, copyFixture, fixtureTree, gitInit, ssot, tree, treeDiff } from './helpers.js';

after(cleanup);

test('a rewrite that would not parse leaves the file as it was and says so; files that do not parse are never touched', async () => {
  const dir = copyFixture('py-unparsable');
  const before = tree(dir);
  const r = await migrate({ root: dir, write: true });
  assert.deepEqual(r.written, []);
  assert.deepEqual(treeDiff(tree(dir), before), []);
  const reasons = Object.fromEntries(r.plan.skipped.map((s) => [s.file, s.reason]));
  assert.match(reasons['app/user.py'] ?? '', /would not parse/);
  assert.match(reasons['app/broken.py'] ?? '', /does not parse \(line 4/);
  const cli = ssot(['migrate', dir]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /app\/user\.py: the rewritten file would not parse; left unchanged/);
  assert.match(cli.stdout, /app\/broken\.py: does not parse/);
});

test('--verify that fails rolls the whole run back (exit 1); one that passes keeps it', () => {
  const dir = copyFixture('py-forms');
  const before = tree(dir);
  const failed = ssot(['migrate', dir, '--write', '--verify', 'python3 -c "raise SystemExit(3)"']);
  assert.equal(failed.code, 1, failed.stderr);
  assert.match(
    failed.stdout,
    /verify: `python3 -c "raise SystemExit\(3\)"` exited 3; every file of the run was restored/,
  );
  assert.deepEqual(treeDiff(tree(dir), before), []);
  const runs = listRuns(dir);
  assert.equal(runs.length, 1);
  assert.equal(runs[0]?.status, 'rolled-back');
  assert.match(runs[0]?.rolledBack?.reason ?? '', /verify failed/);

  const passed = ssot(['migrate', dir, '--write', '--verify', 'python3 -m compileall -q app']);
  assert.equal(passed.code, 0, passed.stderr);
  assert.match(passed.stdout, /verify: `python3 -m compileall -q app` passed/);
  assert.deepEqual(treeDiff(tree(dir), fixtureTree('py-forms', 'expected')), []);
});

test('rollback refuses when a file changed since the run, and --force restores anyway', async () => {
  const dir = copyFixture('ts-forms');
  const before = tree(dir);
  const r = await migrate({ root: dir, write: true });
  const id = r.run?.id as string;
  const edited = join(dir, 'src/features/named.ts');
  writeFileSync(edited, `${readFileSync(edited, 'utf8')}// edited after the run\n`);
  const refused = ssot(['rollback', id, '--root', dir]);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /refused — 1 file changed since run .*\n {2}src\/features\/named\.ts\nnothing was restored/,
  );
  assert.deepEqual(treeDiff(tree(dir), fixtureTree('ts-forms', 'expected')), [
    'src/features/named.ts',
  ]);
  const forced = ssot(['rollback', id, '--root', dir, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual(treeDiff(tree(dir), before), []);
  assert.throws(() => rollback(dir, id), /already rolled back/);
});

test('--write overwrites each file in place (same inode) and --atomic replaces it by rename; same bytes and mode, both undone byte for byte', async () => {
  for (const method of ['in-place', 'atomic'] as const) {
    const dir = copyFixture('ts-forms');
    const before = tree(dir);
    const file = join(dir, 'src/features/named.ts');
    chmodSync(file, 0o640);
    const inode = statSync(file).ino;
    const r = await migrate({ root: dir, write: true, writeMethod: method });
    assert.ok(r.written.includes('src/features/named.ts'), method);
    assert.deepEqual(treeDiff(tree(dir), fixtureTree('ts-forms', 'expected')), [], method);
    const after = statSync(file);
    assert.equal(after.mode & 0o777, 0o640, `${method} keeps the mode`);
    if (method === 'in-place') assert.equal(after.ino, inode, 'in place: the same inode');
    else assert.notEqual(after.ino, inode, 'atomic: a new inode renamed over the file');
    const run = listRuns(dir)[0];
    assert.equal(run?.status, 'applied', method);
    rollback(dir, run?.id);
    assert.deepEqual(treeDiff(tree(dir), before), [], `${method}: rollback restores every byte`);
  }
  const refused = ssot(['migrate', copyFixture('ts-forms'), '--atomic']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--atomic needs --write/);
});

test('bad input gets a clear message, exit 2, and changes nothing', () => {
  const dir = copyFixture('py-forms');
  const before = tree(dir);
  const cases: [string[], RegExp, (() => void)?][] = [
    [['migrate', dir, '--config', join(dir, 'nope.json')], /config file not found/],
    [['migrate', join(dir, 'missing-root')], /root directory not found/],
    [['migrate', dir, '--limit', '0'], /--limit takes a whole number/],
    [['migrate', dir, '--verify', 'true'], /--verify needs --write/],
  ];
  for (const [args, message] of cases) {
    const r = ssot(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const config = join(dir, 'ssot.config.json');
  const original = readFileSync(config, 'utf8');
  const configs: [string, RegExp][] = [
    ['{ "migrate": ', /not valid JSON/],
    [
      '{ "migrate": { "rules": [{ "from": "app.legacy.manager" }] } }',
      /\/migrate\/rules\/0: must have required property 'to'/,
    ],
    [
      '{ "migrate": { "rules": [{ "from": "app.legacy.manager", "to": "app.nowhere" }] } }',
      /target module "app\.nowhere" does not exist/,
    ],
    [
      '{ "migrate": { "rules": [{ "from": "app.legacy.manager", "to": "app.realtime.core", "names": { "X": "Nope" } }] } }',
      /does not define Nope/,
    ],
    ['{}', /no migration rules/],
  ];
  for (const [text, message] of configs) {
    writeFileSync(config, text);
    const r = ssot(['migrate', dir, '--write']);
    assert.equal(r.code, 2, `${text}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message);
  }
  writeFileSync(config, original);
  assert.deepEqual(treeDiff(tree(dir), before), []);
  assert.equal(listRuns(dir).length, 0);
});

test('--write on a dirty git work tree refuses without --allow-dirty, and warns with it', () => {
  const dir = copyFixture('py-forms');
  gitInit(dir);
  const scratch = join(dir, 'app/workers/untouched.py');
  writeFileSync(scratch, `${readFileSync(scratch, 'utf8')}# local edit\n`);
  const dirty = tree(dir);
  const refused = ssot(['migrate', dir, '--write']);
  assert.equal(refused.code, 2);
  assert.match(
    refused.stderr,
    /uncommitted changes \(app\/workers\/untouched\.py\); commit or stash them first, or pass --allow-dirty/,
  );
  assert.deepEqual(treeDiff(tree(dir), dirty), []);
  const allowed = ssot(['migrate', dir, '--write', '--allow-dirty']);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /warning: writing over a dirty work tree/);
  // The run record under .ssot/ does not make the next run's tree dirty by itself.
  const clean = copyFixture('ts-forms');
  gitInit(clean);
  assert.equal(ssot(['migrate', clean, '--write', '--limit', '1']).code, 0);
  const second = ssot(['migrate', clean, '--write', '--allow-dirty']);
  assert.equal(second.code, 0, second.stderr);
});

test('--include, --exclude and --limit migrate in batches until nothing is left', async () => {
  const dir = copyFixture('py-forms');
  const onlyApi = await migrate({ root: dir, include: ['app/api/**'] });
  assert.ok(onlyApi.plan.changes.length > 0);
  assert.ok(onlyApi.plan.changes.every((c) => c.file.startsWith('app/api/')));
  const noApi = await migrate({ root: dir, exclude: ['app/api/**'] });
  assert.ok(noApi.plan.changes.every((c) => !c.file.startsWith('app/api/')));
  assert.equal(onlyApi.plan.changes.length + noApi.plan.changes.length, 13);

  const first = await migrate({ root: dir, write: true, include: ['app/workers/**'] });
  assert.ok(first.written.every((f) => f.startsWith('app/workers/')));
  let batches = 1;
  for (let i = 0; i < 10; i++) {
    const r = await migrate({ root: dir, write: true, limit: 4 });
    if (r.written.length === 0) break;
    assert.ok(r.written.length <= 4);
    batches++;
  }
  assert.ok(batches >= 3);
  assert.deepEqual(treeDiff(tree(dir), fixtureTree('py-forms', 'expected')), []);
});

test('unsafe renames skip the file with the reason', async () => {
  const dir = copyFixture('py-forms');
  const r = await migrate({ root: dir });
  const shadowed = r.plan.skipped.find((s) => s.file === 'app/workers/shadowed.py');
  assert.match(
    shadowed?.reason ?? '',
    /renaming WSManager → WebSocketManager is unsafe: WSManager is also bound at line 4/,
  );
});

test('--from-audit derives rules from shims: each shim path moves to the defining module', async () => {
  const dir = copyFixture('../../fixtures/py-reexports', '.');
  const r = await migrate({ root: dir, fromAudit: true, write: true });
  assert.deepEqual(r.written.sort(), ['app/api/d.py', 'app/api/e.py']);
  assert.equal(
    readFileSync(join(dir, 'app/api/d.py'), 'utf8'),
    'from app.ws.manager import WebSocketManager\n',
  );
  assert.equal(
    readFileSync(join(dir, 'app/api/e.py'), 'utf8'),
    'from app.ws.manager import WebSocketManager\n',
  );
  // The same rules again: a no-op.
  const same = await migrate({ root: dir, config: {}, rules: r.plan.rules });
  assert.equal(same.plan.changes.length, 0);
  // A new audit sees the shim chain shortened (app/legacy/compat.py lost its importer and now
  // counts as a user of app.legacy.socket): re-deriving converges in one more run.
  const second = await migrate({ root: dir, fromAudit: true, write: true });
  assert.deepEqual(second.written, ['app/legacy/compat.py']);
  const third = await migrate({ root: dir, fromAudit: true });
  assert.equal(third.plan.changes.length, 0);
});

test('CRLF files get CRLF in the lines migrate adds; a BOM stays', async () => {
  const dir = copyFixture('py-forms');
  const partial = join(dir, 'app/workers/partial.py');
  writeFileSync(partial, readFileSync(partial, 'utf8').replace(/\n/g, '\r\n'));
  const bom = join(dir, 'app/workers/function_level.py');
  writeFileSync(bom, `\ufeff${readFileSync(bom, 'utf8')}`);
  await migrate({ root: dir, write: true });
  assert.equal(
    readFileSync(partial, 'utf8'),
    'from app.legacy.manager import helper\r\nfrom app.realtime.core import connect\r\n\r\nhelper()\r\nconnect("ws://partial")\r\n',
  );
  assert.equal(
    readFileSync(bom, 'utf8'),
    '\ufeffdef work() -> int:\n    from app.realtime.core import broadcast\n\n    return broadcast("function level")\n',
  );
});
