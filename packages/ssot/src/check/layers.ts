import picomatch from 'picomatch';
import type { ForbiddenImportConfig } from '../config/config.js';
import type { EdgeKind, ProjectGraph } from '../graph/graph.js';

/** One import that crosses a forbidden boundary. */
export interface ForbiddenImport {
  /** The importing file and line. */
  file: string;
  line: number;
  /** The imported file. */
  imports: string;
  kind: EdgeKind;
  reason: string;
}

const list = (g: string | string[] | undefined): string[] =>
  g === undefined ? [] : Array.isArray(g) ? g : [g];

/**
 * Every import edge (any kind: type-only and dynamic imports count as well) from a file matching
 * a rule's `from` (and no `except`) to a file matching its `to`.
 */
export function forbiddenImports(
  graph: ProjectGraph,
  rules: readonly ForbiddenImportConfig[],
  inScope: (file: string) => boolean = () => true,
): ForbiddenImport[] {
  const out: ForbiddenImport[] = [];
  for (const rule of rules) {
    const from = picomatch(list(rule.from), { dot: true });
    const to = picomatch(list(rule.to), { dot: true });
    const except = rule.except ? picomatch(list(rule.except), { dot: true }) : () => false;
    for (const e of graph.edges) {
      if (!inScope(e.from) || !from(e.from) || except(e.from) || !to(e.to)) continue;
      out.push({ file: e.from, line: e.line, imports: e.to, kind: e.kind, reason: rule.reason });
    }
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}
