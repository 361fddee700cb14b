// A corpus whose sizes and shapes look like a real Python + TypeScript monorepo, for the `ssot
// audit` (and `ssot migrate`) benchmarks — the synthetic tree of generate.ts has small, regular
// files that hide what real repositories cost:
//   - ≈10,000 files: ≈9,000 Python (≈170 MB: sizes log-normal around 9 KB, averaging ≈19 KB,
//     with a long tail of generated/large modules between 300 KB and 950 KB) and ≈1,000
//     TypeScript files of a frontend;
//   - modern Python (`return None, *await f()`, `match`, decorators, walrus, async; in 5 % of
//     the files 3.12's nested f-strings, `type` aliases and generics) and ≈4 % of files that do
//     not parse (Python 2 prints, merge-conflict markers, Jinja templates, truncated files,
//     `def upgrade(:`);
//   - one WebSocket manager split over a core module and three compatibility modules that do
//     more than re-export (a try/except ImportError fallback, a module logger that logs at
//     import, a helper defined and called at import), about ten alias names, a compat subclass,
//     and ≈300 importers; `ssot.config.json` names its canonical module;
//   - per-module conventions in numbers: `main` in ≈1,000 scripts, `logger` in most modules,
//     `pytest_configure` and fixtures in conftest files, test doubles in tests;
//   - one large runtime import cycle (the service layer importing back into the core).
// Deterministic: the same options give the same tree, byte for byte.
//
// Usage: node --import tsx bench/ssot/corpus.ts <outDir> [--files 10000] [--python-mb 170]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { WORDS } from './generate.js';

export interface CorpusOptions {
  /** Total number of source files (Python + TypeScript). */
  files?: number;
  /** Approximate megabytes (10⁶ bytes) of Python. */
  pythonMB?: number;
  /** Share of Python files that do not parse. */
  brokenShare?: number;
}

export interface CorpusStats {
  python: number;
  typescript: number;
  pythonBytes: number;
  typescriptBytes: number;
  /** Python files written not to parse, by the reason they do not. */
  broken: Record<string, number>;
  /** Python files of 300 KB and more. */
  large: number;
  /** Path of the WebSocket manager's canonical module, and its compatibility modules. */
  concept: { canonical: string; shims: string[] };
}

class Random {
  constructor(private seed: number) {}
  next(): number {
    // mulberry32
    this.seed = (this.seed + 0x6d2b79f5) | 0;
    let t = this.seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Log-normal with the given median and sigma (Box–Muller). */
  logNormal(median: number, sigma: number): number {
    const u = Math.max(1e-12, this.next());
    const v = this.next();
    return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
}

const cap = (s: string) => (s[0]?.toUpperCase() ?? '') + s.slice(1);
const camel = (s: string) => s.split('_').map(cap).join('');

interface PyModule {
  /** Path below the repository root. */
  path: string;
  /** Dotted module name (import root: backend/). */
  name: string;
  /** Package (dotted) the module sits in. */
  pkg: string;
  kind: 'service' | 'core' | 'script' | 'test' | 'conftest' | 'migration' | 'generated';
  /** The public class and function it defines. */
  cls: string;
  fn: string;
}

/** The concept: one WebSocket manager, its canonical module and the names it goes by. */
const WS = {
  canonical: 'app.realtime.manager',
  impl: '_WebSocketManagerImpl',
  aliases: ['WebSocketManager', 'WSManager', 'SocketManager', 'ConnectionManager', 'WsManager'],
  shims: {
    fallback: 'app.websocket.manager', // try/except ImportError fallback
    logging: 'app.ws.compat', // logs at import
    helper: 'app.services.ws_manager', // a helper defined and called at import
  },
  subclass: 'CompatWebSocketManager',
};

export function generateCorpus(outDir: string, options: CorpusOptions = {}): CorpusStats {
  const rnd = new Random(20261203);
  const total = options.files ?? 10_000;
  const pythonBytesTarget = (options.pythonMB ?? 170) * 1e6;
  const brokenShare = options.brokenShare ?? 0.04;
  const tsCount = Math.round(total * 0.1);
  const pyCount = total - tsCount;
  const files = new Map<string, string>();
  const put = (path: string, text: string) => files.set(path, text);

  // ------------------------------------------------------------ plan the Python modules
  const modules: PyModule[] = [];
  const domains = WORDS.slice(0, 30);
  const add = (path: string, kind: PyModule['kind']) => {
    const name = path
      .replace(/^backend\//, '')
      .replace(/\/__init__\.py$|\.py$/, '')
      .replace(/\//g, '.');
    const pkg = path.endsWith('__init__.py') ? name : name.split('.').slice(0, -1).join('.');
    const leaf = name.split('.').pop() as string;
    modules.push({
      path,
      name,
      pkg,
      kind,
      cls: `${camel(pkg.split('.').pop() ?? 'app')}${camel(leaf)}`,
      fn: `${leaf}_${pkg.split('.').pop()}`,
    });
  };
  const reserved = 40; // concept modules, package inits and config written by hand below
  const scripts = Math.round(pyCount * 0.1);
  const tests = Math.round(pyCount * 0.18);
  const migrations = Math.round(pyCount * 0.04);
  const generated = Math.round(pyCount * 0.01);
  const services = pyCount - reserved - scripts - tests - migrations - generated;
  for (let i = 0; i < services; i++) {
    const d = domains[i % domains.length] as string;
    const sub = `${rnd.pick(WORDS)}_${Math.floor(i / domains.length)}`;
    add(`backend/app/${d}/${sub}.py`, i % 7 === 0 ? 'core' : 'service');
  }
  for (let i = 0; i < scripts; i++) add(`backend/scripts/${rnd.pick(WORDS)}_job_${i}.py`, 'script');
  for (let i = 0; i < tests; i++) {
    const d = domains[i % domains.length] as string;
    add(`backend/tests/${d}/test_${rnd.pick(WORDS)}_${i}.py`, 'test');
  }
  for (const d of domains) add(`backend/tests/${d}/conftest.py`, 'conftest');
  for (let i = 0; i < migrations; i++)
    add(
      `backend/migrations/versions/rev_${String(i).padStart(4, '0')}_${rnd.pick(WORDS)}.py`,
      'migration',
    );
  for (let i = 0; i < generated; i++)
    add(`backend/app/proto/${rnd.pick(WORDS)}_${i}_pb2.py`, 'generated');
  const byPkg = new Map<string, PyModule[]>();
  for (const m of modules) {
    const list = byPkg.get(m.pkg) ?? [];
    list.push(m);
    byPkg.set(m.pkg, list);
  }
  const serviceMods = modules.filter((m) => m.kind === 'service' || m.kind === 'core');
  const coreMods = modules.filter((m) => m.kind === 'core');

  // ------------------------------------------------------------ sizes
  // Log-normal body sizes, then scaled so the total meets the target; 1.5 % of the files form
  // the long tail (300–950 KB).
  const sizes = modules.map((m) => {
    if (m.kind === 'generated' || rnd.chance(0.012)) return 300_000 + rnd.int(650_000);
    if (m.kind === 'conftest') return 2_000 + rnd.int(6_000);
    return Math.min(280_000, rnd.logNormal(9_000, 1.05));
  });
  const tail = sizes.filter((s) => s >= 300_000).reduce((a, b) => a + b, 0);
  const rest = sizes.filter((s) => s < 300_000).reduce((a, b) => a + b, 0);
  const scale = Math.max(0.2, (pythonBytesTarget * 0.985 - tail) / rest);
  for (let i = 0; i < sizes.length; i++)
    if ((sizes[i] as number) < 300_000) sizes[i] = Math.max(600, (sizes[i] as number) * scale);

  // ------------------------------------------------------------ Python code
  const conceptImports = [
    `from app.realtime.manager import WebSocketManager`,
    `from app.realtime.manager import WSManager`,
    `from app.realtime.manager import SocketManager as Manager`,
    `from app.websocket.manager import WebSocketManager`,
    `from app.websocket.manager import ConnectionManager`,
    `from app.ws.compat import WebSocketManager`,
    `from app.ws.compat import WsManager`,
    `from app.services.ws_manager import WebSocketManager`,
    `from app.services.ws_manager import get_manager`,
    `from app.realtime import WebSocketManager`,
  ];
  const stdlib = [
    'os',
    'sys',
    'json',
    're',
    'time',
    'asyncio',
    'typing',
    'dataclasses',
    'itertools',
    'functools',
    'collections',
    'pathlib',
    'datetime',
    'uuid',
    'hashlib',
  ];
  const thirdParty = [
    'fastapi',
    'pydantic',
    'sqlalchemy',
    'httpx',
    'redis',
    'celery',
    'starlette',
    'pytest',
    'numpy',
    'boto3',
  ];

  // Python 3.12-only syntax (PEP 701 f-strings, PEP 695 `type`/generics) in a few files, as in a
  // repository that has started to use it; python3.11's `ast` (the benchmark's census) rejects them.
  let modern = false;
  const chunk = (m: PyModule, i: number): string => {
    const w = rnd.pick(WORDS);
    const w2 = rnd.pick(WORDS);
    let shape = rnd.int(9);
    if (!modern && (shape === 2 || shape === 4)) shape = 8;
    switch (shape) {
      case 0:
        return [
          `class ${m.cls}${camel(w)}${i}(Base${camel(w2)}):`,
          `    """Keeps the ${w} state of one ${w2} for a user.`,
          '',
          `    Args:`,
          `        user_id: whose ${w} this is.`,
          `        limit: how many ${w2} items are kept ({"a": 1} is not a field).`,
          '    """',
          '',
          `    kind: ClassVar[str] = "${w}"`,
          '',
          `    def __init__(self, user_id: str, *, limit: int = ${10 + rnd.int(90)}) -> None:`,
          '        self.user_id = user_id',
          '        self.limit = limit',
          `        self._items: list[dict[str, Any]] = []`,
          '',
          `    def ${w}_${w2}(self, payload: dict[str, Any]) -> dict[str, Any]:`,
          '        if len(self._items) >= self.limit:',
          `            raise ValueError(f"too many ${w} items for {self.user_id!r}: {len(self._items):>4d}")`,
          `        item = {"kind": "${w2}", "payload": payload, "n": len(self._items)}`,
          '        self._items.append(item)',
          '        return item',
          '',
          '    @property',
          `    def size(self) -> int:`,
          '        return len(self._items)',
          '',
          '',
        ].join('\n');
      case 1:
        return [
          `async def ${w}_${w2}_${i}(client: Any, ids: list[int]) -> tuple[Any, ...]:`,
          `    # fetch the ${w} records in batches`,
          '    results = []',
          '    for start in range(0, len(ids), 100):',
          '        batch = ids[start:start + 100]',
          '        if (n := len(batch)) == 0:',
          '            break',
          `        results.extend(await client.get("/${w}", params={"ids": ",".join(map(str, batch)), "n": n}))`,
          '    return None, *await client.close()',
          '',
          '',
        ].join('\n');
      case 2:
        return [
          `def ${w}_summary_${i}(rows: list[dict[str, Any]]) -> str:`,
          `    lines = [f"{row["name"]:<20} {row.get("count", 0):>6}" for row in rows]`,
          `    header = f"{f"${w} report":^30}"`,
          `    return "\\n".join([header, *lines, f"total: {sum(r.get('count', 0) for r in rows)}"])`,
          '',
          '',
        ].join('\n');
      case 3:
        return [
          `def handle_${w}_${i}(event: dict[str, Any]) -> str | None:`,
          '    match event:',
          `        case {"type": "${w}", "id": str(ident)}:`,
          '            return ident',
          `        case {"type": "${w2}", **rest} if rest:`,
          '            return None',
          '        case [first, *_]:',
          '            return str(first)',
          '        case _:',
          '            return None',
          '',
          '',
        ].join('\n');
      case 4:
        return [
          `type ${camel(w)}Map${i} = dict[str, list[int]]`,
          '',
          '',
          `def first_${w}_${i}[T](items: list[T], default: T | None = None) -> T | None:`,
          '    return items[0] if items else default',
          '',
          '',
        ].join('\n');
      case 5:
        return [
          `${w.toUpperCase()}_DEFAULTS_${i} = {`,
          ...Array.from(
            { length: 6 + rnd.int(10) },
            (_, k) =>
              `    "${rnd.pick(WORDS)}_${k}": (${rnd.int(1000)}, "${rnd.pick(WORDS)}", ${rnd.chance(0.5) ? 'True' : 'None'}),`,
          ),
          '}',
          '',
          '',
        ].join('\n');
      case 6:
        return [
          `@router.get("/${w}/{item_id}")`,
          `@retry(times=${1 + rnd.int(4)})`,
          `def get_${w}_${i}(item_id: int, q: str | None = None) -> dict[str, Any]:`,
          '    try:',
          `        with open(f"/tmp/${w}-{item_id}.json") as fh:`,
          '            data = json.load(fh)',
          '    except (OSError, ValueError) as exc:',
          `        logger.warning("cannot read ${w} %s: %s", item_id, exc)`,
          '        data = {}',
          '    finally:',
          '        pass',
          `    return {"id": item_id, "q": q, **data, "sum": sum(x * 2 for x in range(item_id) if x % 3)}`,
          '',
          '',
        ].join('\n');
      case 7:
        return [
          `SQL_${w.toUpperCase()}_${i} = """`,
          `    SELECT id, ${w}, ${w2}, created_at`,
          `    FROM ${w}s JOIN ${w2}s USING (id)`,
          `    WHERE ${w}.owner = %(owner)s AND status IN ('open', 'held') -- "quoted" and {braces}`,
          '"""',
          '',
          '',
        ].join('\n');
      default:
        return [
          `def compute_${w}_${i}(values: list[float], factor: float = 1.5) -> float:`,
          `    """Compute the ${w} score."""`,
          '    total = 0.0',
          '    for k, v in enumerate(values):',
          '        if v % 2 == 0:',
          '            total += v * factor',
          '        elif v < 0 and not k:',
          '            total -= abs(v) ** 0.5',
          '        else:',
          '            total -= v / (k + 1)',
          '    return round(total, 3)',
          '',
          '',
        ].join('\n');
    }
  };

  const header = (m: PyModule): string[] => {
    const out = [
      `"""${cap(rnd.pick(WORDS))} ${rnd.pick(WORDS)} module (${m.kind})."""`,
      'from __future__ import annotations',
      '',
    ];
    for (let k = 0, n = 2 + rnd.int(4); k < n; k++) out.push(`import ${rnd.pick(stdlib)}`);
    out.push('import logging', 'from typing import TYPE_CHECKING, Any, ClassVar');
    if (m.kind !== 'script')
      out.push(`from ${rnd.pick(thirdParty)} import ${cap(rnd.pick(WORDS))}`);
    // Internal imports: mostly to the own package and to lower layers; the core imports a few
    // services back at runtime, which closes one large cycle.
    const peers = byPkg.get(m.pkg) ?? [];
    const targets = new Set<PyModule>();
    for (let k = 0, n = 2 + rnd.int(8); k < n; k++) {
      const q =
        rnd.chance(0.5) && peers.length > 1
          ? rnd.pick(peers)
          : rnd.pick(m.kind === 'core' && rnd.chance(0.3) ? serviceMods : coreMods);
      if (q && q !== m) targets.add(q);
    }
    for (const q of targets) {
      const form = rnd.int(8);
      if (q.pkg === m.pkg && form < 3) out.push(`from .${q.name.split('.').pop()} import ${q.cls}`);
      else if (form === 3) out.push(`import ${q.name}`);
      else if (form === 4)
        out.push(`from ${q.name} import (`, `    ${q.cls},`, `    ${q.fn} as _${q.fn},`, ')');
      else if (form === 5)
        out.push('', 'if TYPE_CHECKING:', `    from ${q.name} import ${q.cls}`, '');
      else out.push(`from ${q.name} import ${q.cls}`);
    }
    if (m.kind !== 'generated' && (m.kind === 'test' ? rnd.chance(0.3) : rnd.chance(0.08)))
      out.push(rnd.pick(conceptImports));
    if (rnd.chance(0.1))
      out.push(
        'try:',
        '    import ujson as fastjson',
        'except ImportError:',
        '    import json as fastjson',
      );
    out.push('', 'logger = logging.getLogger(__name__)', '', '');
    return out;
  };

  const footer = (m: PyModule): string[] => {
    const out: string[] = [];
    if (m.kind === 'script' || (m.kind === 'service' && rnd.chance(0.04))) {
      out.push(
        'def main(argv: list[str] | None = None) -> int:',
        `    logger.info("running %s", ${JSON.stringify(m.name)})`,
        '    return 0',
        '',
        '',
        'if __name__ == "__main__":',
        '    raise SystemExit(main())',
        '',
      );
    }
    if (rnd.chance(0.15)) {
      const q = rnd.pick(serviceMods);
      out.push(
        `def lazy_${m.fn}():`,
        `    from ${q.name} import ${q.fn}`,
        '',
        `    return ${q.fn}`,
        '',
      );
    }
    return out;
  };

  const testBody = (i: number): string =>
    [
      `class Mock${camel(rnd.pick(WORDS))}Client:`,
      '    def __init__(self):',
      '        self.calls = []',
      '',
      '    async def send(self, message):',
      '        self.calls.append(message)',
      '',
      '',
      `class FakeWebSocket:`,
      '    def __init__(self):',
      '        self.sent = []',
      '',
      '',
      `@pytest.fixture`,
      `def ${rnd.pick(WORDS)}_client_${i}():`,
      `    return Mock${camel(rnd.pick(WORDS))}Client()`,
      '',
      '',
      `def test_${rnd.pick(WORDS)}_${i}(tmp_path):`,
      `    assert f"{tmp_path}" != ""`,
      '',
      '',
    ].join('\n');

  const conftest = (): string =>
    [
      '"""Shared fixtures."""',
      'import pytest',
      '',
      '',
      'def pytest_configure(config):',
      '    config.addinivalue_line("markers", "slow: slow tests")',
      '',
      '',
      '@pytest.fixture',
      'def settings():',
      '    return {"debug": True}',
      '',
      '',
      'class MockRedis:',
      '    def get(self, key):',
      '        return None',
      '',
    ].join('\n');

  const broken: Record<string, number> = {};
  const breakers: [string, (text: string) => string][] = [
    ['python2 print', (t) => t.replace(/\n\n\ndef /, '\n\n\nprint "starting up"\n\n\ndef ')],
    [
      'merge conflict',
      (t) => {
        const at = t.indexOf('\n', Math.floor(t.length / 2));
        return `${t.slice(0, at)}\n<<<<<<< HEAD\nVALUE = 1\n=======\nVALUE = 2\n>>>>>>> feature/ws\n${t.slice(at + 1)}`;
      },
    ],
    ['jinja template', (t) => `{% if settings.async %}\nimport asyncio\n{% endif %}\n${t}`],
    [
      'truncated',
      (t) => {
        const at = t.indexOf('(', Math.floor(t.length * 0.6));
        return at > 0 ? t.slice(0, at + 1) : `${t}\nx = (\n`;
      },
    ],
    ['bad def', (t) => `${t}\n\ndef upgrade(:\n    pass\n`],
    [
      'python2 except',
      (t) =>
        `${t}\n\ntry:\n    import cPickle as pickle\nexcept ImportError, e:\n    pickle = None\n`,
    ],
  ];

  let pythonBytes = 0;
  let large = 0;
  modules.forEach((m, idx) => {
    const target = sizes[idx] as number;
    modern = rnd.chance(0.05);
    let text: string;
    if (m.kind === 'conftest') text = conftest();
    else {
      const parts = [...header(m)];
      if (m.kind !== 'test')
        parts.push(
          `class ${m.cls}:`,
          `    """The ${m.name} service."""`,
          '',
          '    def run(self) -> None:',
          `        logger.debug("run %s", self)`,
          '',
          '',
          `def ${m.fn}(x: int) -> int:`,
          '    return x + 1',
          '',
          '',
        );
      let size = parts.reduce((n, l) => n + l.length + 1, 0);
      let i = 0;
      const body: string[] = [];
      while (size < target) {
        const c = m.kind === 'test' && i % 3 === 0 ? testBody(i) : chunk(m, i);
        body.push(c);
        size += c.length;
        i++;
      }
      text = [...parts, ...body, ...footer(m)].join('\n');
    }
    if (m.kind !== 'conftest' && m.kind !== 'generated' && rnd.chance(brokenShare)) {
      const [why, breaker] = rnd.pick(breakers);
      text = breaker(text);
      broken[why] = (broken[why] ?? 0) + 1;
    }
    if (text.length >= 300_000) large++;
    put(m.path, text);
    pythonBytes += Buffer.byteLength(text);
  });
  // Package __init__ files (empty, or re-exporting their first module).
  for (const [pkg, mods] of byPkg) {
    const dir = `backend/${pkg.replace(/\./g, '/')}`;
    const first = mods.find((x) => !x.path.endsWith('__init__.py'));
    const text =
      first && rnd.chance(0.3)
        ? `from .${first.name.split('.').pop()} import ${first.cls}\n\n__all__ = ["${first.cls}"]\n`
        : '';
    put(`${dir}/__init__.py`, text);
    for (let parts = pkg.split('.'); parts.length > 1; parts = parts.slice(0, -1)) {
      const up = `backend/${parts.slice(0, -1).join('/')}/__init__.py`;
      if (!files.has(up)) put(up, '');
    }
  }

  // ------------------------------------------------------------ the concept, by hand
  const coreWs = [
    '"""The one WebSocket manager: connections per user, fan-out, heartbeats."""',
    'from __future__ import annotations',
    '',
    'import asyncio',
    'import logging',
    'from typing import Any',
    '',
    ...coreMods.slice(0, 3).map((q) => `from ${q.name} import ${q.cls}`),
    '',
    'logger = logging.getLogger(__name__)',
    '',
    '',
    `class ${WS.impl}:`,
    '    def __init__(self) -> None:',
    '        self._sockets: dict[str, set[Any]] = {}',
    '',
    '    async def send(self, user_id: str, message: dict[str, Any]) -> int:',
    '        sockets = self._sockets.get(user_id, set())',
    '        await asyncio.gather(*(s.send_json(message) for s in sockets))',
    '        return len(sockets)',
    '',
    '',
    ...WS.aliases.map((a) => `${a} = ${WS.impl}`),
    '',
  ].join('\n');
  put('backend/app/realtime/manager.py', coreWs);
  put(
    'backend/app/realtime/__init__.py',
    'from .manager import WebSocketManager\n\n__all__ = ["WebSocketManager"]\n',
  );
  put(
    'backend/app/websocket/manager.py',
    [
      '"""Compatibility: the manager moved to app.realtime.manager."""',
      'try:',
      '    from app.realtime.manager import WebSocketManager, WSManager',
      '    from app.realtime.manager import ConnectionManager',
      'except ImportError:  # the realtime extra is not installed',
      '    WebSocketManager = None',
      '    WSManager = None',
      '    ConnectionManager = None',
      '',
      '__all__ = ["WebSocketManager", "WSManager", "ConnectionManager"]',
      '',
    ].join('\n'),
  );
  put('backend/app/websocket/__init__.py', '');
  put(
    'backend/app/ws/compat.py',
    [
      '"""Old import path of the WebSocket manager."""',
      'import logging',
      '',
      'from app.realtime.manager import WebSocketManager, WsManager, SocketManager',
      '',
      'logger = logging.getLogger(__name__)',
      'logger.info("app.ws.compat is deprecated; import app.realtime.manager")',
      '',
      '',
      `class ${WS.subclass}(WebSocketManager):`,
      '    """Kept for pickled sessions."""',
      '',
    ].join('\n'),
  );
  put('backend/app/ws/__init__.py', '');
  put(
    'backend/app/services/ws_manager.py',
    [
      '"""Where the services used to get their manager."""',
      'import os',
      'from typing import TYPE_CHECKING',
      '',
      'from app.realtime.manager import ConnectionManager, WebSocketManager',
      'from app.realtime.manager import WebSocketManager as Manager',
      '',
      'if TYPE_CHECKING:',
      '    from app.realtime.manager import WSManager',
      '',
      '',
      'def _check_env() -> None:',
      '    if os.environ.get("WS_LEGACY"):',
      '        raise RuntimeError("WS_LEGACY is gone")',
      '',
      '',
      '_check_env()',
      '',
      '',
      'def get_manager() -> WebSocketManager:',
      '    return WebSocketManager()',
      '',
    ].join('\n'),
  );
  if (!files.has('backend/app/services/__init__.py')) put('backend/app/services/__init__.py', '');
  put(
    'ssot.config.json',
    `${JSON.stringify(
      {
        concepts: {
          WebSocketManager: {
            description: 'The one WebSocket manager',
            canonical: { module: WS.canonical, symbol: 'WebSocketManager' },
            deprecatedModules: Object.values(WS.shims),
            deprecatedNames: WS.aliases.filter((a) => a !== 'WebSocketManager'),
            members: [`app.ws.compat.${WS.subclass}`],
          },
        },
      },
      null,
      2,
    )}\n`,
  );
  // A binary file and one over the size limit, as real trees have.
  put(
    'backend/app/proto/blob_pb2.py',
    `# generated\nDATA = b"${'\\x00'.repeat(8)}"\n\0\0\0binary\0`,
  );

  // ------------------------------------------------------------ TypeScript frontend
  let typescriptBytes = 0;
  const tsPkgs = ['ui', 'chat', 'agents', 'data', 'shared'];
  put(
    'frontend/package.json',
    `${JSON.stringify({ name: 'web', private: true, type: 'module' }, null, 2)}\n`,
  );
  put(
    'frontend/tsconfig.json',
    `${JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', baseUrl: '.', strict: true, paths: { '@/*': ['src/*'] } }, include: ['src'] }, null, 2)}\n`,
  );
  const tsFiles: string[] = [];
  for (let i = 0; i < tsCount - 5; i++)
    tsFiles.push(
      `src/${tsPkgs[i % tsPkgs.length]}/${rnd.pick(WORDS)}${cap(rnd.pick(WORDS))}${i}.ts${i % 4 === 0 ? 'x' : ''}`,
    );
  put(
    'frontend/src/realtime/socket.ts',
    'export class WebSocketClient {\n  constructor(readonly url: string) {}\n}\nexport const SocketClient = WebSocketClient;\n',
  );
  put('frontend/src/realtime/index.ts', "export * from './socket';\n");
  tsFiles.forEach((f, i) => {
    const lines: string[] = [];
    for (let k = 0, n = 2 + rnd.int(6); k < n; k++) {
      const q = tsFiles[rnd.int(i + 1)] as string;
      if (q === f) continue;
      const sym = `${cap(
        q
          .split('/')
          .pop()
          ?.replace(/\.tsx?$/, '') ?? 'X',
      )}`;
      lines.push(
        rnd.chance(0.5)
          ? `import { ${sym} } from '@/${q.slice(4).replace(/\.tsx?$/, '')}';`
          : `import type { ${sym}Props } from '@/${q.slice(4).replace(/\.tsx?$/, '')}';`,
      );
    }
    if (rnd.chance(0.1))
      lines.push(
        rnd.pick([
          "import { WebSocketClient } from '@/realtime';",
          "import { SocketClient } from '@/realtime/socket';",
        ]),
      );
    const name = cap(
      f
        .split('/')
        .pop()
        ?.replace(/\.tsx?$/, '') ?? 'X',
    );
    const body = [
      `export interface ${name}Props {`,
      '  id: string;',
      '  onEvent?: (event: { type: string; seq: number }) => void;',
      '}',
      '',
      `export class ${name} {`,
      '  private readonly items: Array<{ kind: string; payload: unknown }> = [];',
      `  constructor(private readonly props: ${name}Props) {}`,
      '  push(payload: unknown): number {',
      `    this.items.push({ kind: '${rnd.pick(WORDS)}', payload });`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal of the generated code
      '    this.props.onEvent?.({ type: `${this.props.id}:push`, seq: this.items.length });',
      '    return this.items.length;',
      '  }',
      '}',
      '',
    ];
    const reps = Math.max(1, Math.round(rnd.logNormal(2, 0.8)));
    const text = [
      ...new Set(lines),
      '',
      ...body,
      ...Array.from(
        { length: reps - 1 },
        (_, r) =>
          `export function ${name.toLowerCase()}Helper${r}(x: number): number {\n  return x * ${r + 2};\n}\n`,
      ),
    ].join('\n');
    put(`frontend/${f}`, text);
  });

  rmSync(outDir, { recursive: true, force: true });
  for (const [path, text] of files) {
    const abs = join(outDir, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    if (/\.tsx?$/.test(path)) typescriptBytes += Buffer.byteLength(text);
  }
  // One file over the 1 MiB limit.
  writeFileSync(
    join(outDir, 'backend/app/proto/huge_pb2.py'),
    `DATA = [\n${'    (1, 2, 3),\n'.repeat(90_000)}]\n`,
  );
  writeFileSync(join(outDir, '.gitignore'), 'node_modules/\ndist/\n');
  const all = [...files.keys()];
  return {
    python: all.filter((f) => f.endsWith('.py')).length + 1,
    typescript: all.filter((f) => /\.tsx?$/.test(f)).length,
    pythonBytes,
    typescriptBytes,
    broken,
    large,
    concept: { canonical: WS.canonical, shims: Object.values(WS.shims) },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      files: { type: 'string', default: '10000' },
      'python-mb': { type: 'string', default: '170' },
    },
  });
  const out = positionals[0];
  if (!out) {
    console.error(
      'usage: node --import tsx bench/ssot/corpus.ts <outDir> [--files 10000] [--python-mb 170]',
    );
    process.exit(2);
  }
  const t0 = performance.now();
  const stats = generateCorpus(out, {
    files: Number(values.files),
    pythonMB: Number(values['python-mb']),
  });
  console.log(JSON.stringify({ ...stats, ms: Math.round(performance.now() - t0) }));
}
