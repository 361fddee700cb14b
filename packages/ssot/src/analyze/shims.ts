import type { ModuleEffect } from '../extract/types.js';
import type { ModuleNode, ProjectGraph } from '../graph/graph.js';
import { perModuleName } from './conventions.js';

/** A name a shim passes on, and the module it takes it from. */
export interface Reexport {
  /** The name the shim binds (its public name). */
  name: string;
  /** The name in the module it comes from (differs for `import X as Y` and `Y = X`). */
  imported: string;
  /** Module it comes from (dotted name, or the file for TS). */
  from: string;
}

export interface ShimProfile {
  reexports: Reexport[];
  /** Public names the module defines itself (a shim may have a few). */
  own: string[];
  /** What else it runs at import, in words ("logs at import (line 7)"). */
  alsoRuns: string[];
}

/** Of the module's public names, at most this share may be its own for it to count as a shim. */
const OWN_SHARE = 0.25;

/** `from m import *`, and names others take from `m` (graph-wide, computed once). */
export function importedFromIndex(graph: ProjectGraph): Map<string, Set<string>> {
  const index = new Map<string, Set<string>>();
  for (const m of graph.modules.values()) {
    m.record.imports.forEach((imp, i) => {
      const target = m.resolved[i]?.file;
      if (!target || target === m.file) return;
      let set = index.get(target);
      if (!set) {
        set = new Set();
        index.set(target, set);
      }
      for (const n of imp.names) set.add(n.imported);
      if (imp.kind === 'export-all') set.add('*');
    });
  }
  return index;
}

function describeEffects(effects: ModuleEffect[], defined: Set<string>): string[] {
  const out: string[] = [];
  const fallbacks = effects.filter((e) => e.kind === 'fallback');
  if (fallbacks.length) {
    const values = [...new Set(fallbacks.map((e) => e.detail || '…'))];
    out.push(
      `falls back to ${values.join(' / ')} when the import fails (${fallbacks.map((e) => e.name).join(', ')}, line ${fallbacks[0]?.line})`,
    );
  }
  for (const e of effects) {
    if (e.kind === 'logs') out.push(`logs at import (${e.name}, line ${e.line})`);
    else if (e.kind === 'warns') out.push(`warns at import (line ${e.line})`);
    else if (e.kind === 'calls')
      out.push(
        defined.has(e.name)
          ? `defines and calls ${e.name}() at import (line ${e.line})`
          : `calls ${e.name}() at import (line ${e.line})`,
      );
  }
  return out;
}

/**
 * A module is a shim when (almost) all of its public names come from imports — re-exported
 * as they are, renamed (`import X as Y`, `Y = X`), or with a fallback when the import fails —
 * whatever else it runs at import (logging, warnings, a helper it calls, `TYPE_CHECKING`
 * imports, `__all__`, docstrings). A Python module counts only when something passes through
 * it: another module imports one of those names from it, it declares `__all__`, or it is a
 * package `__init__.py`. TS/JS modules: only `export … from` and re-exported imports.
 */
export function shimProfile(
  graph: ProjectGraph,
  m: ModuleNode,
  importedFrom: Map<string, Set<string>>,
): ShimProfile | null {
  const record = m.record;
  if (record.parseError) return null;
  const moduleOf = (i: number) => {
    const r = m.resolved[i];
    if (!r || r.status === 'external') return null;
    return r.file ? (graph.modules.get(r.file)?.name ?? r.module) : r.module;
  };
  if (record.language === 'ts') {
    if (!record.reexportOnly) return null;
    const reexports: Reexport[] = [];
    record.imports.forEach((imp, i) => {
      const from = moduleOf(i);
      if (!from) return;
      if (imp.kind === 'export-all') reexports.push({ name: '*', imported: '*', from });
      for (const n of imp.names) reexports.push({ name: n.local, imported: n.imported, from });
    });
    return { reexports, own: [], alsoRuns: [] };
  }
  // Python: only a module something passes through can be a shim (checked first: cheap).
  const takenFrom = importedFrom.get(m.file);
  const isInit = m.file.endsWith('__init__.py');
  if (!record.hasAll && !isInit && takenFrom === undefined) return null;
  // Names bound by module-level runtime imports from the project.
  const imported = new Map<string, Reexport>();
  // A PEP 562 module `__getattr__` hands the names out lazily (`ssot shim --lazy`): its
  // TYPE_CHECKING and function-level imports say what it passes on.
  const lazy = record.bindings.some((b) => b.kind === 'function' && b.name === '__getattr__');
  record.imports.forEach((imp, i) => {
    if (((imp.functionLevel || imp.typeChecking) && !lazy) || imp.kind === 'dynamic') return;
    const from = moduleOf(i);
    if (!from) return;
    if (imp.kind === 'export-all') imported.set('*', { name: '*', imported: '*', from });
    if (imp.kind === 'import-module') return; // a module object, not a re-exported name
    for (const n of imp.names) {
      if (!imported.has(n.local))
        imported.set(n.local, { name: n.local, imported: n.imported, from });
    }
  });
  if (imported.size === 0) return null;
  const fallbackNames = new Set(
    record.effects.filter((e) => e.kind === 'fallback').map((e) => e.name),
  );
  const passed = new Map<string, Reexport>();
  const own: string[] = [];
  const defined = new Set<string>();
  for (const b of record.bindings) {
    if (b.kind === 'class' || b.kind === 'function') defined.add(b.name);
    if (!b.exported) continue;
    if (b.kind === 'alias') {
      const head = b.target ? (b.target[0] as string) : b.name;
      const source = imported.get(head) ?? passed.get(head);
      if (source) {
        passed.set(b.name, { ...source, name: b.name });
        continue;
      }
      if (!b.target) continue; // an import rename from outside the project
    }
    if (fallbackNames.has(b.name) && imported.has(b.name)) continue;
    if (perModuleName(b.name)) continue; // logger, __version__, …
    own.push(b.name);
  }
  const all = record.hasAll ? new Set(record.exports.map((e) => e.exported)) : null;
  for (const [local, r] of imported) {
    if (local === '*' || local.startsWith('_') || local === 'TYPE_CHECKING') continue;
    if (all && !all.has(local)) continue;
    if (!passed.has(local)) passed.set(local, r);
  }
  if (passed.size === 0) return null;
  if (own.length > OWN_SHARE * (own.length + passed.size)) return null;
  const throughIt =
    record.hasAll ||
    isInit ||
    (takenFrom !== undefined &&
      [...passed.keys()].some((n) => takenFrom.has(n) || takenFrom.has('*')));
  if (!throughIt) return null;
  const reexports = [...passed.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { reexports, own: own.sort(), alsoRuns: describeEffects(record.effects, defined) };
}
