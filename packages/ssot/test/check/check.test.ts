import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { cleanup, copyDir, git, gitInit, ssot } from '../migrate/helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/py-gate/', import.meta.url));
after(cleanup);

const copy = () => copyDir(FIXTURE);

const baseline = (dir: string) => JSON.parse(readFileSync(join(dir, 'ssot-baseline.json'), 'utf8'));

test('check: thresholds as a share or a count, exit 1 on violation and 0 on pass', () => {
  const dir = copy();
  // No baseline: the cycle and the duplicate are new.
  const first = ssot(['check', dir]);
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stdout, /✗ new runtime import cycle: app\.cyc1 → app\.cyc2 → app\.cyc1/);
  assert.match(first.stdout, /✗ new duplicate definition: Widget is bound in 2 modules/);
  assert.match(first.stdout, /deprecated imports: 2 \(40\.0% of 5\), max 60%/);
  // The first baseline accepts what is there.
  const created = ssot(['check', dir, '--update-baseline']);
  assert.equal(created.code, 0, created.stdout);
  assert.deepEqual(baseline(dir), {
    version: 2,
    deprecated: 2,
    cycles: ['py runtime: app.cyc1 → app.cyc2'],
    duplicates: {
      'py duplicate-definition Widget': { modules: 2, files: ['app/dup1.py', 'app/dup2.py'] },
    },
  });
  assert.equal(ssot(['check', dir]).code, 0);
  const share = ssot(['check', dir, '--max-deprecated', '10%']);
  assert.equal(share.code, 1);
  assert.match(
    share.stdout,
    /2 deprecated import statements \(40\.0% of 5 imports of configured modules\) exceed --max-deprecated 10%/,
  );
  assert.match(share.stdout, /app\/a\.py:1 {2}app\.legacy → app\.core/);
  assert.equal(ssot(['check', dir, '--max-deprecated', '2']).code, 0);
  assert.equal(ssot(['check', dir, '--max-deprecated', '1']).code, 1);
});

test('check: the baseline only ratchets down; new cycles and duplicates fail', () => {
  const dir = copy();
  assert.equal(ssot(['check', dir, '--update-baseline']).code, 0);
  // One more deprecated import: worse than the baseline.
  writeFileSync(join(dir, 'app/e.py'), 'from app.legacy import connect\n\nconnect()\n');
  const worse = ssot(['check', dir]);
  assert.equal(worse.code, 1);
  assert.match(worse.stdout, /deprecated import statements rose from 2 \(baseline\) to 3/);
  // --update-baseline never raises a count.
  assert.equal(ssot(['check', dir, '--update-baseline']).code, 1);
  assert.equal(baseline(dir).deprecated, 2);
  // Fixing two lowers it.
  writeFileSync(join(dir, 'app/a.py'), 'from app.core import Manager\n\nManager()\n');
  writeFileSync(join(dir, 'app/b.py'), 'from app.core import Manager\n\nManager()\n');
  assert.equal(ssot(['check', dir, '--update-baseline']).code, 0);
  assert.equal(baseline(dir).deprecated, 1);
  // A new cycle and a new duplicate.
  writeFileSync(join(dir, 'app/c.py'), 'import app.d\nfrom app.core import Manager\n\nManager()\n');
  writeFileSync(join(dir, 'app/d.py'), 'import app.c\nfrom app.core import connect\n\nconnect()\n');
  writeFileSync(join(dir, 'app/dup3.py'), 'class Widget:\n    size = 3\n');
  writeFileSync(join(dir, 'app/w3.py'), 'from app.dup3 import Widget\n\nWidget()\n');
  const bad = ssot(['check', dir, '--update-baseline']);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /✗ new runtime import cycle: app\.c → app\.d → app\.c/);
  assert.match(
    bad.stdout,
    /✗ duplicate definition grew: Widget is bound in 3 modules \(baseline 2\); new: app\/dup3\.py/,
  );
  assert.deepEqual(baseline(dir).cycles, ['py runtime: app.cyc1 → app.cyc2']);
  assert.deepEqual(baseline(dir).duplicates, {
    'py duplicate-definition Widget': {
      modules: 2,
      files: ['app/dup1.py', 'app/dup2.py'],
    },
  });
});

test('check --changed-since judges only the files a change touched', () => {
  const dir = copy();
  gitInit(dir);
  // Old debt (2 deprecated imports, a cycle, a duplicate) is outside the change.
  writeFileSync(join(dir, 'app/clean.py'), 'from app.core import connect\n\nconnect()\n');
  const clean = ssot(['check', dir, '--changed-since', 'HEAD', '--max-deprecated', '0']);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /judged: 1 changed files/);
  writeFileSync(join(dir, 'app/new.py'), 'from app.legacy import connect\n\nconnect()\n');
  const dirty = ssot(['check', dir, '--changed-since', 'HEAD', '--max-deprecated', '0']);
  assert.equal(dirty.code, 1);
  assert.match(dirty.stdout, /1 deprecated import statements in the 2 files changed since HEAD/);
  assert.match(dirty.stdout, /app\/new\.py:1/);
  assert.doesNotMatch(dirty.stdout, /app\/a\.py/);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'more');
  assert.equal(ssot(['check', dir, '--changed-since', 'HEAD', '--max-deprecated', '0']).code, 0);
  assert.equal(ssot(['check', dir, '--changed-since', 'HEAD~1', '--max-deprecated', '0']).code, 1);
});

test('check: sarif, markdown and json carry the violations', () => {
  const dir = copy();
  const sarif = ssot(['check', dir, '--format', 'sarif', '--max-deprecated', '10%']);
  assert.equal(sarif.code, 1);
  const log = JSON.parse(sarif.stdout);
  assert.equal(log.version, '2.1.0');
  const rules = log.runs[0].results.map((r: { ruleId: string }) => r.ruleId).sort();
  assert.deepEqual(rules, [
    'cycle',
    'deprecated-import',
    'deprecated-import',
    'duplicate-definition',
  ]);
  const loc = log.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'deprecated-import')
    .locations[0];
  assert.match(loc.physicalLocation.artifactLocation.uri, /^app\/[ab]\.py$/);
  const validate = new Ajv({ strict: false }).compile({
    type: 'object',
    required: ['pass', 'metrics', 'violations', 'findings'],
  });
  const json = JSON.parse(ssot(['check', dir, '--format', 'json']).stdout);
  assert.ok(validate(json));
  assert.equal(json.pass, false);
  assert.equal(json.metrics.deprecated, 2);
  const md = ssot(['check', dir, '--format', 'markdown']);
  assert.equal(md.code, 1);
  assert.match(md.stdout, /Widget/);
});

test('check: usage and configuration errors exit 2 with a clear message', () => {
  const dir = copy();
  const cases: [string[], RegExp][] = [
    [
      ['check', dir, '--max-deprecated', 'lots'],
      /--max-deprecated: expected a count ≥ 0 or a share such as 10%/,
    ],
    [['check', dir, '--max-deprecated', '120%'], /at most 100%/],
    [['check', join(dir, 'nope')], /root directory not found/],
    [['check', dir, '--format', 'xml'], /unknown format "xml"/],
    [['check', dir, '--changed-since', 'HEAD'], /--changed-since HEAD: .*not in a git work tree/],
  ];
  for (const [args, message] of cases) {
    const r = ssot(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message);
  }
  writeFileSync(join(dir, 'ssot-baseline.json'), '{ "version": 1 ');
  const badBaseline = ssot(['check', dir]);
  assert.equal(badBaseline.code, 2);
  assert.match(badBaseline.stderr, /invalid baseline .*not valid JSON/);
  writeFileSync(join(dir, 'ssot.config.json'), '{ "check": { "maxDeprecated": "ten" } }');
  const badConfig = ssot(['check', dir]);
  assert.equal(badConfig.code, 2);
  assert.match(badConfig.stderr, /\/check\/maxDeprecated/);
  const repo = copy();
  gitInit(repo);
  const badRev = ssot(['check', repo, '--changed-since', 'no-such-rev']);
  assert.equal(badRev.code, 2);
  assert.match(badRev.stderr, /--changed-since no-such-rev/);
});

const MIXED = fileURLToPath(new URL('./fixtures/mixed-names/', import.meta.url));

test('check: a Python and a TypeScript definition of one name are two baseline entries', () => {
  const dir = copyDir(MIXED);
  // 3 Python modules and 2 TS modules bind PerformanceMetrics.
  assert.equal(ssot(['check', dir, '--update-baseline']).code, 0);
  assert.deepEqual(Object.keys(baseline(dir).duplicates), [
    'py duplicate-definition PerformanceMetrics',
    'ts duplicate-definition PerformanceMetrics',
  ]);
  // Right after --update-baseline, the unchanged tree passes (a bare-name key made it fail).
  const again = ssot(['check', dir]);
  assert.equal(again.code, 0, again.stdout);
  assert.equal(ssot(['check', dir, '--update-baseline']).code, 0);
  assert.equal(ssot(['check', dir]).code, 0);
  // A third TS definition is growth of the TS entry only.
  writeFileSync(join(dir, 'web/src/z.ts'), 'export class PerformanceMetrics {}\n');
  writeFileSync(
    join(dir, 'web/src/use2.ts'),
    "import { PerformanceMetrics } from './z.js';\n\nexport const z = PerformanceMetrics;\n",
  );
  const grew = ssot(['check', dir]);
  assert.equal(grew.code, 1);
  assert.match(
    grew.stdout,
    /✗ duplicate definition grew: PerformanceMetrics is bound in 3 modules \(baseline 2\); new: web\/src\/z\.ts/,
  );
});

test('check: a version 1 baseline (bare names) is still read, and upgraded on update', () => {
  const dir = copyDir(MIXED);
  writeFileSync(
    join(dir, 'ssot-baseline.json'),
    JSON.stringify({
      version: 1,
      deprecated: 0,
      cycles: [],
      duplicates: { PerformanceMetrics: 3 },
    }),
  );
  assert.equal(ssot(['check', dir]).code, 0);
  assert.equal(ssot(['check', dir, '--update-baseline']).code, 0);
  assert.equal(baseline(dir).version, 2);
  assert.deepEqual(
    Object.values(baseline(dir).duplicates).map((d) => (d as { modules: number }).modules),
    [3, 2],
  );
});
