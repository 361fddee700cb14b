import type { RuleContext } from '../context.js';
import { scopeOfFiles } from '../scope.js';
import type { Finding, ShimModuleFinding } from '../types.js';

const BARREL = /(^|\/)(__init__\.py|index\.[cm]?[jt]sx?)$/;

function list(items: string[], max = 3): string {
  return items.length <= max
    ? items.join(', ')
    : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/**
 * A module whose public names (almost) all come from imports, whatever else it runs at import:
 * what it re-exports and from where, what else it does, and how many modules import through it.
 */
export function shimModule(ctx: RuleContext): Finding[] {
  const { graph } = ctx;
  const findings: ShimModuleFinding[] = [];
  for (const [file, profile] of ctx.shims) {
    const m = graph.modules.get(file);
    if (!m) continue;
    const importers = graph.importers.get(file) ?? new Set<string>();
    const from = [...new Set(profile.reexports.map((r) => r.from))].sort();
    const barrel = BARREL.test(file);
    const names = profile.reexports.map((r) =>
      r.name === r.imported ? r.name : `${r.name} (= ${r.imported})`,
    );
    const extra = [
      ...profile.alsoRuns,
      ...(profile.own.length ? [`defines ${list(profile.own)}`] : []),
    ];
    findings.push({
      rule: 'shim-module',
      severity: barrel ? 'note' : 'warning',
      message: `${m.name} re-exports ${list(names)}${from.length ? ` from ${list(from)}` : ''}${extra.length ? `; also ${extra.join('; ')}` : ''}; ${importers.size} module${importers.size === 1 ? ' imports' : 's import'} through it`,
      score: importers.size,
      scope: scopeOfFiles([file]),
      module: m.name,
      file,
      importers: importers.size,
      barrel,
      reexportsFrom: from,
      reexports: profile.reexports,
      own: profile.own,
      alsoRuns: profile.alsoRuns,
    });
  }
  return findings;
}
