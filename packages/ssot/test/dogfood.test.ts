import assert from 'node:assert/strict';
import { test } from 'node:test';
import { audit, failures } from '../src/pipeline/audit.js';

import { REPO_ROOT } from './helpers.js';

// Dogfooding: this repository has no duplicate definition and no runtime import cycle that its
// ssot.config.json does not justify (the same gate as `ssot audit --fail-on
// duplicate-definition,cycle:runtime`).
test('dogfood: ssot audit of this repository finds no unjustified duplicate or runtime cycle', async () => {
  const { report } = await audit({ root: REPO_ROOT });
  assert.equal(report.parseErrors.length, 0, JSON.stringify(report.parseErrors));
  const bad = report.findings.filter(
    (f) =>
      f.justified === undefined &&
      (f.rule === 'duplicate-definition' || (f.rule === 'cycle' && f.kind === 'runtime')),
  );
  assert.deepEqual(
    bad.map((f) => f.message),
    [],
    'justify these in ssot.config.json (allow) or remove the duplication',
  );
  assert.equal(failures(report, ['duplicate-definition', 'cycle:runtime']), 0);
});
