import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { loadConfig, type SsotConfig } from '../config/config.js';
import { discover } from '../discover/discover.js';
import { UserError } from '../errors.js';
import { dirtyFilesAsync } from '../workspace/git.js';
import { Run, type RunRecord, type WriteMethod } from '../workspace/journal.js';
import { parses } from '../workspace/parse.js';
import { Project } from '../workspace/project.js';
import { type MigrationPlan, planMigration } from './plan.js';
import { PlannerPool, plannerThreads } from './pool.js';
import {
  activateRules,
  type MigrationRule,
  rulesFromAudit,
  rulesFromConfig,
  scopeRules,
} from './rules.js';

export interface MigrateOptions {
  root: string;
  /** Config file; default `<root>/ssot.config.json`. */
  configPath?: string;
  config?: SsotConfig;
  /** Also derive rules from an audit's shim and fragmentation findings. */
  fromAudit?: boolean;
  /** Extra rules (API). */
  rules?: MigrationRule[];
  /** Only the rules of these concepts (`--concept`; with `fromAudit`, only their derived rules). */
  concepts?: string[];
  /** Only these rules: a `migrate.rules` entry's `id` or place (`--rule`). */
  ruleIds?: string[];
  include?: string[];
  exclude?: string[];
  limit?: number;
  /** Write the files (default: dry run). */
  write?: boolean;
  /** How each file is replaced (default `in-place`; see `WriteMethod`). */
  writeMethod?: WriteMethod;
  /** Shell command run in the root after writing; the run is rolled back when it fails. */
  verify?: string;
  /** `--write` on a work tree with uncommitted changes. */
  allowDirty?: boolean;
  /** Where the verify command's output goes (default: this process's stderr). */
  verifyOutput?: 'inherit' | 'pipe';
  /** Recorded in the run. */
  command?: string[];
  /** Planner threads (0: none); default by input size. */
  workers?: number;
}

export interface MigrateResult {
  root: string;
  plan: MigrationPlan;
  /** The run record when files were written. */
  run: RunRecord | null;
  written: string[];
  /** Written files that were put back: they no longer parsed, or changed while planning. */
  restored: { file: string; reason: string }[];
  verify: { command: string; exitCode: number; output: string } | null;
  /** The whole run was rolled back because the verify command failed. */
  rolledBack: boolean;
  warnings: string[];
  ms: number;
}

function checkRoot(root: string): void {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new UserError(`root directory not found: ${root}`);
  }
}

/** Rules from the config (and the audit) → a plan → optionally written, verified, recorded. */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const t0 = performance.now();
  const root = resolvePath(options.root);
  checkRoot(root);
  const config = options.config ?? loadConfig(root, options.configPath).config;
  const warnings: string[] = [];
  // The dirty check runs while the plan is made; nothing is written before it answers.
  const dirtyCheck = options.write ? dirtyFilesAsync(root) : null;
  const checkDirty = async () => {
    if (!dirtyCheck) return;
    const dirty = (await dirtyCheck)?.filter((f) => !/(^|\/)\.ssot\//.test(f)) ?? null;
    if (dirty === null)
      warnings.push(`${root} is not in a git work tree: no dirty check, keep a backup`);
    else if (dirty.length) {
      const list =
        dirty.slice(0, 5).join(', ') + (dirty.length > 5 ? `, and ${dirty.length - 5} more` : '');
      if (!options.allowDirty) {
        throw new UserError(
          `the work tree has uncommitted changes (${list}); commit or stash them first, or pass --allow-dirty`,
        );
      }
      warnings.push(`writing over a dirty work tree (${list})`);
    }
  };
  let rules = [...rulesFromConfig(config), ...(options.rules ?? [])];
  if (options.fromAudit) {
    // Loaded only here: the audit's pipeline is most of the CLI's code, and a migration from
    // configured rules does not need it.
    const [{ audit }, { SymbolResolver }] = await Promise.all([
      import('../pipeline/audit.js'),
      import('../graph/symbols.js'),
    ]);
    const { report, graph } = await audit({ root, config });
    const symbols = new SymbolResolver(graph);
    const derived = rulesFromAudit(report, {
      notes: warnings,
      publicAlias: (file, name) => {
        const def = symbols.resolveExport(file, name);
        const record = graph.modules.get(file)?.record;
        if (!def || !record) return null;
        const names = [
          ...record.bindings.map((b) => b.name),
          ...record.exports.map((e) => e.exported),
          ...record.imports.flatMap((i) => i.names.map((n) => n.local)),
        ];
        for (const n of [name, ...names]) {
          if (n.startsWith('_')) continue;
          const d = symbols.resolveExport(file, n);
          if (d && d.file === def.file && d.line === def.line) return n;
        }
        return null;
      },
    });
    // A derived rule belongs to the config concept whose symbol it moves.
    for (const r of derived) {
      const c = Object.entries(config.concepts ?? {}).find(
        ([name, c]) => (c.canonical.symbol ?? name) === r.concept,
      );
      if (c) r.concept = c[0];
    }
    // A path the config already migrates is not derived a second time (the audit sees the
    // config's deprecated modules as shims too).
    const configured = new Set(rules.map((r) => r.from));
    rules.push(...derived.filter((r) => !configured.has(r.from)));
  }
  if (rules.length === 0 && !options.fromAudit) {
    throw new UserError(
      'no migration rules: add migrate.rules, concepts[…].deprecatedModules / deprecatedNames or deprecated[].replacement to ssot.config.json, or pass --from-audit',
    );
  }
  if (options.concepts?.length || options.ruleIds?.length) {
    rules = scopeRules(
      rules,
      { concepts: options.concepts, ids: options.ruleIds },
      { concepts: Object.keys(config.concepts ?? {}) },
    );
  }
  const heads = rules.flatMap((r) => [r.from, r.to]).map((m) => /^[A-Za-z_]\w*/.exec(m)?.[0] ?? '');
  const discovery = discover(root, { ignore: config.ignore, maxFileBytes: config.maxFileBytes });
  // Planner threads start now and load the parsers while this thread reads the tree.
  const threads = plannerThreads(
    discovery.files.reduce((n, f) => n + f.size, 0),
    options.workers,
  );
  const pool = threads > 1 ? new PlannerPool(threads - 1) : null;
  let plan: MigrationPlan;
  let result: MigrateResult;
  try {
    const project = new Project(root, { discovery, heads: heads.filter(Boolean) });
    const active = activateRules(rules, project.finder());
    const planOptions = {
      include: options.include,
      exclude: options.exclude,
      limit: options.limit,
    };
    plan = pool
      ? await pool.plan(project, active, planOptions)
      : planMigration(project, active, planOptions);
    await checkDirty();
    result = await writePlan(plan, pool);
  } finally {
    pool?.close();
  }
  result.ms = Math.round(performance.now() - t0);
  return result;

  async function writePlan(plan: MigrationPlan, pool: PlannerPool | null): Promise<MigrateResult> {
    const result: MigrateResult = {
      root,
      plan,
      run: null,
      written: [],
      restored: [],
      verify: null,
      rolledBack: false,
      warnings,
      ms: 0,
    };
    if (!options.write || plan.changes.length === 0) return result;

    const run = Run.create(root, 'migrate', options.command ?? []);
    let outcome: { written: string[]; changedSince: string[] };
    try {
      outcome = await run.write(
        plan.changes.map((c) => ({ file: c.file, expected: c.before, after: c.after })),
        options.writeMethod ?? 'in-place',
        pool ? (files, method) => pool.write(files, method) : undefined,
      );
    } catch (e) {
      // Nothing half done stays: every file written so far goes back to its original bytes.
      run.rollback(`writing failed: ${(e as Error).message}`, true);
      throw e;
    }
    const { written, changedSince } = outcome;
    for (const file of changedSince)
      result.restored.push({ file, reason: 'changed while planning; not written' });
    // Every written file is read back: its text must be the rewrite that was parsed before
    // writing; anything else (a concurrent edit) is parsed again, and put back if it does not parse.
    const planned = new Map(plan.changes.map((c) => [c.file, c.after]));
    for (const file of written) {
      const text = readFileSync(join(root, file), 'utf8');
      if (text !== planned.get(file) && !parses(file, text)) {
        run.forget(file);
        result.restored.push({ file, reason: 'did not parse after writing; restored' });
      }
    }
    const kept = new Set(run.record.files.map((f) => f.file));
    result.written = written.filter((f) => kept.has(f));
    run.record.statements = plan.changes
      .filter((c) => kept.has(c.file))
      .reduce((n, c) => n + c.statements, 0);
    run.save();

    if (options.verify) {
      const pipe = options.verifyOutput === 'pipe';
      const r = spawnSync(options.verify, {
        cwd: root,
        shell: true,
        encoding: 'utf8',
        stdio: pipe ? 'pipe' : ['ignore', 'inherit', 'inherit'],
        maxBuffer: 64 * 1024 * 1024,
      });
      const exitCode = r.status ?? 1;
      result.verify = {
        command: options.verify,
        exitCode,
        output: pipe ? `${r.stdout ?? ''}${r.stderr ?? ''}` : '',
      };
      if (exitCode !== 0) {
        run.rollback(`verify failed: \`${options.verify}\` exited ${exitCode}`, true);
        result.rolledBack = true;
      }
    }
    result.run = run.record;
    return result;
  }
}

export interface RollbackResult {
  run: RunRecord;
  restored: string[];
  conflicts: string[];
  unchanged: string[];
}

/** Restores the files of a run (default: the latest run not rolled back). */
export function rollback(root: string, id?: string, force = false): RollbackResult {
  const abs = resolvePath(root);
  checkRoot(abs);
  const run = Run.load(abs, id);
  const r = run.rollback('ssot rollback', force);
  return { run: run.record, ...r };
}
