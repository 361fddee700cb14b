import type { ImportRecord } from '../../extract/types.js';
import type { Definition } from '../../graph/symbols.js';
import { configuredConcepts, percent, share } from '../concepts.js';
import { moduleMatches, type RuleContext } from '../context.js';
import { scopeOfFiles } from '../scope.js';
import type { Finding, ImportFragmentationFinding, NameCount, Place } from '../types.js';

interface NameAcc {
  statements: Set<ImportRecord>;
  files: Set<string>;
}

interface PathAcc {
  file: string;
  specifiers: Map<string, number>;
  moduleName: string;
  statements: Set<ImportRecord>;
  files: Set<string>;
  names: Set<string>;
  byName: Map<string, NameAcc>;
  locations: Place[];
}

function isRelative(spec: string): boolean {
  return spec.startsWith('.');
}

function countNames(byName: Map<string, NameAcc>): NameCount[] {
  return [...byName]
    .map(([name, a]) => ({ name, statements: a.statements.size, files: a.files.size }))
    .sort((a, b) => b.statements - a.statements || a.name.localeCompare(b.name));
}

function addName(
  byName: Map<string, NameAcc>,
  name: string,
  imp: ImportRecord,
  file: string,
): void {
  let acc = byName.get(name);
  if (!acc) {
    acc = { statements: new Set(), files: new Set() };
    byName.set(name, acc);
  }
  acc.statements.add(imp);
  acc.files.add(file);
}

/**
 * One concept reached through several import paths (modules), with the statements and files
 * per path and per imported name, and the share that uses the canonical path. A concept is a
 * definition — or, when ssot.config.json names it, the canonical symbol plus the members the
 * config puts into it (a compat subclass, a re-binding) — whatever names it is imported by.
 * Canonical: the config's module, else the defining module or its workspace package's entry.
 * Imports inside shim modules are plumbing and are not counted.
 */
export function importFragmentation(ctx: RuleContext): Finding[] {
  const { graph, symbols } = ctx;
  const concepts = configuredConcepts(ctx);
  const conceptOf = new Map<Definition, string>();
  for (const c of concepts) for (const d of c.definitions) conceptOf.set(d, c.name);
  // Keyed by concept name or by Definition identity (one Definition object per definition).
  const byKey = new Map<
    Definition | string,
    { defs: Set<Definition>; paths: Map<string, PathAcc> }
  >();
  for (const m of graph.modules.values()) {
    if (ctx.shims.has(m.file)) continue;
    m.record.imports.forEach((imp, i) => {
      if (imp.kind === 'reexport' || imp.kind === 'export-all' || imp.kind === 'import-module')
        return;
      const r = m.resolved[i];
      if (!r?.file) return;
      // A path is the module reached plus, for TS, the package or alias specifier spelling it.
      const spelling =
        m.record.language === 'ts' && !isRelative(imp.specifier) ? imp.specifier : '';
      const pathKey = `${r.file}\0${spelling}`;
      for (const n of imp.names) {
        if (n.imported === '*') continue;
        const def = symbols.resolveImport(m.file, i, n.imported);
        if (!def) continue;
        const key = conceptOf.get(def) ?? def;
        const concept = typeof key === 'string' ? concepts.find((c) => c.name === key) : undefined;
        let group = byKey.get(key);
        if (!group) {
          group = { defs: new Set(), paths: new Map() };
          byKey.set(key, group);
        }
        group.defs.add(def);
        let p = group.paths.get(pathKey);
        if (!p) {
          p = {
            file: r.file,
            specifiers: new Map(),
            moduleName: graph.modules.get(r.file)?.name ?? r.module,
            statements: new Set(),
            files: new Set(),
            names: new Set(),
            byName: new Map(),
            locations: [],
          };
          group.paths.set(pathKey, p);
        }
        if (!p.statements.has(imp)) {
          p.statements.add(imp);
          p.locations.push({ file: m.file, line: imp.line });
          p.specifiers.set(r.module, (p.specifiers.get(r.module) ?? 0) + 1);
        }
        p.files.add(m.file);
        // `names` is what a migration may move: members of a concept (a subclass) keep theirs.
        if (!concept || def === concept.definition)
          p.names.add(n.imported === n.local ? n.imported : `${n.imported} as ${n.local}`);
        addName(p.byName, n.imported, imp, m.file);
      }
    });
  }
  const findings: ImportFragmentationFinding[] = [];
  // The public entry of the workspace package that holds a definition is canonical too.
  const entries = graph.resolvers.typescript.packageEntries();
  const isPackageEntryOf = (file: string, defFile: string) => {
    const dir = entries.get(file);
    return dir !== undefined && defFile.startsWith(`${dir}/`);
  };
  for (const [key, group] of byKey) {
    const { paths } = group;
    const concept = typeof key === 'string' ? concepts.find((c) => c.name === key) : undefined;
    if (paths.size < 2 && !concept) continue;
    const main = concept?.definition ?? ([...group.defs][0] as Definition);
    // A configured concept is migrated to its canonical symbol, whatever its definition is called.
    const def = { file: main.file, line: main.line, name: concept?.symbol ?? main.name };
    const list = [...paths.values()].map((p) => {
      // TS: the most used bare/alias specifier names the path; relative ones use the file.
      const named = [...p.specifiers]
        .filter(([s]) => !isRelative(s))
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      const module = named[0]?.[0] ?? p.moduleName;
      const canonical = concept
        ? moduleMatches(concept.canonicalModule, [
            module,
            p.moduleName,
            p.file,
            ...p.specifiers.keys(),
          ])
        : p.file === def.file || isPackageEntryOf(p.file, def.file);
      return {
        module,
        file: p.file,
        statements: p.statements.size,
        files: p.files.size,
        canonical,
        names: [...p.names].sort(),
        byName: countNames(p.byName),
        locations: p.locations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line),
      };
    });
    if (list.every((p) => p.canonical) && (paths.size < 2 || !concept)) continue; // nothing to fix
    if (concept && list.length === 1 && list[0]?.canonical) continue;
    list.sort((a, b) => b.statements - a.statements || a.module.localeCompare(b.module));
    const statements = list.reduce((n, p) => n + p.statements, 0);
    const files = new Set(list.flatMap((p) => p.locations.map((l) => l.file))).size;
    const canonicalStatements = list
      .filter((p) => p.canonical)
      .reduce((n, p) => n + p.statements, 0);
    const allNames = new Map<string, NameAcc>();
    for (const p of paths.values()) {
      for (const [name, a] of p.byName) {
        for (const s of a.statements) addName(allNames, name, s, '');
        const acc = allNames.get(name) as NameAcc;
        acc.files.delete('');
        for (const f of a.files) acc.files.add(f);
      }
    }
    const names = countNames(allNames);
    // Title: the concept, else the definition — or, for a private one, the name it is imported by.
    const symbol =
      concept?.name ?? (def.name.startsWith('_') ? (names[0]?.name ?? def.name) : def.name);
    const canonicalModule = concept
      ? concept.canonicalModule
      : (graph.modules.get(def.file)?.name ?? def.file);
    const off = statements - canonicalStatements;
    findings.push({
      rule: 'import-fragmentation',
      severity: 'warning',
      message: `${symbol} is imported through ${list.length} path${list.length === 1 ? '' : 's'} under ${names.length} name${names.length === 1 ? '' : 's'} in ${statements} statements; ${percent(canonicalStatements, statements)} use the canonical ${canonicalModule}`,
      score: off * list.length,
      scope: scopeOfFiles(list.flatMap((p) => p.locations.map((l) => l.file))),
      symbol,
      ...(concept ? { concept: concept.name } : {}),
      definition: def,
      definitions: [...group.defs].map((d) => ({ file: d.file, line: d.line, name: d.name })),
      canonical: { module: canonicalModule, source: concept ? 'config' : 'definition' },
      canonicalShare: share(canonicalStatements, statements),
      statements,
      files,
      offCanonical: off,
      paths: list,
      names,
    });
  }
  return findings;
}
