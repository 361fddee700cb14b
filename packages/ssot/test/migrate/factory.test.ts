import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { migrate } from '../../src/migrate/migrate.js';
import { cleanup, copyFixture, fixtureTree, ssot, tree, treeDiff } from './helpers.js';

after(cleanup);

// Fixture py-factory: a call-site rule WebSocketManager → get_websocket_manager; one file only
// calls the class, one also subclasses it, annotates with it and checks isinstance.
test('call-site rule: calls become factory calls, other uses keep the class from the target', async () => {
  const dir = copyFixture('py-factory');
  await migrate({ root: dir, write: true, allowDirty: true });
  assert.deepEqual(treeDiff(tree(dir), fixtureTree('py-factory', 'expected')), []);
  const run = spawnSync(
    'python3',
    [
      '-c',
      'import pkg.calls_only as c, pkg.mixed as m; print(c.MANAGER is m.ensure(None) is not None, c.MANAGER.url)',
    ],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, 'False ws://calls\n');
  assert.equal((await migrate({ root: dir })).plan.changes.length, 0);
});

test('call-site rule: a factory that is not callable, or missing, is a clear error and changes nothing', () => {
  const dir = copyFixture('py-factory');
  const config = JSON.parse(readFileSync(join(dir, 'ssot.config.json'), 'utf8'));
  const before = tree(dir);
  for (const [factory, message] of [
    [
      'NOT_A_FACTORY',
      /factory "NOT_A_FACTORY" for WebSocketManager is a variable in "pkg\.websocket_core" \(pkg\/websocket_core\.py\), not callable/,
    ],
    [
      'nowhere',
      /factory "nowhere" for WebSocketManager: target module "pkg\.websocket_core" \(pkg\/websocket_core\.py\) does not define it/,
    ],
  ] as const) {
    config.migrate.rules[0].factories.WebSocketManager = factory;
    writeFileSync(join(dir, 'ssot.config.json'), JSON.stringify(config));
    const r = ssot(['migrate', dir, '--write', '--allow-dirty']);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /^ssot: invalid migration rules:\n {2}migrate\.rules\[0\]: /);
    assert.match(r.stderr, message);
  }
  const changed = treeDiff(tree(dir), before);
  assert.deepEqual(changed, ['ssot.config.json']);
});
