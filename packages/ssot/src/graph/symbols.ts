import type { BindingKind, BindingRecord } from '../extract/types.js';
import type { ModuleNode, ProjectGraph } from './graph.js';

/** The definition a binding or an imported name ends at. */
export interface Definition {
  file: string;
  line: number;
  name: string;
  kind: BindingKind;
}

type LocalEntry =
  | { type: 'binding'; at: number; binding: BindingRecord }
  | { type: 'import'; at: number; importIndex: number; imported: string }
  | { type: 'module'; at: number; importIndex: number };

/**
 * Follows names through alias assignments (`X = Y`, `X = mod.Y`), renaming imports
 * (`from m import Y as X`, `import { Y as X }`), re-exports (`export { Y as X } from`,
 * `export * from`, Python `from m import *`) to the definition they end at.
 */
export class SymbolResolver {
  /** file → exported name → definition (nested maps: no string keys built per lookup). */
  private readonly memo = new Map<string, Map<string, Definition | null>>();
  private readonly scopes = new Map<string, Map<string, LocalEntry>>();
  private readonly active = new Map<string, Set<string>>();
  /** One Definition object per definition, so that callers can key maps by identity. */
  private readonly defs = new WeakMap<BindingRecord, Definition>();

  constructor(private readonly graph: ProjectGraph) {}

  /** The definition that `name`, as exported by module `file`, ends at. */
  resolveExport(file: string, name: string): Definition | null {
    let memo = this.memo.get(file);
    if (!memo) {
      memo = new Map();
      this.memo.set(file, memo);
    }
    const known = memo.get(name);
    if (known !== undefined) return known;
    let active = this.active.get(file);
    if (!active) {
      active = new Set();
      this.active.set(file, active);
    }
    if (active.has(name)) return null; // a re-export cycle
    active.add(name);
    const result = this.computeExport(file, name);
    active.delete(name);
    memo.set(name, result);
    return result;
  }

  /** The definition a module-level binding ends at (itself for classes and functions; one object per definition). */
  resolveBinding(file: string, binding: BindingRecord): Definition | null {
    if (binding.kind !== 'alias') {
      let def = this.defs.get(binding);
      if (!def) {
        def = { file, line: binding.line, name: binding.name, kind: binding.kind };
        this.defs.set(binding, def);
      }
      return def;
    }
    if (binding.target) return this.resolvePath(file, binding.target);
    // An import rename / re-export rename: the import that binds this name.
    const entry = this.scope(file).get(binding.name);
    return entry && entry.type !== 'binding' ? this.resolveEntry(file, entry) : null;
  }

  /** The definition the `nameIndex`-th name of import `importIndex` of `file` reaches. */
  resolveImport(file: string, importIndex: number, imported: string): Definition | null {
    const m = this.graph.modules.get(file);
    const imp = m?.record.imports[importIndex];
    const r = m?.resolved[importIndex];
    if (!m || !imp || !r?.file || imported === '*') return null;
    const nameIndex = imp.names.findIndex((n) => n.imported === imported);
    const sub = nameIndex >= 0 ? r.submodules?.[nameIndex] : null;
    const def = this.resolveExport(r.file, imported);
    if (def || !sub) return def;
    return null; // the name is a submodule, not a definition
  }

  private computeExport(file: string, name: string): Definition | null {
    const m = this.graph.modules.get(file);
    if (!m || m.record.parseError) return null;
    if (m.record.language === 'py') {
      const local = this.resolveLocal(m, name);
      if (local) return local;
      return this.throughStars(m, name);
    }
    for (const e of m.record.exports) if (e.exported === name) return this.resolveLocal(m, e.local);
    for (let i = 0; i < m.record.imports.length; i++) {
      const imp = m.record.imports[i];
      if (imp?.kind !== 'reexport') continue;
      const n = imp.names.find((x) => x.local === name);
      if (n) return this.resolveImport(file, i, n.imported);
    }
    const own = m.record.bindings.find((b) => b.name === name && b.exported);
    if (own) return this.resolveBinding(file, own);
    if (name === 'default') return null;
    return this.throughStars(m, name);
  }

  private throughStars(m: ModuleNode, name: string): Definition | null {
    for (let i = 0; i < m.record.imports.length; i++) {
      const imp = m.record.imports[i];
      const target = m.resolved[i]?.file;
      if (imp?.kind !== 'export-all' || !target || imp.functionLevel) continue;
      const def = this.resolveExport(target, name);
      if (def) return def;
    }
    return null;
  }

  private scope(file: string): Map<string, LocalEntry> {
    let scope = this.scopes.get(file);
    if (scope) return scope;
    scope = new Map();
    const m = this.graph.modules.get(file);
    const put = (name: string, entry: LocalEntry) => {
      const prev = scope?.get(name);
      // The first binding in source order wins (`try: from fast import X` before the fallback).
      if (!prev || entry.at < prev.at) scope?.set(name, entry);
    };
    if (m) {
      m.record.imports.forEach((imp, i) => {
        if (imp.functionLevel || imp.kind === 'reexport' || imp.kind === 'export-all') {
          if (imp.kind === 'reexport') {
            for (const n of imp.names) {
              put(n.local, {
                type: 'import',
                at: imp.span.start,
                importIndex: i,
                imported: n.imported,
              });
            }
          }
          return;
        }
        if (imp.kind === 'import-module') {
          if (imp.binds) put(imp.binds, { type: 'module', at: imp.span.start, importIndex: i });
          return;
        }
        for (const n of imp.names) {
          put(
            n.local,
            n.imported === '*'
              ? { type: 'module', at: imp.span.start, importIndex: i }
              : { type: 'import', at: imp.span.start, importIndex: i, imported: n.imported },
          );
        }
      });
      for (const b of m.record.bindings) {
        // Rename bindings (alias without target) are described by their import entry.
        if (b.kind === 'alias' && !b.target) continue;
        put(b.name, { type: 'binding', at: b.span.start, binding: b });
      }
    }
    this.scopes.set(file, scope);
    return scope;
  }

  private resolveLocal(m: ModuleNode, name: string): Definition | null {
    const entry = this.scope(m.file).get(name);
    return entry ? this.resolveEntry(m.file, entry) : null;
  }

  private resolveEntry(file: string, entry: LocalEntry): Definition | null {
    switch (entry.type) {
      case 'binding':
        return this.resolveBinding(file, entry.binding);
      case 'import':
        return this.resolveImport(file, entry.importIndex, entry.imported);
      case 'module':
        return null;
    }
  }

  /** `['Y']`, `['mod', 'Y']`, `['a', 'b', 'Y']` (after `import a.b`) → definition. */
  private resolvePath(file: string, path: string[]): Definition | null {
    const m = this.graph.modules.get(file);
    const first = path[0];
    if (!m || first === undefined) return null;
    if (path.length === 1) return this.resolveLocal(m, first);
    const entry = this.scope(file).get(first);
    if (!entry || entry.type === 'binding') return null;
    let moduleFile: string | null = null;
    let rest = path.slice(1);
    if (entry.type === 'import') {
      // `from pkg import mod` then `mod.Y`: the submodule.
      const imp = m.record.imports[entry.importIndex];
      const nameIndex = imp?.names.findIndex((n) => n.imported === entry.imported) ?? -1;
      moduleFile = m.resolved[entry.importIndex]?.submodules?.[nameIndex] ?? null;
    } else {
      const imp = m.record.imports[entry.importIndex];
      const r = m.resolved[entry.importIndex];
      if (imp?.kind === 'import-module' && imp.names.length === 0 && m.record.language === 'py') {
        // `import a.b` binds `a`: find the longest dotted prefix of the path that is a module.
        for (let k = path.length - 1; k >= 1; k--) {
          const f = this.graph.resolvers.python.lookupModule(path.slice(0, k).join('.'), file);
          if (f) {
            moduleFile = f;
            rest = path.slice(k);
            break;
          }
        }
      } else moduleFile = r?.file ?? null;
    }
    if (!moduleFile || rest.length !== 1) return null;
    return this.resolveExport(moduleFile, rest[0] as string);
  }
}
