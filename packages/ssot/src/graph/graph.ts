import type { FileRecord, ImportRecord } from '../extract/types.js';
import type { Resolvers } from '../resolve/resolve.js';
import type { Resolution, ResolvedImport } from '../resolve/types.js';

/**
 * How an import edge executes:
 * - `runtime`: when the importing module loads;
 * - `type-only`: TS `import type` / `export type` — erased;
 * - `type-checking`: Python `if TYPE_CHECKING:` — never runs;
 * - `function-level`: inside a function, runs when it is called;
 * - `dynamic`: `import()` / `importlib.import_module()`.
 */
export type EdgeKind = 'runtime' | 'type-only' | 'type-checking' | 'function-level' | 'dynamic';

export interface Edge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** Index into the importing record's `imports`. */
  importIndex: number;
  line: number;
}

export interface ModuleNode {
  file: string;
  /** Display name: Python dotted module name; TS/JS the path relative to the root. */
  name: string;
  record: FileRecord;
  resolved: ResolvedImport[];
}

/** The one project graph all rules read: modules, resolved imports and import edges. */
export interface ProjectGraph {
  modules: Map<string, ModuleNode>;
  edges: Edge[];
  /** Outgoing edges per module. */
  out: Map<string, Edge[]>;
  /** Files importing each module (any kind of import). */
  importers: Map<string, Set<string>>;
  resolvers: Resolvers;
}

export function edgeKind(imp: ImportRecord): EdgeKind {
  if (imp.dynamic) return 'dynamic';
  if (imp.functionLevel) return 'function-level';
  if (imp.typeChecking) return 'type-checking';
  if (imp.typeOnly) return 'type-only';
  return 'runtime';
}

export function buildGraph(
  records: FileRecord[],
  resolution: Resolution,
  resolvers: Resolvers,
): ProjectGraph {
  const modules = new Map<string, ModuleNode>();
  for (const record of records) {
    const name = record.language === 'py' ? resolvers.python.moduleName(record.file) : record.file;
    modules.set(record.file, {
      file: record.file,
      name,
      record,
      resolved: resolution.get(record.file) ?? [],
    });
  }
  const edges: Edge[] = [];
  const out = new Map<string, Edge[]>();
  const importers = new Map<string, Set<string>>();
  const addEdge = (e: Edge) => {
    if (e.from === e.to || !modules.has(e.to)) return;
    edges.push(e);
    const list = out.get(e.from);
    if (list) list.push(e);
    else out.set(e.from, [e]);
    const set = importers.get(e.to);
    if (set) set.add(e.from);
    else importers.set(e.to, new Set([e.from]));
  };
  for (const m of modules.values()) {
    m.record.imports.forEach((imp, i) => {
      const r = m.resolved[i];
      if (!r) return;
      const kind = edgeKind(imp);
      if (r.file) addEdge({ from: m.file, to: r.file, kind, importIndex: i, line: imp.line });
      for (const sub of r.submodules ?? []) {
        if (sub) addEdge({ from: m.file, to: sub, kind, importIndex: i, line: imp.line });
      }
    });
  }
  return { modules, edges, out, importers, resolvers };
}
