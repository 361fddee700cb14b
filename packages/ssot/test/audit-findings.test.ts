import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import type {
  CycleFinding,
  DuplicateDefinitionFinding,
  Finding,
  ImportFragmentationFinding,
  ShimModuleFinding,
} from '../src/analyze/types.js';
import { rulesFromAudit } from '../src/migrate/rules.js';
import { audit } from '../src/pipeline/audit.js';
import { auditFixture, fixture, PACKAGE_ROOT } from './helpers.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'ssot.js');

function ssot(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function only<R extends Finding['rule']>(findings: Finding[], rule: R) {
  return findings.filter((f): f is Extract<Finding, { rule: R }> => f.rule === rule);
}

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ssot-audit-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

// One fixture mini-repo per shape of shim: each does something besides re-exporting.
const SHAPES: [string, RegExp | null][] = [
  ['shim-fallback', /^falls back to None when the import fails \(WebSocketManager, line 4\)$/],
  ['shim-logger', /^logs at import \(logger\.info, line 6\)$/],
  ['shim-helper', /^defines and calls _check_env\(\) at import \(line 11\)$/],
  ['shim-dunder-all', null],
  ['shim-type-checking', null],
];

for (const [name, runs] of SHAPES) {
  test(`shim-module: ${name} is a shim by what it binds, and migrate --from-audit moves its importers`, async () => {
    const { report } = await auditFixture(name);
    const shims = only(report.findings, 'shim-module');
    assert.equal(shims.length, 1, JSON.stringify(shims));
    const shim = shims[0] as ShimModuleFinding;
    assert.equal(shim.module, 'app.shim');
    assert.equal(shim.importers, 1);
    assert.deepEqual(shim.reexports, [
      { name: 'WebSocketManager', imported: 'WebSocketManager', from: 'app.core' },
    ]);
    assert.deepEqual(shim.own, []);
    if (runs) {
      assert.equal(shim.alsoRuns.length, 1, shim.alsoRuns.join('; '));
      assert.match(shim.alsoRuns[0] as string, runs);
      assert.match(shim.message, /; also /);
    } else assert.deepEqual(shim.alsoRuns, []);
    assert.deepEqual(
      rulesFromAudit(report).map((r) => [r.from, r.to, r.names]),
      [['app.shim', 'app.core', { WebSocketManager: 'WebSocketManager' }]],
    );
  });
}

test('shim-module: a module that uses what it imports and defines its own names is no shim', async () => {
  const dir = tree({
    'app/__init__.py': '',
    'app/core.py': 'class A:\n    pass\n',
    'app/service.py':
      'from app.core import A\n\n\ndef make():\n    return A()\n\n\ndef other():\n    return 1\n',
    'app/user.py': 'from app.service import A, make\n',
  });
  try {
    const { report } = await audit({ root: dir, workers: 0 });
    assert.deepEqual(only(report.findings, 'shim-module'), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ranking: a name with 3 implementations and 100 importers ranks far above 50 main functions, which are notes', async () => {
  const files: Record<string, string> = { 'app/__init__.py': '', 'scripts/__init__.py': '' };
  for (const k of [0, 1, 2]) files[`app/transport_${k}.py`] = `class Transport:\n    kind = ${k}\n`;
  for (let i = 0; i < 100; i++)
    files[`app/use_${i}.py`] = `from app.transport_${i % 3} import Transport\n`;
  for (let i = 0; i < 50; i++) files[`scripts/job_${i}.py`] = 'def main():\n    return 0\n';
  files['scripts/all.py'] = 'from scripts.job_0 import main\n';
  const dir = tree(files);
  try {
    const { report } = await audit({ root: dir, workers: 0 });
    const dups = only(report.findings, 'duplicate-definition');
    const transport = dups.find((d) => d.symbol === 'Transport') as DuplicateDefinitionFinding;
    const main = dups.find((d) => d.symbol === 'main') as DuplicateDefinitionFinding;
    assert.equal(transport.severity, 'error');
    assert.equal(transport.implementations, 3);
    assert.equal(transport.importers, 100);
    assert.equal(main.severity, 'note');
    assert.equal(main.convention?.kind, 'entry-point');
    assert.match(
      main.convention?.reason ?? '',
      /bound in 50 modules \(each its own\), imported from 1 of them/,
    );
    assert.ok(report.findings.indexOf(transport) < report.findings.indexOf(main));
    assert.ok(transport.score > 10 * main.score, `${transport.score} vs ${main.score}`);
    // The text report opens with the concept and what to do about it.
    const text = ssot('audit', dir, '--scope', 'all').stdout;
    assert.match(
      text.split('\n').slice(3, 6).join('\n'),
      /Most fragmented concepts:\n {2}Transport: .*choose one of the 3 implementations/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('import-fragmentation: one finding per configured concept, with its members, counts per path and per name, and a share below 100 %', async () => {
  const { report } = await auditFixture('py-concept');
  const frag = only(report.findings, 'import-fragmentation');
  assert.equal(frag.length, 1);
  const f = frag[0] as ImportFragmentationFinding;
  assert.equal(f.symbol, 'WebSocketManager');
  assert.equal(f.concept, 'WebSocketManager');
  assert.deepEqual(f.canonical, { module: 'app.realtime.manager', source: 'config' });
  assert.deepEqual(
    f.definitions.map((d) => d.name),
    ['_WebSocketManagerImpl', 'CompatWebSocketManager'],
  );
  assert.deepEqual(f.names, [
    { name: 'WebSocketManager', statements: 4, files: 4 },
    { name: 'WSManager', statements: 2, files: 2 },
    { name: 'CompatWebSocketManager', statements: 1, files: 1 },
    { name: 'SocketManager', statements: 1, files: 1 },
  ]);
  assert.deepEqual(
    f.paths.map((p) => [
      p.module,
      p.statements,
      p.files,
      p.canonical,
      p.byName.map((n) => `${n.name} ${n.statements}`),
    ]),
    [
      ['app.realtime.manager', 3, 3, true, ['WebSocketManager 2', 'WSManager 1']],
      [
        'app.ws.compat',
        3,
        2,
        false,
        ['CompatWebSocketManager 1', 'SocketManager 1', 'WebSocketManager 1'],
      ],
      ['app.websocket.manager', 2, 2, false, ['WebSocketManager 1', 'WSManager 1']],
    ],
  );
  assert.equal(f.canonicalShare, 0.375);
  assert.match(f.message, /37\.5 % use the canonical app\.realtime\.manager/);
  // 999 of 1,000 on the canonical path is 99.9 %, never 100 %.
  const { percent, share } = await import('../src/analyze/concepts.js');
  assert.equal(percent(999, 1000), '99.9 %');
  assert.equal(percent(9997, 10000), '99.9 %');
  assert.ok(share(9997, 10000) < 1);
});

test('cycle: the component lists its members by package and the fewest import edges to cut', async () => {
  const dir = tree({
    'app/__init__.py': '',
    'app/core/__init__.py': '',
    'app/svc/__init__.py': '',
    'app/core/ws.py': 'from app.svc.a import x\nfrom app.svc.b import y\n',
    'app/svc/a.py': 'from app.svc.b import y\nx = 1\n',
    'app/svc/b.py': 'from app.core.ws import z\ny = 2\n',
    'app/svc/c.py': 'from app.core.ws import z\nfrom app.svc.a import x\n',
    'app/core/util.py': 'from app.svc.c import q\n',
  });
  writeFileSync(
    join(dir, 'app/core/ws.py'),
    'from app.svc.a import x\nfrom app.svc.b import y\nfrom app.core.util import u\nz = 0\n',
  );
  try {
    const { report } = await audit({ root: dir, workers: 0 });
    const cycles = only(report.findings, 'cycle').filter((c) => c.kind === 'runtime');
    assert.equal(cycles.length, 1);
    const c = cycles[0] as CycleFinding;
    assert.equal(c.componentSize, 5);
    assert.deepEqual(c.members, [
      { package: 'app.svc', modules: ['app.svc.a', 'app.svc.b', 'app.svc.c'] },
      { package: 'app.core', modules: ['app.core.util', 'app.core.ws'] },
    ]);
    // Every cycle passes through app.core.ws's two imports back in: b → ws and c → ws.
    assert.deepEqual(
      c.cut.map((e) => `${e.file}:${e.line} ${e.from} → ${e.to}`),
      ['app/svc/b.py:1 app.svc.b → app.core.ws', 'app/svc/c.py:1 app.svc.c → app.core.ws'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--concept: the report focused on one concept (golden)', () => {
  const r = ssot('audit', fixture('py-concept'), '--concept', 'WebSocketManager');
  assert.equal(r.code, 0, r.stderr);
  const text = r.stdout
    .replace(/^ssot audit .*$/m, 'ssot audit <root>')
    .replace(/ in \d+(\.\d+)? m?s/, ' in <time>');
  const golden = join(PACKAGE_ROOT, 'test', 'golden', 'concept-WebSocketManager.txt');
  if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
  assert.equal(text, readFileSync(golden, 'utf8'));
});

test('bad input: an unknown --concept, bad --scope/--min-severity/--max-findings, binary and huge files get clear messages', () => {
  const unknown = ssot('audit', fixture('py-concept'), '--concept', 'NoSuchThing');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown concept "NoSuchThing".*\(try: WebSocketManager/);
  const scope = ssot('audit', fixture('py-concept'), '--scope', 'prod');
  assert.equal(scope.code, 2);
  assert.match(scope.stderr, /unknown scope \(or all\) "prod"/);
  assert.match(
    ssot('audit', fixture('py-concept'), '--min-severity', 'fatal').stderr,
    /unknown severity "fatal"/,
  );
  assert.match(
    ssot('audit', fixture('py-concept'), '--max-findings', 'many').stderr,
    /--max-findings takes a whole number ≥ 0/,
  );
  const dir = tree({
    'app/__init__.py': '',
    'app/ok.py': 'import os\n',
    'app/blob.py': 'x = 1\n\0\0\0\n',
    'app/huge.py': `DATA = [\n${'    (1, 2, 3),\n'.repeat(80_000)}]\n`,
    'app/latin1.py': Buffer.from([0x78, 0x20, 0x3d, 0x20, 0x22, 0xe9, 0x22, 0x0a]).toString(
      'latin1',
    ),
  });
  try {
    const r = ssot('audit', dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /Skipped:\n {4}app\/blob\.py {2}binary \(contains NUL bytes\)\n {4}app\/huge\.py {2}larger than 1048576 bytes \(1200011\)/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--max-findings and --min-severity keep the text report short', () => {
  const all = ssot('audit', fixture('py-concept'));
  const short = ssot('audit', fixture('py-concept'), '--max-findings', '2');
  const errors = ssot('audit', fixture('py-concept'), '--min-severity', 'error');
  assert.ok(short.stdout.length < all.stdout.length);
  assert.match(short.stdout, /… 7 more findings \(--max-findings\)/);
  assert.equal((errors.stdout.match(/^WARNING /gm) ?? []).length, 0);
  assert.match(errors.stdout, /^ERROR cycle/m);
  assert.match(errors.stdout, /8 findings below --min-severity not shown/);
});

test('--format json of the new findings (and of --concept) matches the JSON Schema', async () => {
  const { Ajv } = await import('ajv');
  const schema = JSON.parse(
    readFileSync(join(PACKAGE_ROOT, 'schema', 'audit-report.schema.json'), 'utf8'),
  ) as object;
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  for (const extra of [[], ['--concept', 'WebSocketManager']]) {
    const r = ssot('audit', fixture('py-concept'), '--format', 'json', ...extra);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.ok(validate(report as unknown), JSON.stringify(validate.errors));
    assert.ok(report.findings.some((f: { rule: string }) => f.rule === 'shim-module'));
  }
});
