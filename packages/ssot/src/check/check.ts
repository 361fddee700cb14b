import { existsSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { importSpellings, moduleMatches } from '../analyze/context.js';
import type {
  CycleFinding,
  DeprecatedImportFinding,
  DuplicateDefinitionFinding,
  Finding,
} from '../analyze/types.js';
import { loadConfig, type SsotConfig } from '../config/config.js';
import { UserError } from '../errors.js';
import type { ProjectGraph } from '../graph/graph.js';
import { type AuditReport, audit } from '../pipeline/audit.js';
import { changedSince } from '../workspace/git.js';
import {
  type Baseline,
  cycleKey,
  duplicateFiles,
  duplicateKey,
  knownCycle,
  knownDuplicate,
  nextBaseline,
  readBaseline,
} from './baseline.js';
import { forbiddenImports } from './layers.js';

export type { Baseline, BaselineDuplicate } from './baseline.js';

export const BASELINE_FILE = 'ssot-baseline.json';

/** A threshold: an absolute count or a share of the concept's import statements. */
export type Threshold = { count: number } | { percent: number };

export function parseThreshold(value: string | number): Threshold {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0)
      throw new UserError(
        `--max-deprecated: expected a count ≥ 0 or a share such as 10%, got ${value}`,
      );
    return { count: value };
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(value);
  if (!m)
    throw new UserError(
      `--max-deprecated: expected a count ≥ 0 or a share such as 10%, got "${value}"`,
    );
  const n = Number(m[1]);
  if (m[2]) {
    if (n > 100) throw new UserError(`--max-deprecated: a share is at most 100%, got "${value}"`);
    return { percent: n };
  }
  if (!Number.isInteger(n))
    throw new UserError(`--max-deprecated: a count is a whole number, got "${value}"`);
  return { count: n };
}

export interface CheckOptions {
  root: string;
  configPath?: string;
  config?: SsotConfig;
  /** Default: the config's `check.maxDeprecated`; none when neither is set. */
  maxDeprecated?: string | number;
  /** Baseline file (default: the config's `check.baseline`, else `ssot-baseline.json` in the root). */
  baseline?: string;
  /** Write the baseline, lowering counts that went down and never raising one. */
  updateBaseline?: boolean;
  /** Judge only what changed since this git revision. */
  changedSince?: string;
  workers?: number;
}

export type ViolationKind =
  | 'max-deprecated'
  | 'deprecated-increase'
  | 'new-cycle'
  | 'new-duplicate'
  | 'forbidden-import';

export interface Violation {
  kind: ViolationKind;
  message: string;
  /** The findings behind the violation (for SARIF and markdown). */
  findings: Finding[];
}

export interface CheckMetrics {
  /** Deprecated import statements in scope. */
  deprecated: number;
  /** Import statements in scope that reach a configured concept's module (deprecated or canonical). */
  conceptImports: number;
  /** deprecated / conceptImports (0 when there are none). */
  deprecatedShare: number;
  cycles: number;
  duplicates: number;
  /** Imports across a `check.forbiddenImports` boundary (never baselined). */
  forbiddenImports: number;
}

export interface CheckResult {
  pass: boolean;
  violations: Violation[];
  metrics: CheckMetrics;
  threshold: Threshold | null;
  baseline: { path: string; existed: boolean; before: Baseline | null; written: Baseline | null };
  /** Files judged when `changedSince` is set. */
  changed: string[] | null;
  /** The audit, for the reporters. */
  report: AuditReport;
}

/** Statements (file:line:column) flagged by deprecated-import findings. */
function deprecatedStatements(findings: DeprecatedImportFinding[]): Set<string> {
  const out = new Set<string>();
  for (const f of findings) for (const u of f.imports) out.add(`${f.file}:${u.line}:${u.column}`);
  return out;
}

/** Import statements reaching a module the config names (canonical or deprecated). */
function conceptStatements(
  graph: ProjectGraph,
  config: SsotConfig,
  inScope: (file: string) => boolean,
): Set<string> {
  const patterns = new Set<string>();
  for (const c of Object.values(config.concepts ?? {})) {
    patterns.add(c.canonical.module);
    for (const m of c.deprecatedModules ?? []) patterns.add(m);
  }
  for (const d of config.deprecated ?? []) {
    patterns.add(d.module);
    if (d.replacement) patterns.add(d.replacement);
  }
  for (const r of config.migrate?.rules ?? []) {
    patterns.add(r.from);
    patterns.add(r.to);
  }
  const out = new Set<string>();
  if (patterns.size === 0) return out;
  const list = [...patterns];
  for (const m of graph.modules.values()) {
    if (!inScope(m.file)) continue;
    m.record.imports.forEach((imp, i) => {
      const candidates = importSpellings(graph, m, i);
      if (list.some((p) => moduleMatches(p, candidates)))
        out.add(`${m.file}:${imp.line}:${imp.column}`);
    });
  }
  return out;
}

/**
 * The CI gate: audits the root, measures deprecated imports, cycles and duplicate definitions,
 * and compares them with the thresholds and the baseline (which only ratchets down).
 */
export async function check(options: CheckOptions): Promise<CheckResult> {
  const root = resolvePath(options.root);
  if (!existsSync(root)) throw new UserError(`root directory not found: ${root}`);
  const loaded = options.config
    ? { config: options.config, path: null }
    : loadConfig(root, options.configPath);
  const config = loaded.config;
  const rawThreshold = options.maxDeprecated ?? config.check?.maxDeprecated;
  const threshold = rawThreshold === undefined ? null : parseThreshold(rawThreshold);
  const baselineFile = options.baseline ?? config.check?.baseline ?? BASELINE_FILE;
  const baselinePath = isAbsolute(baselineFile) ? baselineFile : join(root, baselineFile);
  const before = readBaseline(baselinePath);
  let changed: Set<string> | null = null;
  if (options.changedSince !== undefined) {
    try {
      changed = changedSince(root, options.changedSince);
    } catch (e) {
      throw new UserError(`--changed-since ${options.changedSince}: ${(e as Error).message}`);
    }
  }
  const inScope = (file: string) => changed === null || changed.has(file);

  const { report, graph } = await audit({
    root,
    config,
    workers: options.workers,
    rules: ['duplicate-definition', 'cycle', 'deprecated-import'],
  });
  const live = report.findings.filter((f) => f.justified === undefined);
  const deprecatedFindings = live.filter(
    (f): f is DeprecatedImportFinding => f.rule === 'deprecated-import' && inScope(f.file),
  );
  const cycles = live.filter(
    (f): f is CycleFinding => f.rule === 'cycle' && f.kind === 'runtime' && f.files.some(inScope),
  );
  const duplicates = live.filter(
    (f): f is DuplicateDefinitionFinding =>
      f.rule === 'duplicate-definition' && f.bindings.some((b) => inScope(b.file)),
  );
  const deprecated = deprecatedStatements(deprecatedFindings);
  const concept = conceptStatements(graph, config, inScope);
  for (const d of deprecated) concept.add(d);
  const forbidden = forbiddenImports(graph, config.check?.forbiddenImports ?? [], inScope);
  const metrics: CheckMetrics = {
    deprecated: deprecated.size,
    conceptImports: concept.size,
    deprecatedShare: concept.size ? deprecated.size / concept.size : 0,
    cycles: cycles.length,
    duplicates: duplicates.length,
    forbiddenImports: forbidden.length,
  };

  const violations: Violation[] = [];
  const scope = changed
    ? ` in the ${changed.size} files changed since ${options.changedSince}`
    : '';
  if (threshold) {
    const over =
      'count' in threshold
        ? metrics.deprecated > threshold.count
        : metrics.deprecatedShare * 100 > threshold.percent + 1e-9;
    if (over) {
      const limit = 'count' in threshold ? `${threshold.count}` : `${threshold.percent}%`;
      violations.push({
        kind: 'max-deprecated',
        message: `${metrics.deprecated} deprecated import statements${scope} (${(metrics.deprecatedShare * 100).toFixed(1)}% of ${metrics.conceptImports} imports of configured modules) exceed --max-deprecated ${limit}`,
        findings: deprecatedFindings,
      });
    }
  }
  if (before && changed === null && metrics.deprecated > before.deprecated) {
    violations.push({
      kind: 'deprecated-increase',
      message: `deprecated import statements rose from ${before.deprecated} (baseline) to ${metrics.deprecated}`,
      findings: deprecatedFindings,
    });
  }
  for (const c of cycles) {
    if (knownCycle(before, cycleKey(c)) !== null) continue;
    violations.push({ kind: 'new-cycle', message: `new ${c.message}`, findings: [c] });
  }
  for (const d of duplicates) {
    const was = knownDuplicate(before, duplicateKey(d));
    if (was && d.modules <= was.modules) continue;
    const added = was ? duplicateFiles(d).filter((f) => !was.files.includes(f)) : [];
    violations.push({
      kind: 'new-duplicate',
      message: !was
        ? `new duplicate definition: ${d.message}`
        : `duplicate definition grew: ${d.symbol} is bound in ${d.modules} modules (baseline ${was.modules})${added.length ? `; new: ${added.join(', ')}` : ''}`,
      findings: [d],
    });
  }

  for (const f of forbidden) {
    violations.push({
      kind: 'forbidden-import',
      message: `forbidden import: ${f.file}:${f.line} imports ${f.imports} (${f.reason})`,
      findings: [],
    });
  }

  let written: Baseline | null = null;
  if (options.updateBaseline) {
    if (changed !== null)
      throw new UserError('--update-baseline judges the whole tree; drop --changed-since');
    written = nextBaseline(before, { deprecated: metrics.deprecated, cycles, duplicates });
    writeFileSync(baselinePath, `${JSON.stringify(written, null, 2)}\n`);
    if (!before) {
      // The first baseline accepts what is there; thresholds still apply.
      const accepted = new Set<ViolationKind>([
        'new-cycle',
        'new-duplicate',
        'deprecated-increase',
      ]);
      for (let i = violations.length - 1; i >= 0; i--) {
        if (accepted.has((violations[i] as Violation).kind)) violations.splice(i, 1);
      }
    }
  }
  return {
    pass: violations.length === 0,
    violations,
    metrics,
    threshold,
    baseline: { path: baselinePath, existed: before !== null, before, written },
    changed: changed ? [...changed].sort() : null,
    report,
  };
}
