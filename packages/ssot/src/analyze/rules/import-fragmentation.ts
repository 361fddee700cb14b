import type { ImportRecord } from '../../extract/types.js';
import type { Definition } from '../../graph/symbols.js';
import { conceptFor, isShim, moduleMatches, type RuleContext } from '../context.js';
import type { Finding, ImportFragmentationFinding, Place } from '../types.js';

interface PathAcc {
  file: string;
  specifiers: Map<string, number>;
  moduleName: string;
  statements: Set<ImportRecord>;
  files: Set<string>;
  names: Set<string>;
  locations: Place[];
}

function isRelative(spec: string): boolean {
  return spec.startsWith('.');
}

/**
 * One definition reached through several import paths (modules), with the statements and files
 * per path and the share that uses the canonical path (the config's, else the defining module or its workspace package's entry).
 * Imports inside re-export-only modules are plumbing and are not counted.
 */
export function importFragmentation(ctx: RuleContext): Finding[] {
  const { graph, symbols, config } = ctx;
  // Keyed by object identity (one Definition per definition, one record per statement).
  const byDef = new Map<Definition, Map<string, PathAcc>>();
  for (const m of graph.modules.values()) {
    if (isShim(graph, m)) continue;
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
        let paths = byDef.get(def);
        if (!paths) {
          paths = new Map();
          byDef.set(def, paths);
        }
        let p = paths.get(pathKey);
        if (!p) {
          p = {
            file: r.file,
            specifiers: new Map(),
            moduleName: graph.modules.get(r.file)?.name ?? r.module,
            statements: new Set(),
            files: new Set(),
            names: new Set(),
            locations: [],
          };
          paths.set(pathKey, p);
        }
        if (!p.statements.has(imp)) {
          p.statements.add(imp);
          p.locations.push({ file: m.file, line: imp.line });
          p.specifiers.set(r.module, (p.specifiers.get(r.module) ?? 0) + 1);
        }
        p.files.add(m.file);
        p.names.add(n.imported === n.local ? n.imported : `${n.imported} as ${n.local}`);
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
  for (const [full, paths] of byDef) {
    const def = { file: full.file, line: full.line, name: full.name };
    if (paths.size < 2) continue;
    const concept = conceptFor(config, def.name);
    const list = [...paths.values()].map((p) => {
      // TS: the most used bare/alias specifier names the path; relative ones use the file.
      const named = [...p.specifiers]
        .filter(([s]) => !isRelative(s))
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      const module = named[0]?.[0] ?? p.moduleName;
      const canonical = concept
        ? moduleMatches(concept.canonical.module, [
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
        locations: p.locations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line),
      };
    });
    if (list.every((p) => p.canonical)) continue; // several spellings, all canonical: nothing to fix
    list.sort((a, b) => b.statements - a.statements || a.module.localeCompare(b.module));
    const statements = list.reduce((n, p) => n + p.statements, 0);
    const files = new Set(list.flatMap((p) => p.locations.map((l) => l.file))).size;
    const canonicalStatements = list
      .filter((p) => p.canonical)
      .reduce((n, p) => n + p.statements, 0);
    const share = statements ? canonicalStatements / statements : 0;
    const canonicalModule = concept
      ? concept.canonical.module
      : (graph.modules.get(def.file)?.name ?? def.file);
    findings.push({
      rule: 'import-fragmentation',
      severity: 'warning',
      message: `${def.name} is imported through ${list.length} paths in ${statements} statements; ${Math.round(share * 100)}% use the canonical ${canonicalModule}`,
      score: (statements - canonicalStatements) * list.length,
      symbol: def.name,
      definition: def,
      canonical: { module: canonicalModule, source: concept ? 'config' : 'definition' },
      canonicalShare: Math.round(share * 1000) / 1000,
      statements,
      files,
      paths: list,
    });
  }
  return findings;
}
