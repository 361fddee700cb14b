import type { FileRecord, ImportRecord } from '../extract/types.js';
import type { ResolvedImport } from './types.js';

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i === -1 ? '' : p.slice(0, i);
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function join(dir: string, rest: string): string {
  if (!dir) return rest;
  if (!rest) return dir;
  return `${dir}/${rest}`;
}

/**
 * Python module naming and import resolution, without configuration:
 * - a directory with `__init__.py` is a regular package; its import root is the nearest ancestor
 *   that is not a package (so `src/` layouts and several roots in one repository just work);
 * - a directory without `__init__.py` whose name some absolute import starts with is a PEP 420
 *   namespace package portion, and the root moves above it;
 * - a script directory (no `__init__.py`) is on its own scripts' path, as `python dir/x.py` has it;
 * - relative imports are resolved by directory, every level.
 * Everything is computed from the discovered file list: no file system access.
 */
export class PythonResolver {
  private readonly files = new Set<string>();
  private readonly packageDirs = new Set<string>();
  /** Every directory that holds a `.py` file at any depth. */
  private readonly dirs = new Set<string>();
  private readonly firstSegments = new Set<string>();
  /** dotted name → files with that name (several roots may define the same name). */
  private readonly byName = new Map<string, string[]>();
  /** dotted names of directories that hold modules (regular or namespace packages). */
  private readonly packageNames = new Set<string>();
  private readonly rootCache = new Map<string, string>();
  private readonly namespaceCache = new Map<string, boolean>();
  private readonly nameOfFile = new Map<string, string>();

  constructor(records: Iterable<FileRecord>, allPyFiles: Iterable<string>) {
    for (const f of allPyFiles) {
      this.files.add(f);
      if (basename(f) === '__init__.py') this.packageDirs.add(dirname(f));
      for (let d = dirname(f); d && !this.dirs.has(d); d = dirname(d)) this.dirs.add(d);
    }
    for (const r of records) {
      for (const imp of r.imports) {
        if (imp.level === 0 && imp.kind !== 'dynamic') {
          this.firstSegments.add(imp.specifier.split('.')[0] as string);
        }
      }
    }
    for (const f of this.files) {
      const name = this.moduleName(f);
      this.nameOfFile.set(f, name);
      const list = this.byName.get(name);
      if (list) list.push(f);
      else this.byName.set(name, [f]);
      const parts = name.split('.');
      for (let i = 1; i < parts.length; i++) this.packageNames.add(parts.slice(0, i).join('.'));
      if (basename(f) === '__init__.py') this.packageNames.add(name);
    }
  }

  /** The import root (a `sys.path` entry) for modules in `dir`. */
  rootOf(dir: string): string {
    const cached = this.rootCache.get(dir);
    if (cached !== undefined) return cached;
    const root =
      dir !== '' && (this.packageDirs.has(dir) || this.isNamespace(dir))
        ? this.rootOf(dirname(dir))
        : dir;
    this.rootCache.set(dir, root);
    return root;
  }

  /**
   * A directory without `__init__.py` is a namespace package portion when absolute imports start
   * with its name, or when it sits inside a (regular or namespace) package.
   */
  private isNamespace(dir: string): boolean {
    const known = this.namespaceCache.get(dir);
    if (known !== undefined) return known;
    const parent = dirname(dir);
    const ns =
      !this.packageDirs.has(dir) &&
      (this.firstSegments.has(basename(dir)) ||
        (parent !== '' && (this.packageDirs.has(parent) || this.isNamespace(parent))));
    this.namespaceCache.set(dir, ns);
    return ns;
  }

  /** Dotted module name of a `.py` file (`pkg/sub/__init__.py` → `pkg.sub`). */
  moduleName(file: string): string {
    const known = this.nameOfFile.get(file);
    if (known !== undefined) return known;
    const dir = dirname(file);
    const root = this.rootOf(dir);
    const rel = root ? file.slice(root.length + 1) : file;
    const noExt = rel.replace(/\.py$/, '');
    const parts = noExt.split('/');
    if (parts[parts.length - 1] === '__init__') parts.pop();
    return parts.join('.');
  }

  /** Dotted name for a directory path (a package). */
  private dirName(dir: string): string {
    const root = this.rootOf(dir);
    const rel = root ? dir.slice(root.length + 1) : dir;
    return rel.split('/').filter(Boolean).join('.');
  }

  /** Finds the file for a dotted name, preferring the candidate nearest to the importer. */
  lookupModule(name: string, importer: string): string | null {
    const scriptDir = dirname(importer);
    if (!this.packageDirs.has(scriptDir)) {
      // Scripts see their own directory first.
      const local = this.byPath(join(scriptDir, name.replace(/\./g, '/')));
      if (local) return local;
    }
    const list = this.byName.get(name);
    if (!list || list.length === 0) return null;
    if (list.length === 1) return list[0] as string;
    let best = list[0] as string;
    let bestLen = -1;
    for (const f of list) {
      let i = 0;
      while (i < f.length && i < importer.length && f[i] === importer[i]) i++;
      if (i > bestLen) {
        bestLen = i;
        best = f;
      }
    }
    return best;
  }

  /** `a/b/c` → `a/b/c.py` or `a/b/c/__init__.py` when it exists. */
  private byPath(path: string): string | null {
    if (this.files.has(`${path}.py`)) return `${path}.py`;
    if (this.files.has(`${path}/__init__.py`)) return `${path}/__init__.py`;
    return null;
  }

  /** Resolves one import of `importer` (a `.py` file relative to the root). */
  resolve(importer: string, imp: ImportRecord): ResolvedImport {
    let file: string | null;
    let module: string;
    let namespace = false;
    /** Directory of the package the names come from, when known. */
    let pkgPath: string | null = null;
    if (imp.level > 0) {
      let base = dirname(importer);
      for (let i = 1; i < imp.level; i++) base = dirname(base);
      const rest = imp.specifier.slice(imp.level);
      const path = join(base, rest.replace(/\./g, '/'));
      file = this.byPath(path);
      module = file ? this.moduleName(file) : this.dirName(path);
      namespace = !file && this.dirs.has(path);
      pkgPath = path;
    } else {
      module = imp.specifier;
      file = this.lookupModule(module, importer);
      namespace = !file && this.packageNames.has(module);
      if (file && basename(file) === '__init__.py') pkgPath = dirname(file);
    }
    const out: ResolvedImport = {
      file,
      module,
      status: file
        ? 'project'
        : namespace
          ? 'namespace'
          : imp.level > 0
            ? 'unresolved'
            : 'external',
    };
    if (imp.kind === 'import' && (file || namespace)) {
      out.submodules = imp.names.map((n) => {
        if (pkgPath !== null) return this.byPath(join(pkgPath, n.imported));
        if (namespace) return this.lookupModule(`${module}.${n.imported}`, importer);
        return null;
      });
    }
    return out;
  }
}
