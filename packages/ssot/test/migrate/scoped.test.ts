import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { migrate } from '../../src/migrate/migrate.js';
import { cleanup, copyFixture, ssot, tree, treeDiff } from './helpers.js';

after(cleanup);

// Fixture py-scoped: two concepts, an explicit rule with an id, a private implementation class
// with a public alias behind a shim, and a shim that re-exports a test helper to production code.

const ruleText = (r: { from: string; to: string; names?: Record<string, string> }) =>
  `${r.from} → ${r.to} ${JSON.stringify(r.names ?? {})}`;

test('--concept and --rule run a subset of the rules', async () => {
  const dir = copyFixture('py-scoped');
  const metrics = await migrate({ root: dir, concepts: ['Metrics'] });
  assert.deepEqual(metrics.plan.rules.map(ruleText), [
    'pkg.legacy.metrics → pkg.metrics.core {"Metrics":"Metrics"}',
  ]);
  assert.deepEqual(
    metrics.plan.changes.map((c) => c.after.split('\n').slice(0, 3)),
    [
      [
        'from pkg.legacy.ws import WebSocketManager',
        'from pkg.metrics.core import Metrics',
        'from pkg.legacy.events import emit',
      ],
    ],
  );
  const events = ssot(['migrate', dir, '--rule', 'events', '--format', 'json']);
  assert.equal(events.code, 0, events.stderr);
  assert.deepEqual(
    JSON.parse(events.stdout).rules.map((r: { from: string }) => r.from),
    ['pkg.legacy.events'],
  );
  const both = await migrate({ root: dir, concepts: ['Metrics', 'WebSocketManager'] });
  assert.equal(both.plan.rules.length, 2);
});

test('an unknown concept or rule is a clear error and changes nothing', () => {
  const dir = copyFixture('py-scoped');
  const before = tree(dir);
  const concept = ssot(['migrate', dir, '--write', '--concept', 'Nope']);
  assert.equal(concept.code, 2);
  assert.equal(concept.stderr, 'ssot: unknown concept "Nope" (known: Metrics, WebSocketManager)\n');
  const rule = ssot(['migrate', dir, '--write', '--rule', 'nope']);
  assert.equal(rule.code, 2);
  assert.match(
    rule.stderr,
    /^ssot: unknown rule "nope" \(rules: events, concepts\.WebSocketManager/,
  );
  assert.deepEqual(treeDiff(tree(dir), before), []);
});

test('--from-audit: a public alias over the private class, never production code into tests', async () => {
  const dir = copyFixture('py-scoped');
  const r = await migrate({ root: dir, fromAudit: true, write: true, allowDirty: true });
  const derived = r.plan.rules.filter((x) => x.source.startsWith('audit'));
  assert.deepEqual(derived.map(ruleText), ['pkg.compat → pkg.realtime.impl {"Manager":"Manager"}']);
  assert.ok(
    r.warnings.some((w) =>
      /FakeClock: not derived — pkg\.clock_compat would move to tests\.helpers\.fake .*test code/.test(
        w,
      ),
    ),
    r.warnings.join('\n'),
  );
  assert.equal(
    readFileSync(join(dir, 'pkg/server.py'), 'utf8'),
    'from pkg.realtime.impl import Manager\n\nSERVER = Manager()\n',
  );
  assert.equal(
    readFileSync(join(dir, 'pkg/service.py'), 'utf8'),
    'from pkg.clock_compat import FakeClock\n\nCLOCK = FakeClock()\n',
  );
});

test('--from-audit --concept derives only that concept', async () => {
  const dir = copyFixture('py-scoped');
  const r = await migrate({ root: dir, fromAudit: true, concepts: ['Manager'] });
  assert.deepEqual(r.plan.rules.map(ruleText), [
    'pkg.compat → pkg.realtime.impl {"Manager":"Manager"}',
  ]);
  assert.deepEqual(
    r.plan.changes.map((c) => c.file),
    ['pkg/server.py'],
  );
});
