import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { extractTypeScript } from '../src/extract/typescript.js';
import { PACKAGE_ROOT } from './helpers.js';

const TS_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (TS_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Statements the module record and the AST tell apart (or leave out) in their own ways. */
const EDGE_CASES: Record<string, string> = {
  'type-only.ts': [
    "import type { A, B as C } from './x';",
    "import D, * as E from 'y';",
    "import { type F, G } from 'z';",
    "import type H from 'h';",
    "import type, { a } from 't';",
    "import 'side-effect';",
    "import {} from 'empty';",
  ].join('\n'),
  're-exports.ts': [
    "export * from 'w';",
    "export * as ns from 'v';",
    "export type * from 't';",
    "export { a as b, type c } from 'u';",
    "export type { T } from 'types';",
    "export { default } from 'd';",
    "export { default as X, 'a-b' as c } from 's';",
    'import { "str" as y } from \'q\';',
  ].join('\n'),
  // An imported name exported again is an export entry with a module request in the module
  // record (ECMA-262's indirect export), spanning the import statement — not a re-export.
  'indirect-export.ts': [
    "import { Manager } from './manager';",
    'export const Alias = Manager;',
    'export { Manager };',
  ].join('\n'),
  'empty-re-export.ts': "export {} from 'e';\nexport type {} from 'f';",
  'attributes.ts': "import data from './data.json' with { type: 'json' };",
  'ambient.ts': 'declare module "foo" { import x from "inner"; export * from "inner2"; }',
  'commonjs.ts': [
    "import a from 'a';",
    "const b = require('b');",
    "import c = require('c');",
    "const { d } = await import('d');",
  ].join('\n'),
  'syntax-error.ts': "import { a from 'a';",
};

test('typescript: imports-only extraction records exactly the imports of the full extraction', () => {
  const files = sourceFiles(join(PACKAGE_ROOT, 'test'))
    .filter((f) => f.includes('/fixtures/'))
    .map((f) => ({ file: relative(PACKAGE_ROOT, f), text: readFileSync(f, 'utf8') }));
  files.push(...Object.entries(EDGE_CASES).map(([file, text]) => ({ file, text })));
  assert.ok(files.length > 40, `expected the fixtures' TS files, found ${files.length}`);
  let imports = 0;
  for (const { file, text } of files) {
    const full = extractTypeScript(file, text, 'all');
    const only = extractTypeScript(file, text, 'imports');
    assert.deepEqual(only.imports, full.imports, file);
    assert.deepEqual(only.parseError, full.parseError, file);
    assert.deepEqual(only.bindings, [], `${file}: imports-only records no bindings`);
    imports += full.imports.length;
  }
  assert.ok(imports > 100, `expected the fixtures to import, found ${imports} imports`);
});
