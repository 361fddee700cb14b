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
  /** The config's `id` of a `migrate.rules` entry (`--rule`). */
  id?: string;
  /** Call-site rule: moved class → factory function of the target. */
  factories?: Record<string, string>;
  /** The concept the rule moves (`--concept`). */
  concept?: string;
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
    rules.push({
      from: r.from,
      to: r.to,
      names: namesOf(r.names),
      source: `migrate.rules[${i}]`,
      ...(r.id ? { id: r.id } : {}),
      ...(r.factories ? { factories: { ...r.factories } } : {}),
      ...(r.concept ? { concept: r.concept } : {}),
    });
  });
  for (const [concept, c] of Object.entries(config.concepts ?? {})) {
    const symbol = c.canonical.symbol ?? concept;
    const names: Record<string, string> = { [symbol]: symbol };
    for (const n of c.deprecatedNames ?? []) names[n] = symbol;
    const canonicalTs = looksLikeTs(c.canonical.module);
    for (const module of c.deprecatedModules ?? []) {
      // A concept may list deprecated paths of both languages; a rule needs both ends in one.
      if (looksLikeTs(module) !== canonicalTs && !module.endsWith('*')) continue;
      rules.push({
        from: module,
        to: c.canonical.module,
        names,
        source: `concepts.${concept}`,
        concept,
      });
    }
    if (c.deprecatedNames?.length) {
      const renames = Object.fromEntries(c.deprecatedNames.map((n) => [n, symbol]));
      rules.push({
        from: c.canonical.module,
        to: c.canonical.module,
        names: renames,
        source: `concepts.${concept}.deprecatedNames`,
        concept,
      });
    }
  }
  (config.deprecated ?? []).forEach((d, i) => {
    if (d.replacement)
      rules.push({ from: d.module, to: d.replacement, source: `deprecated[${i}]` });
  });
  return rules;
}

/** Test code: a tests/test/fixtures/__tests__ directory, `test_*.py`, `*_test.py`, `conftest.py`, `*.test.*`, `*.spec.*`. */
export function isTestFile(file: string): boolean {
  return (
    /(^|\/)(tests?|testing|fixtures?|__tests__|__mocks__)\//.test(file) ||
    /(^|\/)(test_[^/]*|[^/]*_test|conftest)\.py$/.test(file) ||
    /\.(test|spec)\.[cm]?[jt]sx?$/.test(file)
  );
}

export interface AuditDerivation {
  /** Only the findings of this concept (config concept name, or the fragmented symbol). */
  concept?: string;
  /**
   * A public name of the canonical file that ends at the same definition as `name` (for a
   * private implementation class exported under a public alias), or null.
   */
  publicAlias?: (file: string, name: string) => string | null;
  /** Why findings were not turned into rules. */
  notes?: string[];
}

/**
 * Rules derived from an audit: every non-canonical import path of a fragmented definition that
 * goes through a shim module (not a package barrel) moves to the canonical path — the config's
 * when the concept names one, else the module that defines the implementation — and the names
 * imported through the shim become the canonical symbol. The symbol is never a private name
 * when the canonical module offers a public alias of it, and production code is never sent to a
 * module under tests or fixtures.
 */
export function rulesFromAudit(
  report: AuditReport,
  options: AuditDerivation = {},
): MigrationRule[] {
  const shims = new Set<string>();
  for (const f of report.findings) {
    if (f.rule === 'shim-module' && !f.barrel && f.justified === undefined) shims.add(f.file);
  }
  const byKey = new Map<string, MigrationRule>();
  for (const f of report.findings) {
    if (f.rule !== 'import-fragmentation' || f.justified !== undefined) continue;
    const canonicalFile = f.paths.find((p) => p.canonical)?.file ?? f.definition.file;
    let symbol = f.definition.name;
    if (symbol.startsWith('_')) {
      const alias = options.publicAlias?.(canonicalFile, symbol) ?? null;
      if (alias) symbol = alias;
    }
    if (options.concept !== undefined && f.symbol !== options.concept && symbol !== options.concept)
      continue;
    for (const p of f.paths) {
      if (p.canonical || !shims.has(p.file)) continue;
      if (isTestFile(canonicalFile) && !isTestFile(p.file)) {
        options.notes?.push(
          `${f.symbol}: not derived — ${p.module} would move to ${f.canonical.module} (${canonicalFile}), test code`,
        );
        continue;
      }
      const key = `${p.file}\0${f.canonical.module}`;
      let rule = byKey.get(key);
      if (!rule) {
        rule = {
          from: p.module,
          to: f.canonical.module,
          names: {},
          source: `audit: shim ${p.file}`,
          concept: symbol,
        };
        byKey.set(key, rule);
      }
      for (const n of p.names) {
        const imported = n.split(' as ')[0] as string;
        // A public name imported through the shim stays public when the target has it too.
        const keep =
          symbol.startsWith('_') &&
          !imported.startsWith('_') &&
          options.publicAlias?.(canonicalFile, imported) === imported;
        (rule.names as Record<string, string>)[imported] = keep ? imported : symbol;
      }
    }
  }
  return [...byKey.values()];
}

/**
 * The rules of a scoped run: `concepts` (a config concept or, for derived rules, the fragmented
 * symbol) and `ids` (a `migrate.rules` entry's `id` or its place, `migrate.rules[0]`). A name
 * that matches no rule is a user error naming what exists.
 */
export function scopeRules(
  rules: MigrationRule[],
  scope: { concepts?: string[]; ids?: string[] },
  known: { concepts: string[] },
): MigrationRule[] {
  let out = rules;
  if (scope.concepts?.length) {
    const wanted = new Set(scope.concepts);
    const knownConcepts = new Set([
      ...known.concepts,
      ...rules.map((r) => r.concept).filter((c): c is string => c !== undefined),
    ]);
    const unknown = [...wanted].filter((c) => !knownConcepts.has(c));
    if (unknown.length) {
      throw new UserError(
        `unknown concept ${unknown.map((c) => `"${c}"`).join(', ')} (known: ${[...knownConcepts].sort().join(', ') || 'none'})`,
      );
    }
    out = out.filter((r) => r.concept !== undefined && wanted.has(r.concept));
    if (out.length === 0) {
      throw new UserError(
        `concept ${[...wanted].join(', ')} has no migration rule (no deprecatedModules, deprecatedNames or migrate.rules with "concept")`,
      );
    }
  }
  if (scope.ids?.length) {
    const ids = new Set(scope.ids);
    const unknown = [...ids].filter((id) => !rules.some((r) => r.id === id || r.source === id));
    if (unknown.length) {
      const all = rules.map((r) => r.id ?? r.source);
      throw new UserError(
        `unknown rule ${unknown.map((c) => `"${c}"`).join(', ')} (rules: ${all.join(', ') || 'none'})`,
      );
    }
    out = out.filter((r) => (r.id !== undefined && ids.has(r.id)) || ids.has(r.source));
  }
  return out;
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
    const factoryProblems = Object.entries(rule.factories ?? {}).flatMap(([cls, factory]) => {
      if (language !== 'py') return [`factories: call-site rules are Python only (${cls})`];
      if (!rule.names || !(cls in rule.names)) return [`factories: ${cls} must be one of names`];
      const kind = finder.bindingKind?.(toFile as string, factory);
      if (kind === 'function' || kind === 'class' || kind === 'alias') return [];
      return [
        kind
          ? `factory "${factory}" for ${cls} is a ${kind} in "${rule.to}" (${toFile}), not callable`
          : `factory "${factory}" for ${cls}: target module "${rule.to}" (${toFile}) does not define it`,
      ];
    });
    if (factoryProblems.length) {
      problems.push(`${describe(rule)}: ${factoryProblems.join('; ')}`);
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
