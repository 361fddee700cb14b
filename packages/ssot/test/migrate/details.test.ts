import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cleanup, copyFixture, git, gitInit, ssot } from './helpers.js';

after(cleanup);

// Fixture py-details: what a migration at scale must get right besides the rewrite itself.

test('a merged import never binds later than before, and a statement with a comment keeps it', () => {
  const dir = copyFixture('py-details');
  assert.equal(ssot(['migrate', dir, '--write', '--allow-dirty']).code, 0);
  // Not merged into the later `from app.realtime.core import connect`: rewritten where it was.
  assert.equal(
    readFileSync(join(dir, 'app/merge_later.py'), 'utf8'),
    'from app.realtime.core import WebSocketManager\nimport os\nfrom app.realtime.core import connect\n\nMANAGER = WebSocketManager()\nconnect(os.sep)\n',
  );
  // Not merged into the earlier import either: its comment lines stay with it.
  assert.equal(
    readFileSync(join(dir, 'app/commented.py'), 'utf8'),
    'from app.realtime.core import connect\n# the manager every handler shares\nfrom app.realtime.core import WebSocketManager  # noqa: F401\n\nconnect(WebSocketManager)\n',
  );
});

test('unparsable files are counted, only those naming a deprecated module listed; repeated notes once', () => {
  const dir = copyFixture('py-details');
  const r = ssot(['migrate', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /skipped 1 file:\n {4}app\/broken_related\.py: does not parse/);
  assert.doesNotMatch(r.stdout, /broken_unrelated/);
  assert.match(
    r.stdout,
    /skipped 1 file that does not parse and mentions no deprecated module \(not listed\)/,
  );
  assert.match(
    r.stdout,
    /left as is: 4 statements\n {4}dynamic import: the names used are unknown \(4×: app\/dyn1\.py:3, app\/dyn1\.py:4, app\/dyn2\.py:3, app\/dyn2\.py:4\)\n/,
  );
  const json = JSON.parse(ssot(['migrate', dir, '--format', 'json']).stdout);
  assert.equal(json.stats.unparsable, 1);
});

test('the run record never dirties the work tree; rollback restores modes as well as bytes', () => {
  const dir = copyFixture('py-details');
  chmodSync(join(dir, 'app/tool.py'), 0o775);
  chmodSync(join(dir, 'app/shared.py'), 0o664);
  gitInit(dir);
  const mode = (f: string) => statSync(join(dir, f)).mode & 0o777;
  const w = ssot(['migrate', dir, '--write']);
  assert.equal(w.code, 0, w.stderr);
  const status = git(dir, 'status', '--porcelain', '--untracked-files=all');
  assert.doesNotMatch(status, /\.ssot/);
  assert.match(status, / M app\/tool\.py/);
  assert.equal(mode('app/tool.py'), 0o775);
  const back = ssot(['rollback', '--root', dir]);
  assert.equal(back.code, 0, back.stderr);
  assert.equal(mode('app/tool.py'), 0o775);
  assert.equal(mode('app/shared.py'), 0o664);
  // Back to the commit, and the record left behind is not a change.
  assert.equal(git(dir, 'status', '--porcelain', '--untracked-files=all'), '');
  // Its presence alone does not block the next --write.
  const again = ssot(['migrate', dir, '--write']);
  assert.equal(again.code, 0, again.stderr);
});

test('--atomic keeps each file mode', () => {
  const dir = copyFixture('py-details');
  chmodSync(join(dir, 'app/tool.py'), 0o775);
  chmodSync(join(dir, 'app/shared.py'), 0o664);
  assert.equal(ssot(['migrate', dir, '--write', '--atomic']).code, 0);
  assert.equal(statSync(join(dir, 'app/tool.py')).mode & 0o777, 0o775);
  assert.equal(statSync(join(dir, 'app/shared.py')).mode & 0o777, 0o664);
});
