import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { fixture, PACKAGE_ROOT } from './helpers.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'ssot.js');

function ssot(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function schema(name: string): object {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schema', name), 'utf8')) as object;
}

test('cli: --format json matches the JSON Schema and carries the required fields', () => {
  const r = ssot('audit', fixture('py-reexports'), '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const validate = new Ajv({ strict: false, allErrors: true }).compile(
    schema('audit-report.schema.json'),
  );
  // Passed as an expression so the schema's `unknown` guard does not narrow `report`.
  assert.ok(validate(report as unknown), JSON.stringify(validate.errors));
  assert.equal(report.stats.files, 15);
  assert.equal(report.stats.parseErrors, 0);
  assert.equal(typeof report.stats.ms, 'number');
  const rules = report.findings.map((f: { rule: string }) => f.rule).sort();
  assert.deepEqual(rules, [
    'duplicate-definition',
    'import-fragmentation',
    'shim-module',
    'shim-module',
    'shim-module',
  ]);
});

test('cli: text report lists the worst offenders first, with file:line', () => {
  const r = ssot('audit', fixture('py-reexports'));
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const first = lines.findIndex((l) => /^(ERROR|WARNING|NOTE) /.test(l));
  assert.match(
    lines[first] ?? '',
    /^ERROR duplicate-definition: WebSocketManager is bound in 3 modules, 2 distinct implementations/,
  );
  assert.match(
    lines[first + 1] ?? '',
    /app\/legacy\/compat\.py:1 {2}alias → app\/ws\/manager\.py:1 WebSocketManager/,
  );
});

test('cli: sarif 2.1.0 and markdown', () => {
  const s = ssot('audit', fixture('ts-cycles'), '--format', 'sarif');
  assert.equal(s.code, 0, s.stderr);
  const sarif = JSON.parse(s.stdout);
  assert.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0];
  assert.equal(run.tool.driver.name, 'ssot');
  assert.deepEqual(
    run.tool.driver.rules.map((r: { id: string }) => r.id),
    ['duplicate-definition', 'import-fragmentation', 'shim-module', 'cycle', 'deprecated-import'],
  );
  const cycle = run.results.find(
    (x: { ruleId: string; level: string }) => x.ruleId === 'cycle' && x.level === 'error',
  );
  assert.deepEqual(cycle.locations[0].physicalLocation, {
    artifactLocation: { uri: 'src/a.ts', uriBaseId: '%SRCROOT%' },
    region: { startLine: 1 },
  });
  for (const res of run.results) assert.equal(run.tool.driver.rules[res.ruleIndex].id, res.ruleId);
  const md = ssot('audit', fixture('ts-cycles'), '--format', 'markdown');
  assert.equal(md.code, 0);
  assert.match(md.stdout, /^# ssot audit/);
  assert.match(
    md.stdout,
    /\| error \| runtime import cycle: src\/a\.ts → src\/b\.ts → src\/a\.ts \| `src\/a\.ts:1` \|/,
  );
});

test('cli: --fail-on exits 1 on unjustified findings only', () => {
  assert.equal(ssot('audit', fixture('ts-cycles'), '--fail-on', 'cycle:runtime', '-q').code, 1);
  assert.equal(
    ssot('audit', fixture('ts-path-aliases'), '--fail-on', 'cycle,duplicate-definition').code,
    0,
  );
  const dir = mkdtempSync(join(tmpdir(), 'ssot-cli-'));
  const config = join(dir, 'ssot.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      allow: [{ rule: 'cycle', modules: ['src/a.ts', 'src/b.ts'], reason: 'being split' }],
    }),
  );
  const r = ssot('audit', fixture('ts-cycles'), '--config', config, '--fail-on', 'cycle:runtime');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /JUSTIFIED cycle: runtime import cycle/);
});

test('cli: bad input is a clear one-line error with exit code 2, never a stack trace', () => {
  const missing = ssot('audit', '/nonexistent/dir');
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'ssot: root directory not found: /nonexistent/dir\n');
  const dir = mkdtempSync(join(tmpdir(), 'ssot-cli-'));
  mkdirSync(join(dir, 'root'));
  writeFileSync(
    join(dir, 'root', 'ssot.config.json'),
    '{ "concepts": { "X": { "canonical": {} } }, "bogus": 1 }',
  );
  const invalid = ssot('audit', join(dir, 'root'));
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /invalid config .*ssot\.config\.json/);
  assert.match(invalid.stderr, /unknown property "bogus"/);
  assert.match(invalid.stderr, /\/concepts\/X\/canonical: must have required property 'module'/);
  assert.doesNotMatch(invalid.stderr, /\n\s+at /);
  writeFileSync(join(dir, 'root', 'ssot.config.json'), '{ nope');
  assert.match(ssot('audit', join(dir, 'root')).stderr, /not valid JSON/);
  assert.equal(ssot('audit', '.', '--format', 'xml').code, 2);
  assert.equal(ssot('frobnicate').code, 2);
});

test('cli: huge files are skipped with a note; worker threads give the same report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ssot-big-'));
  mkdirSync(join(dir, 'pkg'));
  writeFileSync(join(dir, 'pkg', '__init__.py'), '');
  for (let i = 0; i < 200; i++) {
    writeFileSync(
      join(dir, 'pkg', `m${i}.py`),
      `from pkg.m${(i + 1) % 200} import f${(i + 1) % 200}\n\n\ndef f${i}():\n    return ${i}\n`,
    );
  }
  writeFileSync(join(dir, 'pkg', 'huge.py'), `X = 1\n${'# padding\n'.repeat(120_000)}`);
  const one = JSON.parse(ssot('audit', dir, '--format', 'json', '--workers', '0').stdout);
  const two = JSON.parse(ssot('audit', dir, '--format', 'json', '--workers', '2').stdout);
  assert.deepEqual(one.skipped, [
    { file: 'pkg/huge.py', reason: 'larger than 1048576 bytes (1200006)' },
  ]);
  assert.equal(one.stats.files, 201);
  assert.deepEqual(two.findings, one.findings);
  const cycle = one.findings.find((f: { rule: string }) => f.rule === 'cycle');
  assert.equal(cycle.kind, 'runtime');
  assert.equal(cycle.componentSize, 200);
});

test('cli: every command answers --help/-h with its usage and --version/-v with the version', () => {
  const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8'));
  const commands = ['audit', 'migrate', 'rollback', 'check', 'shim'];
  for (const command of commands) {
    // The short and the long form take the same path; each command gets one of them.
    for (const flag of [command === 'migrate' ? '-h' : '--help']) {
      const r = ssot(command, flag);
      assert.equal(r.code, 0, `${command} ${flag}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`ssot ${command}\\b`), `${command} ${flag}`);
      assert.match(r.stdout, /-h, --help/, `${command} ${flag} lists --help`);
      assert.match(r.stdout, /--version/, `${command} ${flag} lists --version`);
    }
    for (const flag of [command === 'check' ? '--version' : '-v']) {
      const r = ssot(command, flag);
      assert.equal(r.code, 0, `${command} ${flag}: ${r.stderr}`);
      assert.equal(r.stdout, `${version}\n`, `${command} ${flag}`);
    }
  }
  // Help comes before validation: a bad flag next to --help still prints the help.
  assert.equal(ssot('migrate', '--bogus', '--help').code, 0);
  assert.equal(ssot('migrate', '--bogus').code, 2);
});
