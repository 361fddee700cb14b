import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cleanup, copyFixture, gitInit, ssot, tree, treeDiff } from './helpers.js';

after(cleanup);

// Fixture py-batches: tests/, app/ and core/ each import the deprecated module; the batches run
// tests first (verify passes), app next (verify fails), core last.
test('--batches runs in order, stops at the failing batch and rolls back that batch only', () => {
  const dir = copyFixture('py-batches');
  gitInit(dir);
  const r = ssot(['migrate', dir, '--batches', '--write']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stdout,
    /ssot migrate --batches: landed: tests; rolled back \(verify failed\): app; not run: core\n$/,
  );
  const first = (f: string) => readFileSync(join(dir, f), 'utf8').split('\n')[0];
  assert.equal(first('tests/use.py'), 'from pkg.realtime import connect');
  assert.equal(first('app/use.py'), 'from pkg.legacy.ws import connect');
  assert.equal(first('core/use.py'), 'from pkg.legacy.ws import connect');
  const dry = JSON.parse(ssot(['migrate', dir, '--batches', '--format', 'json']).stdout);
  assert.deepEqual(
    dry.batches.map((b: { name: string; status: string }) => `${b.name} ${b.status}`),
    ['tests planned', 'app planned', 'core planned'],
  );
});

test('--batches: a glob that matches nothing is a clear error and changes nothing', () => {
  const dir = copyFixture('py-batches');
  const config = JSON.parse(readFileSync(join(dir, 'ssot.config.json'), 'utf8'));
  config.migrate.batches[2].include = ['cor/**'];
  writeFileSync(join(dir, 'ssot.config.json'), JSON.stringify(config));
  const before = tree(dir);
  const r = ssot(['migrate', dir, '--batches', '--write', '--allow-dirty']);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    'ssot: --batches: globs that match no file: core: "cor/**"; nothing changed\n',
  );
  assert.deepEqual(treeDiff(tree(dir), before), []);
});
