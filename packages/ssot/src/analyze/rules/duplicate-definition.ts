import type { BindingRecord } from '../../extract/types.js';
import type { RuleContext } from '../context.js';
import type { DuplicateBinding, DuplicateDefinitionFinding, Finding } from '../types.js';

type Candidate = DuplicateBinding & { name: string; imported: boolean };

/**
 * One name bound (class, function, alias) in several modules, grouped by the implementation each
 * binding resolves to. By default a name is reported only when another module imports at least
 * one of its bindings — a concept in use, not a `main` in every script.
 */
export function duplicateDefinition(ctx: RuleContext): Finding[] {
  const { graph, symbols, config } = ctx;
  const includeUnimported = config.duplicates?.includeUnimported ?? false;
  const importedNames = new Map<string, Set<string>>(); // file → names other modules import from it
  for (const m of graph.modules.values()) {
    m.record.imports.forEach((imp, i) => {
      const target = m.resolved[i]?.file;
      if (!target || target === m.file) return;
      let set = importedNames.get(target);
      if (!set) {
        set = new Set();
        importedNames.set(target, set);
      }
      for (const n of imp.names) set.add(n.imported);
      if (imp.kind === 'export-all') set.add('*');
    });
  }
  // Group first, resolve later: most names are bound once and need no alias resolution.
  const byName = new Map<string, { file: string; binding: BindingRecord }[]>();
  for (const m of graph.modules.values()) {
    for (const b of m.record.bindings) {
      if (!b.exported || (b.kind !== 'class' && b.kind !== 'function' && b.kind !== 'alias'))
        continue;
      // One concept per language: a Python class and a TS class are not merged.
      const key = `${m.record.language}:${b.name}`;
      const list = byName.get(key);
      if (list) list.push({ file: m.file, binding: b });
      else byName.set(key, [{ file: m.file, binding: b }]);
    }
  }
  const candidates = (list: { file: string; binding: BindingRecord }[]): Candidate[] =>
    list.map(({ file, binding: b }) => {
      const def = symbols.resolveBinding(file, b);
      const names = importedNames.get(file);
      return {
        name: b.name,
        file,
        line: b.line,
        kind: b.kind as Candidate['kind'],
        resolvesTo: def ? { file: def.file, line: def.line, name: def.name } : null,
        imported: names ? names.has(b.name) || names.has('*') : false,
      };
    });
  const findings: DuplicateDefinitionFinding[] = [];
  for (const bound of byName.values()) {
    const modules = new Set(bound.map((c) => c.file)).size;
    if (modules < 2) continue;
    const list = candidates(bound);
    const symbol = (list[0] as Candidate).name;
    if (!includeUnimported && !list.some((c) => c.imported || c.kind === 'alias')) continue;
    const impls = new Set(
      list.filter((c) => c.resolvesTo).map((c) => `${c.resolvesTo?.file}:${c.resolvesTo?.line}`),
    );
    const implementations = impls.size;
    // Group by implementation: bindings of one implementation together, largest group first.
    const groupKey = (c: Candidate) =>
      c.resolvesTo ? `${c.resolvesTo.file}:${c.resolvesTo.line}` : `~${c.file}`;
    const groupSize = new Map<string, number>();
    for (const c of list) groupSize.set(groupKey(c), (groupSize.get(groupKey(c)) ?? 0) + 1);
    list.sort(
      (a, b) =>
        (groupSize.get(groupKey(b)) ?? 0) - (groupSize.get(groupKey(a)) ?? 0) ||
        groupKey(a).localeCompare(groupKey(b)) ||
        a.file.localeCompare(b.file) ||
        a.line - b.line,
    );
    findings.push({
      rule: 'duplicate-definition',
      severity: implementations > 1 ? 'error' : 'warning',
      message: `${symbol} is bound in ${modules} modules, ${implementations} distinct implementation${implementations === 1 ? '' : 's'}`,
      score: modules * Math.max(1, implementations),
      symbol,
      modules,
      implementations,
      bindings: list.map(({ file, line, kind, resolvesTo }) => ({ file, line, kind, resolvesTo })),
    });
  }
  return findings;
}
