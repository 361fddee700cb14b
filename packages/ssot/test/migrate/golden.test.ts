import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { migrate, rollback } from '../../src/migrate/migrate.js';
import { cleanup, copyFixture, fixtureTree, TSC, tree, treeDiff } from './helpers.js';

after(cleanup);

const FIXTURES = ['py-forms', 'ts-forms', 'ts-workspace'] as const;

for (const name of FIXTURES) {
  test(`migrate ${name}: dry run changes nothing, --write gives the golden tree, a second run is a no-op, rollback is byte-identical`, async () => {
    const dir = copyFixture(name);
    const before = tree(dir);
    const dry = await migrate({ root: dir });
    assert.ok(dry.plan.changes.length > 0);
    assert.deepEqual(treeDiff(tree(dir), before), [], 'a dry run writes nothing');

    const written = await migrate({ root: dir, write: true });
    assert.equal(written.rolledBack, false);
    assert.deepEqual(written.restored, []);
    const expected = fixtureTree(name, 'expected');
    assert.deepEqual(treeDiff(tree(dir), expected), [], 'the tree equals expected/');
    // Only the files with changes were written; every other file kept its bytes.
    const changed = treeDiff(before, expected);
    assert.deepEqual([...written.written].sort(), changed);
    assert.equal(written.run?.files.length, changed.length);

    const again = await migrate({ root: dir, write: true });
    assert.equal(again.plan.changes.length, 0, 'the second run is a no-op');
    assert.equal(again.run, null);

    const undo = rollback(dir);
    assert.deepEqual([...undo.restored].sort(), changed);
    assert.deepEqual(treeDiff(tree(dir), before), [], 'rollback restores every byte');
  });
}

test('migrate py-forms: every touched file compiles with python3 -m py_compile', async () => {
  const dir = copyFixture('py-forms');
  const r = await migrate({ root: dir, write: true });
  assert.ok(r.written.length >= 10);
  const compile = spawnSync('python3', ['-m', 'py_compile', ...r.written], {
    cwd: dir,
    encoding: 'utf8',
  });
  assert.equal(compile.status, 0, compile.stderr);
  // And the migrated modules import and run against the canonical module.
  const run = spawnSync(
    'python3',
    [
      '-c',
      'import app.api.dotted as d, app.api.submodule as s, app.workers.function_level as f, app.legacy.user, app.workers.merge, app.workers.partial; d.start(); s.start(); print(f.work())',
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), '14');
});

for (const name of ['ts-forms', 'ts-workspace']) {
  test(`migrate ${name}: tsc reports no errors before or after`, async () => {
    const dir = copyFixture(name);
    const tsc = () => spawnSync(TSC, ['-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    const before = tsc();
    assert.equal(before.status, 0, before.stdout);
    const r = await migrate({ root: dir, write: true });
    assert.ok(r.written.length >= 1);
    const afterRun = tsc();
    assert.equal(afterRun.status, 0, afterRun.stdout);
  });
}

test('migrate: comments, blank lines and formatting outside the rewritten spans stay byte-identical', async () => {
  for (const name of FIXTURES) {
    const dir = copyFixture(name);
    const r = await migrate({ root: dir });
    for (const c of r.plan.changes) {
      const a = c.before.split('\n');
      const b = c.after.split('\n');
      // Every comment line and blank line of the original is still there, in order.
      const kept = a.filter((l) => /^\s*(#|\/\/|\/\*|\*)/.test(l) || l.trim() === '');
      let j = 0;
      for (const l of b) if (j < kept.length && l === kept[j]) j++;
      assert.equal(j, kept.length, `${name}/${c.file}: comments and blank lines kept`);
      // Lines that carry no import are unchanged, except for renamed references.
      const untouched = a.filter(
        (l) => !/import|require|from ['"]|WSManager|SocketManager|manager\.|legacy/.test(l),
      );
      for (const l of untouched) assert.ok(b.includes(l), `${name}/${c.file}: "${l}" kept`);
    }
  }
});

test('migrate: planning on worker threads gives the same plan as on one thread', async () => {
  for (const name of FIXTURES) {
    const dir = copyFixture(name);
    const one = await migrate({ root: dir, workers: 0 });
    const two = await migrate({ root: dir, workers: 2 });
    assert.deepEqual(two.plan.changes, one.plan.changes);
    assert.deepEqual(two.plan.skipped, one.plan.skipped);
    assert.deepEqual(two.plan.stats, one.plan.stats);
    const limited = await migrate({ root: dir, workers: 2, limit: 3 });
    assert.deepEqual(limited.plan.changes, one.plan.changes.slice(0, 3));
  }
});
