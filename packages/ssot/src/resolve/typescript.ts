import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { getTsconfig } from 'get-tsconfig';
import { ResolverFactory } from 'oxc-resolver';
import type { ImportRecord } from '../extract/types.js';
import type { ResolvedImport } from './types.js';

const TS_EXTENSIONS = [
  '.ts',
  '.tsx',
  '.mts',
  '.cts',
  '.d.ts',
  '.js',
  '.jsx',
  '.mjs',
  '.cjs',
  '.json',
];

/** Output extension → the source extensions TypeScript compiles to it. */
const SOURCE_OF: [RegExp, string[]][] = [
  [/\.d\.ts$/, ['.ts', '.tsx']],
  [/\.d\.mts$/, ['.mts']],
  [/\.d\.cts$/, ['.cts']],
  [/\.js$/, ['.ts', '.tsx', '.js', '.jsx']],
  [/\.mjs$/, ['.mts', '.mjs']],
  [/\.cjs$/, ['.cts', '.cjs']],
];

interface Manifest {
  name?: string;
  exports?: unknown;
  types?: string;
  typings?: string;
  module?: string;
  main?: string;
}

interface WorkspacePackage {
  name: string;
  /** Absolute directory. */
  dir: string;
  manifest: Manifest;
}

const CONDITIONS = ['types', 'import', 'require', 'node', 'default'];

/** The first target of an `exports` value under our conditions. */
function pickTarget(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const t = pickTarget(v);
      if (t) return t;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (!CONDITIONS.includes(k)) continue;
      const t = pickTarget(v);
      if (t) return t;
    }
  }
  return null;
}

/** Resolves `subpath` (`.`, `./events`) through a package.json `exports` field, patterns included. */
function exportsTarget(exports: unknown, subpath: string): string | null {
  const isMap =
    exports &&
    typeof exports === 'object' &&
    !Array.isArray(exports) &&
    Object.keys(exports).some((k) => k.startsWith('.'));
  if (!isMap) return subpath === '.' ? pickTarget(exports) : null;
  const map = exports as Record<string, unknown>;
  if (map[subpath] !== undefined) return pickTarget(map[subpath]);
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf('*');
    if (star === -1) continue;
    const pre = key.slice(0, star);
    const post = key.slice(star + 1);
    if (subpath.startsWith(pre) && subpath.endsWith(post) && subpath.length >= key.length - 1) {
      const middle = subpath.slice(pre.length, subpath.length - post.length);
      return pickTarget(value)?.replace(/\*/g, middle) ?? null;
    }
  }
  return null;
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

function isRelative(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..';
}

/** Expands workspace globs (`packages/*`, `apps/**`, literal dirs) against the walked directories. */
function matchWorkspaceDirs(patterns: string[], dirs: Iterable<string>): string[] {
  const regexes = patterns.map((p) => {
    const clean = p.replace(/^\.\//, '').replace(/\/$/, '');
    const re = clean
      .split('/')
      .map((seg) =>
        seg === '**'
          ? '.*'
          : seg
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '[^/]*')
              .replace(/\?/g, '[^/]'),
      )
      .join('/');
    return new RegExp(`^${re}$`);
  });
  const out: string[] = [];
  for (const d of dirs) if (d && regexes.some((r) => r.test(d))) out.push(d);
  return out.sort();
}

function readWorkspacePatterns(root: string): string[] {
  const patterns: string[] = [];
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      workspaces?: string[] | { packages?: string[] };
    };
    const ws = Array.isArray(pkg.workspaces) ? pkg.workspaces : (pkg.workspaces?.packages ?? []);
    patterns.push(...ws);
  } catch {}
  try {
    // pnpm-workspace.yaml: only the `packages:` list of plain strings is needed.
    const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
    let inPackages = false;
    for (const line of yaml.split('\n')) {
      if (/^packages:\s*$/.test(line)) inPackages = true;
      else if (/^\S/.test(line)) inPackages = false;
      else if (inPackages) {
        const m = /^\s*-\s*['"]?([^'"#]+?)['"]?\s*(#.*)?$/.exec(line);
        if (m?.[1] && !m[1].startsWith('!')) patterns.push(m[1]);
      }
    }
  } catch {}
  return patterns;
}

/**
 * TS/JS module resolution with oxc-resolver: the nearest tsconfig.json (`extends`, `baseUrl`,
 * `paths`), package `exports`/`main`, index files and extensions (`./x.js` → `x.ts`). Workspace
 * packages resolve to their sources even without `node_modules`, and targets in a package's build
 * output (`dist/…`) are mapped back to the source file through its tsconfig `outDir`/`rootDir`.
 */
export class TypeScriptResolver {
  private readonly resolver: ResolverFactory;
  private readonly cache = new Map<
    string,
    { file: string | null; status: ResolvedImport['status'] }
  >();
  private readonly workspaces: WorkspacePackage[] = [];
  private readonly outDirCache = new Map<string, { outDir: string; rootDir: string } | null>();

  constructor(
    private readonly root: string,
    /** Files of the project (relative), to tell sources from build output. */
    private readonly projectFiles: Set<string>,
    dirs: Iterable<string>,
  ) {
    this.resolver = new ResolverFactory({
      tsconfig: 'auto',
      conditionNames: ['types', 'import', 'require', 'node', 'default'],
      extensions: TS_EXTENSIONS,
      extensionAlias: {
        '.js': ['.ts', '.tsx', '.js', '.jsx'],
        '.jsx': ['.tsx', '.jsx'],
        '.mjs': ['.mts', '.mjs'],
        '.cjs': ['.cts', '.cjs'],
      },
      mainFields: ['types', 'typings', 'module', 'main'],
      builtinModules: true,
      symlinks: true,
    });
    for (const dir of matchWorkspaceDirs(readWorkspacePatterns(root), dirs)) {
      try {
        const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest;
        if (pkg.name) this.workspaces.push({ name: pkg.name, dir: join(root, dir), manifest: pkg });
      } catch {}
    }
  }

  /** Workspace packages found from the root `package.json` / `pnpm-workspace.yaml`: name → relative dir. */
  workspacePackages(): Map<string, string> {
    return new Map(this.workspaces.map((w) => [w.name, toPosix(relative(this.root, w.dir))]));
  }

  /** The source file each workspace package's main entry (`import 'name'`) reaches: file → package dir (relative). */
  packageEntries(): Map<string, string> {
    const out = new Map<string, string>();
    for (const w of this.workspaces) {
      const entry = this.resolveInWorkspace(w, w.name);
      if (entry) out.set(entry, toPosix(relative(this.root, w.dir)));
    }
    return out;
  }

  resolve(importer: string, imp: ImportRecord): ResolvedImport {
    const spec = imp.specifier;
    // Keyed by the importer's directory (relative, no path joins): one tsconfig per directory.
    const key = `${importer.slice(0, importer.lastIndexOf('/') + 1)}\0${spec}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.resolveUncached(join(this.root, importer), spec);
      this.cache.set(key, hit);
    }
    const module = isRelative(spec) && hit.file ? hit.file : spec;
    return { file: hit.file, module, status: hit.status };
  }

  private resolveUncached(
    importerAbs: string,
    spec: string,
  ): { file: string | null; status: ResolvedImport['status'] } {
    const r = this.resolver.resolveFileSync(importerAbs, spec);
    if (r.builtin) return { file: null, status: 'external' };
    if (r.path) {
      const file = this.toProjectFile(r.path);
      if (file) return { file, status: 'project' };
    }
    const ws = this.workspaces.find((w) => spec === w.name || spec.startsWith(`${w.name}/`));
    if (ws) {
      const viaWs = this.resolveInWorkspace(ws, spec);
      // A workspace package's subpath that its `exports` does not list does not resolve.
      return viaWs ? { file: viaWs, status: 'project' } : { file: null, status: 'unresolved' };
    }
    if (r.path) return { file: null, status: 'external' };
    return {
      file: null,
      status: isRelative(spec) || spec.startsWith('/') ? 'unresolved' : 'external',
    };
  }

  /**
   * A workspace package's own `exports` (or `types`/`main`), read from its package.json — the
   * targets usually point at build output that need not exist — else its directory layout.
   */
  private resolveInWorkspace(ws: WorkspacePackage, spec: string): string | null {
    const sub = spec.slice(ws.name.length + 1);
    const pkg = ws.manifest;
    const subpath = sub ? `./${sub}` : '.';
    const target =
      pkg.exports !== undefined
        ? exportsTarget(pkg.exports, subpath)
        : subpath === '.'
          ? (pkg.types ?? pkg.typings ?? pkg.module ?? pkg.main ?? null)
          : null;
    if (typeof target === 'string') {
      const f = this.toProjectFile(join(ws.dir, target));
      if (f) return f;
    }
    if (pkg.exports !== undefined) return null; // `exports` is the whole public surface
    const local = this.resolver.sync(ws.dir, subpath === '.' ? './' : subpath);
    if (local.path) return this.toProjectFile(local.path);
    return null;
  }

  /** A resolved absolute path → the project source file it stands for, or null. */
  private toProjectFile(abs: string): string | null {
    const rel = toPosix(relative(this.root, abs));
    if (rel.startsWith('..') || rel.includes('node_modules/')) return null;
    if (this.projectFiles.has(rel)) return rel;
    return this.sourceOfOutput(abs);
  }

  /** Maps `pkg/dist/x.js` (or `.d.ts`) back to `pkg/src/x.ts` through the package's tsconfig. */
  private sourceOfOutput(abs: string): string | null {
    for (let dir = dirname(abs); dir.length >= this.root.length; dir = dirname(dir)) {
      if (!existsSync(join(dir, 'package.json'))) {
        if (dir === dirname(dir)) break;
        continue;
      }
      const dirs = this.outDirOf(dir);
      const candidates: [string, string][] = [];
      if (dirs) candidates.push([dirs.outDir, dirs.rootDir]);
      for (const out of ['dist', 'build', 'lib', 'out']) {
        candidates.push([join(dir, out), join(dir, 'src')]);
      }
      for (const [outDir, rootDir] of candidates) {
        const rel = relative(outDir, abs);
        if (rel.startsWith('..')) continue;
        for (const [re, exts] of SOURCE_OF) {
          if (!re.test(rel)) continue;
          const stem = rel.replace(re, '');
          for (const ext of exts) {
            const cand = toPosix(relative(this.root, join(rootDir, stem + ext)));
            if (this.projectFiles.has(cand)) return cand;
          }
        }
      }
      return null;
    }
    return null;
  }

  private outDirOf(pkgDir: string): { outDir: string; rootDir: string } | null {
    if (this.outDirCache.has(pkgDir)) return this.outDirCache.get(pkgDir) ?? null;
    let found: { outDir: string; rootDir: string } | null = null;
    try {
      const tsconfig = getTsconfig(pkgDir);
      const opts = tsconfig?.config.compilerOptions;
      if (tsconfig && opts?.outDir) {
        const base = dirname(tsconfig.path);
        found = {
          outDir: resolve(base, opts.outDir),
          rootDir: resolve(base, opts.rootDir ?? '.'),
        };
      }
    } catch {}
    this.outDirCache.set(pkgDir, found);
    return found;
  }
}
