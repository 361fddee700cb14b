import type { BindingRecord } from '../../extract/types.js';
import type { RuleContext } from '../context.js';
import { classifyConvention } from '../conventions.js';
import { scopeOf, scopeOfFiles } from '../scope.js';
import type { DuplicateBinding, DuplicateDefinitionFinding, Finding } from '../types.js';

type Candidate = DuplicateBinding & { name: string; imported: boolean };

/**
 * One name bound (class, function, alias) in several modules, grouped by the implementation each
 * binding resolves to. By default a name is reported only when another module imports at least
 * one of its bindings (or one is an alias). Names that are per module by convention (entry
 * points, loggers, test hooks and fixtures, framework objects, test doubles) are notes, with the
 * classifier's reason. The cost: files that import the name times the implementations beyond one.
 */
export function duplicateDefinition(ctx: RuleContext): Finding[] {
  const { graph, symbols, config, importedFrom } = ctx;
  const includeUnimported = config.duplicates?.includeUnimported ?? false;
  // Files importing each name of each file (nested maps: no key strings built per import).
  const importersOf = new Map<string, Map<string, Set<string>>>();
  for (const m of graph.modules.values()) {
    m.record.imports.forEach((imp, i) => {
      const target = m.resolved[i]?.file;
      if (!target || target === m.file) return;
      let byName = importersOf.get(target);
      if (!byName) {
        byName = new Map();
        importersOf.set(target, byName);
      }
      for (const n of imp.names) {
        let set = byName.get(n.imported);
        if (!set) {
          set = new Set();
          byName.set(n.imported, set);
        }
        set.add(m.file);
      }
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
      // A name defined again in the same module (`@overload` stubs, a fallback `def`) is one
      // binding of that module: the last definition is what the module exports.
      const prev = list?.findIndex((x) => x.file === m.file) ?? -1;
      if (list && prev !== -1 && b.kind !== 'alias' && list[prev]?.binding.kind !== 'alias')
        list[prev] = { file: m.file, binding: b };
      else if (list) list.push({ file: m.file, binding: b });
      else byName.set(key, [{ file: m.file, binding: b }]);
    }
  }
  const candidates = (list: { file: string; binding: BindingRecord }[]): Candidate[] =>
    list.map(({ file, binding: b }) => {
      const def = symbols.resolveBinding(file, b);
      const names = importedFrom.get(file);
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
    const importerFiles = new Set<string>();
    let importedModules = 0;
    for (const c of list) {
      const set = importersOf.get(c.file)?.get(symbol);
      if (set?.size) importedModules++;
      for (const f of set ?? []) importerFiles.add(f);
    }
    const convention = classifyConvention(
      symbol,
      list.map((c) => ({ kind: c.kind, scope: scopeOf(c.file), file: c.file })),
      implementations,
      importedModules,
    );
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
    const importers = importerFiles.size;
    const severity = convention ? 'note' : implementations > 1 ? 'error' : 'warning';
    findings.push({
      rule: 'duplicate-definition',
      severity,
      message: `${symbol} is bound in ${modules} modules, ${implementations} distinct implementation${implementations === 1 ? '' : 's'}; ${importers} file${importers === 1 ? ' imports' : 's import'} it${convention ? ` — ${convention.reason.split(':')[0]}, a convention` : ''}`,
      // Each implementation beyond the first splits the files that use the name; aliases of one
      // implementation cost the files that must learn which name to use.
      score: convention
        ? modules
        : (importers + 1) * Math.max(1, implementations - 1) * (implementations > 1 ? 10 : 1),
      scope: scopeOfFiles(list.map((c) => c.file)),
      symbol,
      modules,
      implementations,
      importers,
      ...(convention ? { convention } : {}),
      bindings: list.map(({ file, line, kind, resolvesTo }) => ({ file, line, kind, resolvesTo })),
    });
  }
  return findings;
}
