import type { SsotConfig } from '../config/config.js';
import type { ModuleNode, ProjectGraph } from '../graph/graph.js';
import type { SymbolResolver } from '../graph/symbols.js';
import { importedFromIndex, type ShimProfile, shimProfile } from './shims.js';
import type { Finding } from './types.js';

export interface RuleContext {
  graph: ProjectGraph;
  symbols: SymbolResolver;
  config: SsotConfig;
  /** file → the names other modules import from it (`*` for `from m import *`). */
  importedFrom: Map<string, Set<string>>;
  /** Shim modules by file, with what they pass on. */
  shims: Map<string, ShimProfile>;
}

/** The context every rule reads (indexes computed once). */
export function ruleContext(
  graph: ProjectGraph,
  symbols: SymbolResolver,
  config: SsotConfig,
): RuleContext {
  const importedFrom = importedFromIndex(graph);
  const shims = new Map<string, ShimProfile>();
  for (const m of graph.modules.values()) {
    const p = shimProfile(graph, m, importedFrom);
    if (p) shims.set(m.file, p);
  }
  return { graph, symbols, config, importedFrom, shims };
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
