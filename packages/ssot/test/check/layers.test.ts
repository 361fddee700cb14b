import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { check } from '../../src/check/check.js';
import { loadConfig } from '../../src/config/config.js';
import { REPO_ROOT } from '../helpers.js';
import { cleanup, copyDir, ssot } from '../migrate/helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/layers/', import.meta.url));
after(cleanup);

test('check: forbidden imports fail the gate with file:line, every import kind, except honoured', async () => {
  const r = await check({ root: FIXTURE });
  assert.equal(r.pass, false);
  assert.deepEqual(
    r.violations.filter((v) => v.kind === 'forbidden-import').map((v) => v.message),
    [
      'forbidden import: py/app/low/models.py:5 imports py/app/high/views.py (low layers never import high ones)',
      'forbidden import: src/low/store.ts:1 imports src/high/ui.ts (low layers never import high ones)',
      'forbidden import: src/low/store.ts:5 imports src/high/ui.ts (low layers never import high ones)',
    ],
  );
  assert.equal(r.metrics.forbiddenImports, 3);
  const cli = ssot(['check', FIXTURE]);
  assert.equal(cli.code, 1);
  assert.match(cli.stdout, /✗ forbidden import: src\/low\/store\.ts:1 imports src\/high\/ui\.ts/);
});

test('check: a first --update-baseline does not accept forbidden imports', async () => {
  const dir = copyDir(FIXTURE);
  const r = await check({ root: dir, updateBaseline: true });
  assert.equal(r.baseline.existed, false);
  assert.ok(r.baseline.written);
  assert.equal(r.pass, false);
  assert.equal(r.violations.filter((v) => v.kind === 'forbidden-import').length, 3);
});

// The ssot package's own layering, kept by this repository's ssot.config.json: nothing imports
// cli/ (but the package entry), check/ and shim/ never import migrate/, workspace/ is below
// migrate/, rewrite/, check/ and shim/, rewrite/ never reaches the planner or the gate.
test('dogfood: the ssot package keeps its layers (ssot check, check.forbiddenImports)', async () => {
  const rules = loadConfig(REPO_ROOT).config.check?.forbiddenImports ?? [];
  const reasons = rules.map((x) => x.reason).join('\n');
  assert.match(reasons, /cli\/ is the top layer/);
  assert.match(reasons, /check\/ and shim\/ build on workspace\/, never on migrate\//);
  assert.match(reasons, /workspace\/ is the shared layer/);
  const r = await check({ root: REPO_ROOT });
  assert.deepEqual(
    r.violations.filter((v) => v.kind === 'forbidden-import').map((v) => v.message),
    [],
  );
});
