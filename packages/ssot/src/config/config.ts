import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { UserError } from '../errors.js';

export type RuleId =
  | 'duplicate-definition'
  | 'import-fragmentation'
  | 'shim-module'
  | 'cycle'
  | 'deprecated-import';

export const RULE_IDS: readonly RuleId[] = [
  'duplicate-definition',
  'import-fragmentation',
  'shim-module',
  'cycle',
  'deprecated-import',
];

export interface ConceptConfig {
  description?: string;
  canonical: { module: string; symbol?: string };
  deprecatedModules?: string[];
  deprecatedNames?: string[];
  /** Other definitions of the concept (subclasses, re-bindings): `module.Name` or `file:Name`. */
  members?: string[];
}

export interface DeprecatedModuleConfig {
  module: string;
  replacement?: string;
  reason?: string;
}

export interface AllowConfig {
  rule: RuleId;
  reason: string;
  symbol?: string;
  module?: string;
  file?: string;
  modules?: string[];
}

/** `ssot.config.json` — see schema/ssot-config.schema.json. */
export interface SsotConfig {
  ignore?: string[];
  maxFileBytes?: number;
  concepts?: Record<string, ConceptConfig>;
  deprecated?: DeprecatedModuleConfig[];
  allow?: AllowConfig[];
  duplicates?: { includeUnimported?: boolean };
  /** `ssot migrate`: explicit rules (on top of those derived from `concepts` and `deprecated`). */
  migrate?: { rules?: MigrateRuleConfig[]; batches?: MigrateBatchConfig[] };
  /** `ssot check`: the CI gate's thresholds and baseline file. */
  check?: CheckConfig;
}

/** A migration rule: imports of `from` move to `to` (whole module, or only `names`). */
export interface MigrateRuleConfig {
  from: string;
  to: string;
  /** Only these names move: a list (names kept) or old name → new name. */
  names?: string[] | Record<string, string>;
  reason?: string;
  /** Selects the rule with `ssot migrate --rule <id>`. */
  id?: string;
  /** Call-site rule: calls of a moved class become calls of a factory of the target (`Class` → `factory`). */
  factories?: Record<string, string>;
  /** The concept the rule belongs to (`ssot migrate --concept`). */
  concept?: string;
}

/** `ssot migrate --batches`: files migrated together, in order, each verified on its own. */
export interface MigrateBatchConfig {
  name: string;
  /** Globs relative to the root; every one must match a file. */
  include: string[];
  /** Shell command run after the batch is written; the batch is rolled back when it fails. */
  verify?: string;
}

export interface CheckConfig {
  /** Most deprecated imports allowed: an absolute count or a share such as "10%". */
  maxDeprecated?: number | string;
  /** Baseline file, relative to the root (default `ssot-baseline.json`). */
  baseline?: string;
  /** Layering: imports the gate always fails on. */
  forbiddenImports?: ForbiddenImportConfig[];
}

/** Files matching `from` (minus `except`) must not import files matching `to` (root-relative globs). */
export interface ForbiddenImportConfig {
  from: string | string[];
  to: string | string[];
  except?: string | string[];
  reason: string;
}

export const CONFIG_FILE = 'ssot.config.json';

let validator: ValidateFunction | null = null;

function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    const schema = JSON.parse(
      readFileSync(new URL('../../schema/ssot-config.schema.json', import.meta.url), 'utf8'),
    ) as object;
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator(data) ? [] : (validator.errors ?? []);
}

function describe(e: ErrorObject): string {
  const at = e.instancePath || '(top level)';
  if (e.keyword === 'additionalProperties') {
    return `${at}: unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  }
  if (e.keyword === 'enum') {
    return `${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  }
  return `${at}: ${e.message ?? 'is invalid'}`;
}

/**
 * Loads the config: `explicitPath` when given (must exist), else `<root>/ssot.config.json` when
 * present, else an empty config. Invalid JSON or schema violations are user errors naming the
 * file and the offending field.
 */
export function loadConfig(
  root: string,
  explicitPath?: string,
): { config: SsotConfig; path: string | null } {
  const path = explicitPath
    ? isAbsolute(explicitPath)
      ? explicitPath
      : join(process.cwd(), explicitPath)
    : join(root, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    if (explicitPath) throw new UserError(`config file not found: ${explicitPath}`);
    return { config: {}, path: null };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UserError(`invalid config ${path}: not valid JSON (${(e as Error).message})`);
  }
  const errors = validate(data);
  if (errors.length > 0) {
    throw new UserError(`invalid config ${path}:\n  ${errors.map(describe).join('\n  ')}`);
  }
  return { config: data as SsotConfig, path };
}
