import { isShim, type RuleContext } from '../context.js';
import type { Finding, ShimModuleFinding } from '../types.js';

const BARREL = /(^|\/)(__init__\.py|index\.[cm]?[jt]sx?)$/;

function list(items: Set<string>): string {
  const sorted = [...items].sort();
  return sorted.length <= 3
    ? sorted.join(', ')
    : `${sorted.slice(0, 3).join(', ')} and ${sorted.length - 3} more`;
}

/** A module that only re-exports, with how many modules import through it. */
export function shimModule(ctx: RuleContext): Finding[] {
  const { graph } = ctx;
  const findings: ShimModuleFinding[] = [];
  for (const m of graph.modules.values()) {
    if (!isShim(graph, m)) continue;
    const importers = graph.importers.get(m.file)?.size ?? 0;
    const from = new Set<string>();
    m.record.imports.forEach((_imp, i) => {
      const r = m.resolved[i];
      if (r && r.status !== 'external')
        from.add(r.file ? (graph.modules.get(r.file)?.name ?? r.module) : r.module);
    });
    const barrel = BARREL.test(m.file);
    findings.push({
      rule: 'shim-module',
      severity: barrel ? 'note' : 'warning',
      message: `${m.name} only re-exports${from.size ? ` from ${list(from)}` : ''}; ${importers} module${importers === 1 ? ' imports' : 's import'} through it`,
      score: importers,
      module: m.name,
      file: m.file,
      importers,
      barrel,
      reexportsFrom: [...from].sort(),
    });
  }
  return findings;
}
