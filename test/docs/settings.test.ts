// docs/deploy.md's settings table against the config loader: every setting the loader reads has
// exactly one row with its environment variable and flag (or "env/file only" for secrets), no row
// names a setting that does not exist, and `--help` lists every flag.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig, SETTINGS, USAGE } from '../../packages/gateway/src/config/load.js';
import { readDoc } from '../helpers/markdown.js';

interface Row {
  key: string;
  env: string;
  flag: string | undefined;
  /** The default when the cell is one literal (optionally with a note in parentheses). */
  literalDefault: string | undefined;
}

function tableRows(): Row[] {
  const doc = readDoc('docs/deploy.md');
  const start = doc.indexOf('<!-- settings:start -->');
  const end = doc.indexOf('<!-- settings:end -->');
  assert.ok(start >= 0 && end > start, 'docs/deploy.md: settings table markers');
  const lines = doc
    .slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('| `'));
  return lines.map((line) => {
    const cells = line.split(' | ').map((cell) => cell.replace(/^\| ?| ?\|$/g, '').trim());
    const [key, env, flag] = cells.map((cell) => cell.match(/`([^`]+)`/)?.[1]);
    assert.ok(key && env, `a row names its setting and variable: ${line}`);
    if (cells[2] !== 'env/file only') assert.ok(flag, `flag or "env/file only": ${line}`);
    const literalDefault = cells[3]?.match(/^`([^`]+)`(?: \([^)]*\))?$/)?.[1];
    return { key, env, flag: cells[2] === 'env/file only' ? undefined : flag, literalDefault };
  });
}

test('every setting of the config loader has one row in docs/deploy.md, with its variable and flag', () => {
  const rows = tableRows();
  const documented = new Map(rows.map((row) => [row.key, row]));
  assert.equal(documented.size, rows.length, 'no setting documented twice');
  for (const [key, spec] of Object.entries(SETTINGS)) {
    const row = documented.get(key);
    assert.ok(row, `docs/deploy.md has no row for the setting "${key}" (${spec.env})`);
    assert.equal(row.env, spec.env, `${key}: environment variable`);
    const flag = 'flag' in spec ? `--${spec.flag}` : undefined;
    assert.equal(row.flag, flag, `${key}: flag (secrets are "env/file only")`);
  }
  for (const key of documented.keys()) {
    assert.ok(
      Object.hasOwn(SETTINGS, key),
      `docs/deploy.md documents "${key}", which the loader does not read`,
    );
  }
});

test('--help lists every flag', () => {
  for (const spec of Object.values(SETTINGS)) {
    if ('flag' in spec) assert.match(USAGE, new RegExp(`--${spec.flag}\\b`), `--${spec.flag}`);
  }
});

test("each literal default in the table is the loader's: setting it changes nothing", () => {
  const minimal = { AGENTWIRE_JWT_SECRET: 's'.repeat(32) };
  const baseline = loadConfig({ env: minimal });
  const checked = tableRows().filter((row) => row.literalDefault !== undefined);
  assert.ok(checked.length >= 10, `literal defaults found: ${checked.map((r) => r.key)}`);
  for (const row of checked) {
    const explicit = loadConfig({ env: { ...minimal, [row.env]: row.literalDefault } });
    assert.deepEqual(
      explicit,
      baseline,
      `${row.key}: the documented default ${row.literalDefault}`,
    );
  }
});
