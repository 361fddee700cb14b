import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { scanPython } from '../src/extract/python-scan.js';
import type { FileRecord } from '../src/extract/types.js';
import { type CensusFile, cpythonCensus, cpythonVersion } from './cpython.js';
import { FIXTURES } from './helpers.js';

// The audit's Python scanner against CPython 3.13's parser, on real files: the standard library
// and packages installed on this machine, this package's fixtures (Python 3.12/3.13 syntax
// among them), and real files broken the ways real repositories are (a Python 2 print, merge
// conflict markers, a Jinja template, a truncated file, a broken def, Python 2's except).

function walk(dir: string, out: string[] = []): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) {
      if (name !== '__pycache__' && name !== 'node_modules') walk(path, out);
    } else if (name.endsWith('.py') && st.size < 400_000) out.push(path);
  }
  return out;
}

const BREAKERS: [string, (text: string) => { text: string; line: number } | null][] = [
  ['python 2 print', (t) => breakAt(t, 0.5, 'print "starting up"')],
  [
    'merge conflict',
    (t) => breakAt(t, 0.5, '<<<<<<< HEAD\nVALUE = 1\n=======\nVALUE = 2\n>>>>>>> feature'),
  ],
  ['jinja template', (t) => breakAt(t, 0, '{% if settings.debug %}\nimport pdb\n{% endif %}')],
  ['broken def', (t) => breakAt(t, 1, 'def upgrade(:\n    pass')],
  [
    'python 2 except',
    (t) =>
      breakAt(
        t,
        1,
        'try:\n    import cPickle as pickle\nexcept ImportError, e:\n    pickle = None',
      ),
  ],
  [
    'truncated',
    (t) => {
      const at = t.indexOf('(', Math.floor(t.length * 0.6));
      if (at < 0) return null;
      return { text: t.slice(0, at + 1), line: t.slice(0, at).split('\n').length };
    },
  ],
];

/** Inserts `lines` at a top-level line boundary near `where` (0…1) of the file. */
function breakAt(
  text: string,
  where: number,
  lines: string,
): { text: string; line: number } | null {
  const all = text.split('\n');
  let i = Math.floor(all.length * where);
  // A top-level position: the line before is not indented, not inside brackets or strings.
  while (
    i < all.length &&
    !(i === 0 || /^(def|class|import|from|[A-Za-z_]+ = )/.test(all[i] ?? ''))
  )
    i++;
  if (i >= all.length) i = all.length;
  const before = all.slice(0, i);
  return { text: [...before, lines, ...all.slice(i)].join('\n'), line: before.length + 1 };
}

function statements(r: FileRecord) {
  const seen = new Set<number>();
  const out: string[] = [];
  for (const i of r.imports) {
    if (i.kind === 'dynamic' || seen.has(i.span.start)) continue;
    seen.add(i.span.start);
    const names =
      i.kind === 'import-module'
        ? r.imports.filter((x) => x.span.start === i.span.start).length
        : i.kind === 'export-all'
          ? 1
          : i.names.length;
    out.push(
      `${i.line} ${i.kind === 'import-module' ? 'import' : 'from'} ${names}${i.functionLevel ? ' fn' : ''}${i.typeChecking ? ' tc' : ''}${i.inTryImportError ? ' try' : ''}`,
    );
  }
  return out.sort();
}

function expected(c: CensusFile) {
  return c.imports
    .map(
      (i) =>
        `${i.line} ${i.kind} ${i.names}${i.functionLevel ? ' fn' : ''}${i.typeChecking ? ' tc' : ''}${i.tryImportError ? ' try' : ''}`,
    )
    .sort();
}

test('python scanner: CPython 3.13 parses a file exactly when the scanner does, errors on the same line, the same imports', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ssot-scan-oracle-'));
  try {
    const real = [...walk('/usr/lib/python3.11'), ...walk('/usr/lib/python3/dist-packages')].filter(
      (_, i) => i % 2 === 0,
    );
    assert.ok(real.length >= 300, `real Python files on this machine: ${real.length}`);
    const files: string[] = [];
    const injected = new Map<string, number>();
    const put = (rel: string, text: string) => {
      const abs = join(dir, rel);
      mkdirSync(join(abs, '..'), { recursive: true });
      writeFileSync(abs, text);
      files.push(rel);
    };
    real.forEach((f, i) => {
      const text = readFileSync(f, 'utf8');
      put(`real/${i}.py`, text);
      const breaker = BREAKERS[i % BREAKERS.length];
      if (i % 4 === 0 && breaker) {
        const broken = breaker[1](text);
        if (broken) {
          put(`broken/${i}.py`, broken.text);
          injected.set(`broken/${i}.py`, broken.line);
        }
      }
    });
    for (const f of walk(FIXTURES)) {
      const text = readFileSync(f, 'utf8');
      if (!text.includes('\0')) put(`fixtures/${relative(FIXTURES, f)}`, text); // binary: skipped before extraction
    }
    const census = await cpythonCensus(dir, files);
    assert.match(cpythonVersion(), /^3\.13\./);
    const falseErrors: string[] = [];
    const missedErrors: string[] = [];
    const wrongLine: string[] = [];
    const wrongImports: string[] = [];
    let cpythonErrors = 0;
    for (const f of files) {
      let text = readFileSync(join(dir, f), 'utf8');
      if (text.charCodeAt(0) === 0xfeff) text = ` ${text.slice(1)}`;
      const r = scanPython(f, text);
      const c = census.get(f) as CensusFile;
      if (!c.error) {
        if (r.parseError) falseErrors.push(`${f}: ${JSON.stringify(r.parseError)}`);
        else if (JSON.stringify(statements(r)) !== JSON.stringify(expected(c)))
          wrongImports.push(
            `${f}: ssot ${statements(r).join('; ')} ≠ CPython ${expected(c).join('; ')}`,
          );
        continue;
      }
      cpythonErrors++;
      if (!r.parseError)
        missedErrors.push(`${f}: CPython ${c.error.line}:${c.error.column} ${c.error.message}`);
      else if (r.parseError.line !== c.error.line)
        wrongLine.push(
          `${f}: ssot ${r.parseError.line} ${r.parseError.message}, CPython ${c.error.line} ${c.error.message}`,
        );
    }
    assert.ok(injected.size >= 50, `broken files: ${injected.size}`);
    assert.ok(cpythonErrors >= injected.size, 'CPython rejects every broken file');
    assert.deepEqual(falseErrors, [], 'valid Python reported unparsable');
    assert.deepEqual(wrongImports, [], 'imports differ from CPython');
    assert.deepEqual(missedErrors, [], 'syntax errors the scanner missed');
    assert.deepEqual(wrongLine, [], 'syntax errors on another line than CPython');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('python scanner: 3.12/3.13 syntax parses (nested f-strings, starred returns, generics, soft keywords)', () => {
  for (const f of ['fstrings.py', 'starred.py', 'types.py']) {
    const text = readFileSync(join(FIXTURES, 'py-modern/app', f), 'utf8');
    assert.equal(scanPython(f, text).parseError, null, f);
  }
  const r = scanPython(
    'fstrings.py',
    readFileSync(join(FIXTURES, 'py-modern/app/fstrings.py'), 'utf8'),
  );
  assert.deepEqual(
    r.imports.map((i) => [i.specifier, i.functionLevel]),
    [
      ['typing', false],
      ['app.types', true],
    ],
  );
  const py2 = scanPython('py2.py', readFileSync(join(FIXTURES, 'py-modern/app/py2.py'), 'utf8'));
  assert.deepEqual(py2.parseError, { line: 4, column: 7, message: 'invalid syntax' });
});
