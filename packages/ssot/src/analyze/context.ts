import type { SsotConfig } from '../config/config.js';
import type { ModuleNode, ProjectGraph } from '../graph/graph.js';
import type { SymbolResolver } from '../graph/symbols.js';
import type { Finding } from './types.js';

export interface RuleContext {
  graph: ProjectGraph;
  symbols: SymbolResolver;
  config: SsotConfig;
}

export type Rule = (ctx: RuleContext) => Finding[];

/** `WebSocketManager` → the concept configured for it (by concept name or canonical symbol). */
export function conceptFor(config: SsotConfig, symbol: string) {
  for (const [name, c] of Object.entries(config.concepts ?? {})) {
    if ((c.canonical.symbol ?? name) === symbol) return { name, ...c };
  }
  return null;
}

/**
 * Every spelling of the module that import `index` of `m` names — as written, as resolved, its
 * file, and the file's module name — for matching against config patterns.
 */
export function importSpellings(
  graph: ProjectGraph,
  m: ModuleNode,
  index: number,
): (string | null | undefined)[] {
  const imp = m.record.imports[index];
  const r = m.resolved[index];
  return [imp?.specifier, r?.module, r?.file, r?.file ? graph.modules.get(r.file)?.name : null];
}

/** Whether a config module pattern (exact, or prefix with a trailing `*`) matches any of `candidates`. */
export function moduleMatches(pattern: string, candidates: (string | null | undefined)[]): boolean {
  if (pattern.endsWith('*')) {
    const prefix = pattern.slice(0, -1);
    return candidates.some((c) => c?.startsWith(prefix));
  }
  return candidates.some((c) => c === pattern);
}

/**
 * A module that only re-exports. TS says so with `export … from`; a Python module that only
 * imports is a shim when something imports through it, it declares `__all__`, or it is a
 * package `__init__.py` — otherwise it is just a leaf that uses what it imports.
 */
export function isShim(graph: ProjectGraph, m: ModuleNode): boolean {
  if (!m.record.reexportOnly) return false;
  if (m.record.language === 'ts' || m.record.hasAll || m.file.endsWith('__init__.py')) return true;
  return (graph.importers.get(m.file)?.size ?? 0) > 0;
}
