// Builds a synthetic but realistic mixed monorepo for the `ssot audit` benchmark:
//   py/  — a Python backend: several services (each its own root with an `app` package), a
//          src-layout library, a PEP 420 namespace package; absolute, relative (every level),
//          multi-line, TYPE_CHECKING, function-level, try/except ImportError imports; one concept
//          (WebSocketManager) implemented three times, aliased and re-exported through shims.
//   web/ — a TypeScript frontend: npm workspaces (packages/*) with `exports`, tsconfig `paths`
//          aliases, barrels with `export *`, `import type`, require, dynamic import(), and the
//          same concept fragmented across barrels, aliases and shims; some runtime cycles.
// Deterministic: the same count gives the same tree.
//
// Usage: node --import tsx bench/ssot/generate.ts <outDir> [files=10000]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let seed = 42;
function rand(): number {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function int(n: number): number {
  return Math.floor(rand() * n);
}
function pick<T>(xs: readonly T[]): T {
  return xs[int(xs.length)] as T;
}
/**
 * Real code is layered: a module mostly imports modules below it (here: earlier in the list);
 * 1 import in 2,000 goes anywhere, which closes the occasional cycle.
 */
function layered<T>(xs: readonly T[], self: T): T {
  const i = xs.indexOf(self);
  if (i <= 0 || rand() < 0.0005) return pick(xs);
  return xs[int(i)] as T;
}

const files = new Map<string, string>();
function put(path: string, text: string): void {
  files.set(path, text);
}

export const WORDS = [
  'account',
  'agent',
  'audit',
  'billing',
  'cache',
  'channel',
  'chat',
  'config',
  'cost',
  'event',
  'feature',
  'gateway',
  'history',
  'invoice',
  'job',
  'ledger',
  'message',
  'metric',
  'notify',
  'order',
  'payment',
  'policy',
  'queue',
  'report',
  'run',
  'search',
  'session',
  'stream',
  'task',
  'team',
  'thread',
  'token',
  'tool',
  'usage',
  'user',
  'webhook',
  'workflow',
  'worker',
];
const cap = (s: string) => s[0]?.toUpperCase() + s.slice(1);

// ---------------------------------------------------------------- Python half

interface PyModule {
  path: string; // relative to py/
  root: string; // import root relative to py/
  name: string; // dotted
  classes: string[];
  functions: string[];
}

/** `app.billing.search_3` → `BillingSearch3Service`: the class a module defines. */
function pySym(dotted: string): string {
  const parts = dotted.split('.');
  const leaf = (parts.pop() as string).split('_').map(cap).join('');
  return `${cap((parts.pop() as string).replace(/\d+$/, ''))}${leaf}Service`;
}

function pyBody(cls: string[], fns: string[], rich: number): string {
  const out: string[] = [];
  for (const c of cls) {
    out.push(
      `class ${c}:`,
      `    """${c} keeps the state of one ${pick(WORDS)} for a user."""`,
      '',
      `    def __init__(self, user_id: str, limit: int = ${10 + int(90)}) -> None:`,
      '        self.user_id = user_id',
      '        self.limit = limit',
      '        self._items: list[dict] = []',
      '',
    );
    for (let i = 0; i < rich; i++) {
      const m = `${pick(WORDS)}_${pick(WORDS)}`;
      out.push(
        `    def ${m}(self, payload: dict) -> dict:`,
        `        if len(self._items) >= self.limit:`,
        `            raise ValueError("too many ${pick(WORDS)} items for %s" % self.user_id)`,
        `        item = {"kind": "${pick(WORDS)}", "payload": payload, "n": len(self._items)}`,
        '        self._items.append(item)',
        '        return item',
        '',
      );
    }
    out.push('');
  }
  for (const f of fns) {
    out.push(
      `def ${f}(values: list[int], factor: float = 1.5) -> float:`,
      `    """Compute the ${pick(WORDS)} score."""`,
      '    total = 0.0',
      '    for i, v in enumerate(values):',
      '        if v % 2 == 0:',
      '            total += v * factor',
      '        else:',
      '            total -= v / (i + 1)',
      '    return round(total, 3)',
      '',
      '',
    );
  }
  return out.join('\n');
}

function generatePython(count: number): void {
  const modules: PyModule[] = [];
  const services = ['api', 'worker', 'scheduler', 'admin', 'ingest'];
  const perService = Math.floor((count * 0.8) / services.length);
  // Plan modules first so that imports can point at real ones.
  const plan: { path: string; root: string; name: string; pkg: string }[] = [];
  for (const svc of services) {
    const root = `services/${svc}`;
    put(`py/${root}/app/__init__.py`, '');
    let made = 0;
    for (let d = 0; made < perService; d++) {
      const domain = `${WORDS[(d + services.indexOf(svc) * 7) % WORDS.length]}${d >= WORDS.length ? d : ''}`;
      plan.push({
        path: `${root}/app/${domain}/__init__.py`,
        root,
        name: `app.${domain}`,
        pkg: `app.${domain}`,
      });
      made++;
      const size = 8 + int(12);
      for (let i = 0; i < size && made < perService; i++, made++) {
        const mod = `${pick(WORDS)}_${i}`;
        plan.push({
          path: `${root}/app/${domain}/${mod}.py`,
          root,
          name: `app.${domain}.${mod}`,
          pkg: `app.${domain}`,
        });
      }
    }
  }
  const libCount = count - perService * services.length - 40;
  for (let i = 0; i < libCount; i++) {
    const sub = WORDS[i % 12] as string;
    if (i < 12)
      plan.push({
        path: `libs/src/corelib/${sub}/__init__.py`,
        root: 'libs/src',
        name: `corelib.${sub}`,
        pkg: `corelib.${sub}`,
      });
    else
      plan.push({
        path: `libs/src/corelib/${sub}/m${i}.py`,
        root: 'libs/src',
        name: `corelib.${sub}.m${i}`,
        pkg: `corelib.${sub}`,
      });
  }
  for (let i = 0; i < 30; i++) {
    plan.push({
      path: `plugins/acme/ext/p${i}.py`,
      root: 'plugins',
      name: `acme.ext.p${i}`,
      pkg: 'acme.ext',
    });
  }
  const byRoot = new Map<string, typeof plan>();
  for (const p of plan) {
    const list = byRoot.get(p.root) ?? [];
    list.push(p);
    byRoot.set(p.root, list);
  }
  // The concept: three implementations, aliases and shims.
  put(
    'py/services/api/app/realtime/__init__.py',
    'from .manager import WebSocketManager\n\n__all__ = ["WebSocketManager"]\n',
  );
  put('py/services/api/app/realtime/manager.py', pyBody(['WebSocketManager'], ['broadcast'], 4));
  put('py/services/api/app/chat/ws.py', pyBody(['WebSocketManager'], [], 3));
  put('py/services/api/app/legacy/__init__.py', '');
  put(
    'py/services/api/app/legacy/sockets.py',
    '"""Deprecated."""\nimport warnings\n\nfrom app.realtime.manager import WebSocketManager as _Impl\n\nwarnings.warn("use app.realtime", DeprecationWarning, stacklevel=2)\n\nWSManager = _Impl\nSocketManager = WSManager\n',
  );
  put(
    'py/services/api/app/legacy/compat.py',
    'from app.legacy.sockets import SocketManager as WebSocketManager\n',
  );
  put('py/libs/src/corelib/ws.py', pyBody(['WebSocketManager'], ['connect'], 3));
  const conceptImports = [
    'from app.realtime import WebSocketManager',
    'from app.realtime.manager import WebSocketManager',
    'from app.legacy.sockets import WSManager',
    'from app.legacy.compat import WebSocketManager',
    'from app.chat.ws import WebSocketManager',
  ];

  for (const p of plan) {
    const peers = byRoot.get(p.root) as typeof plan;
    const isInit = p.path.endsWith('__init__.py');
    const lines: string[] = [
      `"""${cap(pick(WORDS))} ${pick(WORDS)} module."""`,
      'from __future__ import annotations',
      '',
    ];
    lines.push(pick(['import os', 'import json', 'import logging', 'import asyncio']));
    lines.push('from typing import TYPE_CHECKING, Any');
    if (isInit) {
      const sibling = peers.find((q) => q.pkg === p.pkg && q !== p);
      if (sibling) {
        const leaf = sibling.name.split('.').pop();
        lines.push(`from .${leaf} import ${pySym(sibling.name)}`, '');
        lines.push(`__all__ = ["${pySym(sibling.name)}"]`, '');
      }
      put(`py/${p.path}`, `${lines.join('\n')}\n`);
      continue;
    }
    const targets: typeof plan = [];
    for (let k = 0, n = 3 + int(5); k < n; k++) {
      const q = layered(rand() < 0.6 ? peers.filter((x) => x.pkg === p.pkg) : peers, p);
      if (q && q !== p && !q.path.endsWith('__init__.py')) targets.push(q);
    }
    for (const q of targets) {
      const leaf = q.name.split('.').pop() as string;
      const sym = pySym(q.name);
      const form = int(6);
      if (form === 0) lines.push(`import ${q.name}`);
      else if (form === 1 && q.pkg === p.pkg) lines.push(`from .${leaf} import ${sym}`);
      else if (form === 2)
        lines.push(
          `from ${q.name} import (\n    ${sym},\n    helper_${q.name.split('.').slice(-2).join('_')} as _h_${leaf},\n)`,
        );
      else if (form === 3)
        lines.push('', 'if TYPE_CHECKING:', `    from ${q.name} import ${sym}`, '');
      else if (form === 4 && p.name.split('.').length > 2)
        lines.push(`from .. import ${p.pkg.split('.').slice(-1)[0]}`);
      else lines.push(`from ${q.name} import ${sym}`);
    }
    if (p.root === 'services/api' && rand() < 0.15) lines.push(pick(conceptImports));
    if (rand() < 0.1)
      lines.push(
        'try:',
        '    import ujson as fastjson',
        'except ImportError:',
        '    import json as fastjson',
      );
    if (p.root === 'libs/src' && rand() < 0.1) lines.push('from acme.ext import p1');
    lines.push('', '');
    const leaf = p.name.split('.').pop() as string;
    const body = pyBody(
      [pySym(p.name)],
      [`helper_${p.name.split('.').slice(-2).join('_')}`],
      1 + int(3),
    );
    lines.push(body);
    if (rand() < 0.2) {
      const q = pick(peers);
      lines.push(
        `def lazy_${leaf}():`,
        `    from ${q.name} import helper_${q.name.split('.').slice(-2).join('_')}`,
        '',
        `    return helper_${q.name.split('.').slice(-2).join('_')}`,
        '',
      );
    }
    put(`py/${p.path}`, `${lines.join('\n')}\n`);
    modules.push({ path: p.path, root: p.root, name: p.name, classes: [], functions: [] });
  }
  // A file that does not parse, as real repositories have.
  put('py/services/api/app/broken_migration.py', 'def upgrade(:\n    pass\n');
}

// ---------------------------------------------------------------- TypeScript half

function tsBody(cls: string, fn: string, rich: number): string {
  const out: string[] = [
    `export interface ${cls}Options {`,
    '  userId: string;',
    '  limit?: number;',
    `  onEvent?: (event: { type: string; seq: number }) => void;`,
    '}',
    '',
    `export class ${cls} {`,
    '  private readonly items: Array<{ kind: string; payload: unknown }> = [];',
    `  constructor(private readonly options: ${cls}Options) {}`,
    '',
  ];
  for (let i = 0; i < rich; i++) {
    const m = `${pick(WORDS)}${cap(pick(WORDS))}`;
    out.push(
      `  ${m}(payload: Record<string, unknown>): number {`,
      `    if (this.items.length >= (this.options.limit ?? ${10 + int(90)})) {`,
      `      throw new Error(\`too many ${pick(WORDS)} items for \${this.options.userId}\`);`,
      '    }',
      `    this.items.push({ kind: '${pick(WORDS)}', payload });`,
      `    this.options.onEvent?.({ type: '${pick(WORDS)}', seq: this.items.length });`,
      '    return this.items.length;',
      '  }',
      '',
    );
  }
  out.push(
    '}',
    '',
    `export function ${fn}(values: number[], factor = 1.5): number {`,
    '  let total = 0;',
    '  values.forEach((v, i) => {',
    '    total += v % 2 === 0 ? v * factor : -v / (i + 1);',
    '  });',
    '  return Math.round(total * 1000) / 1000;',
    '}',
    '',
  );
  return out.join('\n');
}

function generateTypeScript(count: number): void {
  const pkgs = ['core', 'ui', 'data', 'chat', 'agents', 'billing', 'admin', 'shared'];
  put(
    'web/package.json',
    `${JSON.stringify({ name: 'synth-web', private: true, workspaces: ['packages/*'] }, null, 2)}\n`,
  );
  put(
    'web/tsconfig.json',
    `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          baseUrl: '.',
          strict: true,
          paths: { '@core/*': ['packages/core/src/*'], '@shared/*': ['packages/shared/src/*'] },
        },
        include: ['packages'],
      },
      null,
      2,
    )}\n`,
  );
  const per = Math.floor((count - pkgs.length * 3) / pkgs.length);
  const plan: { pkg: string; path: string; cls: string; fn: string; dir: string }[] = [];
  for (const pkg of pkgs) {
    put(
      `web/packages/${pkg}/package.json`,
      `${JSON.stringify({ name: `@synth/${pkg}`, type: 'module', exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } } }, null, 2)}\n`,
    );
    put(
      `web/packages/${pkg}/tsconfig.json`,
      `${JSON.stringify({ extends: '../../tsconfig.json', compilerOptions: { rootDir: 'src', outDir: 'dist' } }, null, 2)}\n`,
    );
    for (let i = 0; i < per; i++) {
      const dir = `${WORDS[i % 20]}`;
      const name = `${pick(WORDS)}${cap(pick(WORDS))}${i}`;
      plan.push({
        pkg,
        path: `web/packages/${pkg}/src/${dir}/${name}.ts`,
        cls: `${cap(name)}Store`,
        fn: `compute${cap(name)}`,
        dir,
      });
    }
  }
  // The concept in TS: two implementations, a barrel, an alias shim.
  put('web/packages/core/src/realtime/manager.ts', tsBody('WebSocketManager', 'openSocket', 4));
  put('web/packages/core/src/realtime/index.ts', "export * from './manager.js';\n");
  put(
    'web/packages/core/src/realtime/legacy.ts',
    "export { WebSocketManager as SocketManager } from './manager.js';\n",
  );
  put('web/packages/chat/src/socket/manager.ts', tsBody('WebSocketManager', 'openChatSocket', 3));
  const conceptImports = [
    "import { WebSocketManager } from '@core/realtime/index.js';",
    "import { WebSocketManager } from '@core/realtime/manager.js';",
    "import { SocketManager } from '@core/realtime/legacy.js';",
    "import { WebSocketManager } from '@synth/core';",
  ];
  for (const pkg of pkgs) {
    const own = plan.filter((p) => p.pkg === pkg);
    const lines = own
      .slice(0, 40)
      .map((p) => `export * from './${p.path.split('/src/')[1]?.replace(/\.ts$/, '.js')}';`);
    if (pkg === 'core') lines.push("export * from './realtime/index.js';");
    put(`web/packages/${pkg}/src/index.ts`, `${lines.join('\n')}\n`);
  }
  for (const p of plan) {
    const own = plan.filter((q) => q.pkg === p.pkg);
    const lines: string[] = [];
    for (let k = 0, n = 3 + int(6); k < n; k++) {
      const q = layered(rand() < 0.7 ? own : plan, p);
      if (q === p) continue;
      const form = int(7);
      const rel = relativeSpecifier(p.path, q.path);
      if (q.pkg !== p.pkg && form < 3) lines.push(`import { ${q.cls} } from '@synth/${q.pkg}';`);
      else if (q.pkg === 'core' && form === 3)
        lines.push(
          `import { ${q.fn} } from '@core/${q.path.split('/src/')[1]?.replace(/\.ts$/, '.js')}';`,
        );
      else if (form === 4) lines.push(`import type { ${q.cls}Options } from '${rel}';`);
      else lines.push(`import { ${q.cls}, ${q.fn} } from '${rel}';`);
    }
    if (rand() < 0.1) lines.push(pick(conceptImports));
    const body = tsBody(p.cls, p.fn, 1 + int(3));
    const extra: string[] = [];
    if (rand() < 0.05)
      extra.push(
        `export async function lazy${p.cls}() {`,
        `  const mod = await import('${relativeSpecifier(p.path, pick(own).path)}');`,
        '  return mod;',
        '}',
      );
    if (rand() < 0.03)
      extra.push(
        `export function legacy${p.cls}() {`,
        `  return require('${relativeSpecifier(p.path, pick(own).path)}');`,
        '}',
      );
    put(p.path, `${[...new Set(lines)].join('\n')}\n\n${body}\n${extra.join('\n')}\n`);
  }
}

function relativeSpecifier(from: string, to: string): string {
  const a = dirname(from).split('/');
  const b = to.split('/');
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const up = a.length - i;
  const rest = b.slice(i).join('/').replace(/\.ts$/, '.js');
  return up === 0 ? `./${rest}` : `${'../'.repeat(up)}${rest}`;
}

export function generate(
  outDir: string,
  total = 10_000,
): { python: number; typescript: number; bytes: number } {
  seed = 42;
  files.clear();
  const pyCount = Math.floor(total / 2);
  generatePython(pyCount);
  const pySoFar = [...files.keys()].filter((f) => f.endsWith('.py')).length;
  generateTypeScript(total - pySoFar);
  rmSync(outDir, { recursive: true, force: true });
  let bytes = 0;
  for (const [path, text] of files) {
    const abs = join(outDir, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    bytes += Buffer.byteLength(text);
  }
  writeFileSync(join(outDir, '.gitignore'), 'node_modules/\ndist/\n');
  const all = [...files.keys()];
  return {
    python: all.filter((f) => f.endsWith('.py')).length,
    typescript: all.filter((f) => f.endsWith('.ts')).length,
    bytes,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node --import tsx bench/ssot/generate.ts <outDir> [files=10000]');
    process.exit(2);
  }
  const stats = generate(out, Number(process.argv[3] ?? 10_000));
  console.log(JSON.stringify(stats));
}
