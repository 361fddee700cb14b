import type { SsotConfig } from '../config/config.js';
import { UserError } from '../errors.js';
import type { Language } from '../extract/types.js';
import type { AuditReport } from '../pipeline/audit.js';
import { looksLikeTs, type ModuleFinder } from '../workspace/project.js';

/**
 * One migration rule: imports of `from` (a module, or every module under a prefix ending in `*`)
 * move to `to`. Without `names` the whole module moves (every name keeps its name); with `names`
 * only those names move, each to the name it maps to (`{ "WSManager": "WebSocketManager" }`).
 */
export interface MigrationRule {
  from: string;
  to: string;
  names?: Record<string, string>;
  /** Where the rule comes from, for messages: `migrate.rules[0]`, `concepts.WebSocketManager`, `audit`. */
  source: string;
}

/** A rule checked against the project: its language and the module files at both ends. */
export interface ActiveRule extends MigrationRule {
  language: Language;
  /** `from` ends with `*`: every module under the prefix. */
  prefix: boolean;
  /** The file of `from` when it still exists (null for prefixes and moved-away modules). */
  fromFile: string | null;
  /** The file of `to` (null for prefix moves, which are resolved per module). */
  toFile: string | null;
}

function namesOf(
  value: string[] | Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (!value) return undefined;
  if (Array.isArray(value)) return Object.fromEntries(value.map((n) => [n, n]));
  return { ...value };
}

/**
 * Rules from the config: `migrate.rules`; every concept's `deprecatedModules` (the concept's
 * symbol and its `deprecatedNames` move to the canonical module and symbol); its
 * `deprecatedNames` imported from the canonical module itself (a rename in place); and
 * `deprecated[]` entries that name a `replacement` (the whole module moves).
 */
export function rulesFromConfig(config: SsotConfig): MigrationRule[] {
  const rules: MigrationRule[] = [];
  (config.migrate?.rules ?? []).forEach((r, i) => {
    rules.push({ from: r.from, to: r.to, names: namesOf(r.names), source: `migrate.rules[${i}]` });
  });
  for (const [concept, c] of Object.entries(config.concepts ?? {})) {
    const symbol = c.canonical.symbol ?? concept;
    const names: Record<string, string> = { [symbol]: symbol };
    for (const n of c.deprecatedNames ?? []) names[n] = symbol;
    const canonicalTs = looksLikeTs(c.canonical.module);
    for (const module of c.deprecatedModules ?? []) {
      // A concept may list deprecated paths of both languages; a rule needs both ends in one.
      if (looksLikeTs(module) !== canonicalTs && !module.endsWith('*')) continue;
      rules.push({ from: module, to: c.canonical.module, names, source: `concepts.${concept}` });
    }
    if (c.deprecatedNames?.length) {
      const renames = Object.fromEntries(c.deprecatedNames.map((n) => [n, symbol]));
      rules.push({
        from: c.canonical.module,
        to: c.canonical.module,
        names: renames,
        source: `concepts.${concept}.deprecatedNames`,
      });
    }
  }
  (config.deprecated ?? []).forEach((d, i) => {
    if (d.replacement)
      rules.push({ from: d.module, to: d.replacement, source: `deprecated[${i}]` });
  });
  return rules;
}

/**
 * Rules derived from an audit: every non-canonical import path of a fragmented definition that
 * goes through a shim module (not a package barrel) moves to the canonical path — the config's
 * when the concept names one, else the module that defines the implementation — and the names
 * imported through the shim become the canonical symbol.
 */
export function rulesFromAudit(report: AuditReport): MigrationRule[] {
  const shims = new Set<string>();
  for (const f of report.findings) {
    if (f.rule === 'shim-module' && !f.barrel && f.justified === undefined) shims.add(f.file);
  }
  const byKey = new Map<string, MigrationRule>();
  for (const f of report.findings) {
    if (f.rule !== 'import-fragmentation' || f.justified !== undefined) continue;
    const symbol = f.definition.name;
    for (const p of f.paths) {
      if (p.canonical || !shims.has(p.file)) continue;
      const key = `${p.file}\0${f.canonical.module}`;
      let rule = byKey.get(key);
      if (!rule) {
        rule = {
          from: p.module,
          to: f.canonical.module,
          names: {},
          source: `audit: shim ${p.file}`,
        };
        byKey.set(key, rule);
      }
      for (const n of p.names) {
        const imported = n.split(' as ')[0] as string;
        (rule.names as Record<string, string>)[imported] = symbol;
      }
    }
  }
  return [...byKey.values()];
}

function describe(rule: MigrationRule): string {
  const names = rule.names ? ` (${Object.keys(rule.names).join(', ')})` : '';
  return `${rule.source}: ${rule.from} → ${rule.to}${names}`;
}

/**
 * Checks every rule against the project: the language of both ends, the target module's file,
 * and that the target binds each name moved to it. A target that does not exist is a user error
 * naming the rule — nothing is changed.
 */
export function activateRules(rules: MigrationRule[], finder: ModuleFinder): ActiveRule[] {
  const out: ActiveRule[] = [];
  const problems: string[] = [];
  for (const rule of rules) {
    const prefix = rule.from.endsWith('*');
    const toPrefix = rule.to.endsWith('*');
    if (toPrefix && !prefix) {
      problems.push(`${describe(rule)}: "to" may end with * only when "from" does`);
      continue;
    }
    if (prefix && !toPrefix && !rule.names) {
      problems.push(
        `${describe(rule)}: a prefix rule moves whole modules to a prefix ("to" ending with *), or names to one module`,
      );
      continue;
    }
    if (toPrefix) {
      out.push({
        ...rule,
        language: looksLikeTs(rule.to) || looksLikeTs(rule.from) ? 'ts' : 'py',
        prefix,
        fromFile: null,
        toFile: null,
      });
      continue;
    }
    const tsFirst = looksLikeTs(rule.to);
    let language: Language | null = null;
    let toFile: string | null = null;
    if (!tsFirst) {
      toFile = finder.python(rule.to);
      if (toFile) language = 'py';
    }
    if (!toFile) {
      toFile = finder.typescript(rule.to);
      if (toFile) language = 'ts';
    }
    if (!toFile || !language) {
      problems.push(`${describe(rule)}: target module "${rule.to}" does not exist in the project`);
      continue;
    }
    const missing = Object.values(rule.names ?? {}).filter(
      (n) => !finder.exportsName(toFile as string, n),
    );
    if (missing.length) {
      problems.push(
        `${describe(rule)}: target module "${rule.to}" (${toFile}) does not define ${[...new Set(missing)].join(', ')}`,
      );
      continue;
    }
    const fromFile = prefix
      ? null
      : language === 'py'
        ? finder.python(rule.from)
        : finder.typescript(rule.from);
    out.push({ ...rule, language, prefix, fromFile, toFile });
  }
  if (problems.length) {
    throw new UserError(`invalid migration rules:\n  ${problems.join('\n  ')}`);
  }
  return out;
}
