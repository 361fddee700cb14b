import type {
  CycleFinding,
  Finding,
  ImportFragmentationFinding,
  ShimModuleFinding,
} from '../analyze/types.js';
import { UserError } from '../errors.js';
import { type MigrationRule, rulesFromAudit } from '../migrate/rules.js';
import type { AuditReport } from '../pipeline/audit.js';
import { conceptModules, summarizeConcepts } from './summary.js';

/** `ssot audit --concept NAME`: the report narrowed to one concept, with the migration that fixes it. */
export interface ConceptFocus {
  name: string;
  fragmentation: ImportFragmentationFinding | null;
  /** Names the concept is bound and imported by. */
  names: string[];
  /** Modules (and files) that belong to it: definitions, import paths, shims. */
  modules: string[];
  migration: MigrationRule[];
}

export type FocusedReport = AuditReport & { focus: ConceptFocus };

export function focusConcept(
  report: AuditReport,
  name: string,
  configured: string[],
): FocusedReport {
  const frag = report.findings.filter(
    (f): f is ImportFragmentationFinding => f.rule === 'import-fragmentation',
  );
  const fragmentation =
    frag.find((f) => f.concept === name || f.symbol === name) ??
    frag.find((f) => f.names.some((n) => n.name === name) || f.definition.name === name) ??
    null;
  const dupHit = report.findings.some(
    (f) => f.rule === 'duplicate-definition' && f.symbol === name,
  );
  if (!fragmentation && !dupHit && !configured.includes(name)) {
    const known = [
      ...new Set([...configured, ...summarizeConcepts(report.findings).map((c) => c.name)]),
    ].slice(0, 12);
    throw new UserError(
      `unknown concept "${name}": no concept of ssot.config.json and no name bound in several modules or imported through several paths has it${known.length ? ` (try: ${known.join(', ')})` : ''}`,
    );
  }
  const shims = report.findings.filter((f): f is ShimModuleFinding => f.rule === 'shim-module');
  const modules = fragmentation ? conceptModules(fragmentation, shims) : new Set<string>();
  const names = new Set<string>([name, ...(fragmentation?.names.map((n) => n.name) ?? [])]);
  if (fragmentation) names.add(fragmentation.definition.name);
  for (const s of shims) if (modules.has(s.file)) for (const r of s.reexports) names.add(r.name);
  const related = (f: Finding): Finding | null => {
    switch (f.rule) {
      case 'import-fragmentation':
        return f === fragmentation ? f : null;
      case 'duplicate-definition':
        return names.has(f.symbol) ? f : null;
      case 'shim-module':
        return modules.has(f.file) ? f : null;
      case 'cycle': {
        const focus = f.members.flatMap((g) => g.modules).filter((m) => modules.has(m));
        return focus.length ? ({ ...f, focus } as CycleFinding) : null;
      }
      case 'deprecated-import':
        return f.imports.some(
          (u) => modules.has(u.module) || (u.name !== null && names.has(u.name)),
        )
          ? f
          : null;
    }
  };
  const findings = report.findings.map(related).filter((f): f is Finding => f !== null);
  const shimFiles = new Set(
    findings.filter((f) => f.rule === 'shim-module').map((f) => (f as ShimModuleFinding).file),
  );
  const migration = rulesFromAudit({ ...report, findings }).filter(
    (r) =>
      r.to === fragmentation?.canonical.module || [...shimFiles].some((s) => r.source.includes(s)),
  );
  return {
    ...report,
    findings,
    focus: {
      name,
      fragmentation,
      names: [...names].sort(),
      modules: [...modules].sort(),
      migration,
    },
  };
}
