import { percent } from '../analyze/concepts.js';
import type {
  DuplicateDefinitionFinding,
  Finding,
  ImportFragmentationFinding,
  ShimModuleFinding,
} from '../analyze/types.js';

/** One concept as the report's opening summary shows it: how fragmented, and what to do. */
export interface ConceptSummary {
  name: string;
  canonical: string | null;
  implementations: number;
  paths: number;
  names: number;
  statements: number;
  offCanonical: number;
  shims: string[];
  /** One line of what to do. */
  action: string;
  score: number;
}

/** The modules and files a fragmentation finding touches (paths, definitions). */
export function conceptModules(
  f: ImportFragmentationFinding,
  shims: ShimModuleFinding[],
): Set<string> {
  const set = new Set<string>();
  for (const p of f.paths) {
    set.add(p.module);
    set.add(p.file);
  }
  for (const d of f.definitions) set.add(d.file);
  set.add(f.canonical.module);
  for (const s of shims) {
    if (set.has(s.file)) set.add(s.module);
  }
  return set;
}

/** The concepts with the most fragmentation, worst first. */
export function summarizeConcepts(findings: Finding[]): ConceptSummary[] {
  const live = findings.filter((f) => f.justified === undefined);
  const dups = live.filter(
    (f): f is DuplicateDefinitionFinding => f.rule === 'duplicate-definition' && !f.convention,
  );
  const shims = live.filter((f): f is ShimModuleFinding => f.rule === 'shim-module' && !f.barrel);
  const out: ConceptSummary[] = [];
  const covered = new Set<DuplicateDefinitionFinding>();
  for (const f of live) {
    if (f.rule !== 'import-fragmentation') continue;
    const names = new Set([f.symbol, f.definition.name, ...f.names.map((n) => n.name)]);
    const dup = dups.filter((d) => names.has(d.symbol));
    for (const d of dup) covered.add(d);
    const implementations = Math.max(f.definitions.length, ...dup.map((d) => d.implementations));
    const files = conceptModules(f, shims);
    const through = shims.filter((s) => files.has(s.file)).map((s) => s.module);
    const action =
      implementations > 1
        ? `merge the ${implementations} implementations into ${f.canonical.module}, then \`ssot migrate --from-audit\` moves the ${f.offCanonical} other imports there`
        : f.offCanonical > 0
          ? `\`ssot migrate --from-audit\` moves ${f.offCanonical} import${f.offCanonical === 1 ? '' : 's'} from ${f.paths.length - f.paths.filter((p) => p.canonical).length} other path${f.paths.length === 2 ? '' : 's'}${through.length ? ` (${through.length} shim${through.length === 1 ? '' : 's'})` : ''} to ${f.canonical.module} (now ${percent(f.statements - f.offCanonical, f.statements)})`
          : `every import uses ${f.canonical.module}`;
    out.push({
      name: f.symbol,
      canonical: f.canonical.module,
      implementations,
      paths: f.paths.length,
      names: f.names.length,
      statements: f.statements,
      offCanonical: f.offCanonical,
      shims: through,
      action,
      score: f.score + dup.reduce((n, d) => n + d.score, 0),
    });
  }
  for (const d of dups) {
    if (covered.has(d) || d.implementations < 2) continue;
    out.push({
      name: d.symbol,
      canonical: null,
      implementations: d.implementations,
      paths: 0,
      names: 1,
      statements: 0,
      offCanonical: 0,
      shims: [],
      action: `choose one of the ${d.implementations} implementations (${d.bindings
        .slice(0, 3)
        .map((b) => `${b.file}:${b.line}`)
        .join(
          ', ',
        )}${d.bindings.length > 3 ? ', …' : ''}) and name it the canonical one in ssot.config.json`,
      score: d.score,
    });
  }
  return out.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
}
