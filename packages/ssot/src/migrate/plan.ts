import { availableParallelism } from 'node:os';
import { posix } from 'node:path';
import { Worker } from 'node:worker_threads';
import { structuredPatch } from 'diff';
import { getTsconfig } from 'get-tsconfig';
import MagicString from 'magic-string';
import picomatch from 'picomatch';
import type { SourceFile } from '../discover/discover.js';
import type { FileRecord, ImportRecord } from '../extract/types.js';
import type { ResolvedImport } from '../resolve/types.js';
import { type Project, type ProjectSnapshot, probeImport } from './project.js';
import { type PySpeller, pythonParses, reparsesPython, rewritePython } from './python.js';
import type { ActiveRule } from './rules.js';
import { type FileWrite, type WriteMethod, writeAll } from './runs.js';
import type { Edit, Lookup, RewriteInput, RewriteOutput, Target } from './types.js';
import { rewriteTypeScript, type TsSpeller, typescriptParses } from './typescript.js';

export interface FileChange {
  file: string;
  language: 'py' | 'ts';
  before: string;
  after: string;
  /** Import statements rewritten. */
  statements: number;
  /** Statements of this file left as they are, with the reason. */
  notes: string[];
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface MigrationPlan {
  rules: ActiveRule[];
  changes: FileChange[];
  /** Files left untouched although a rule applies: parse errors, unsafe renames, broken rewrites. */
  skipped: SkippedFile[];
  /** Statement-level notes of files that were not changed at all. */
  notes: { file: string; note: string }[];
  stats: {
    files: number;
    /** Files that mention a moved module by name and were parsed. */
    candidates: number;
    statements: number;
    /** Files left out by --limit. */
    deferred: number;
  };
}

export interface PlanOptions {
  /** Globs (relative to the root) a file must match; default all. */
  include?: string[];
  exclude?: string[];
  /** Change at most this many files (the rest stay for the next batch). */
  limit?: number;
}

interface ModuleInfo {
  spec: string;
  module: string;
  file: string | null;
}

const TS_SOURCE = /\.(d\.)?[cm]?[jt]sx?$/;

/** Module specifiers in TS/JS source: `from '…'`, `import '…'`, `require('…')`, `import('…')`. */
const TS_SPECIFIER = /(?:\bfrom|\bimport|\brequire\s*\(|\bimport\s*\()\s*(['"`])([^'"`\n]+)\1/g;

/** Which rules apply to which import, and where each moved module or name goes. */
export class Matcher {
  private readonly byLanguage: Record<'py' | 'ts', ActiveRule[]>;

  constructor(
    readonly rules: ActiveRule[],
    private readonly project: Project,
  ) {
    this.byLanguage = {
      py: rules.filter((r) => r.language === 'py'),
      ts: rules.filter((r) => r.language === 'ts'),
    };
  }

  /**
   * Python: words a file must contain to possibly import a moved module (the last dotted
   * segment), and directories whose files may reach it by relative imports (prefix rules).
   */
  needles(): { words: string[]; dirs: string[] } {
    const out = new Set<string>();
    const dirs = new Set<string>();
    for (const r of this.rules) {
      if (r.language !== 'py') continue;
      if (r.prefix) {
        const pkg = r.from.slice(0, -1).replace(/\.$/, '');
        out.add(pkg.split('.').pop() as string);
        const init = this.project.python.lookupModule(pkg, '');
        if (init) dirs.add(`${posix.dirname(init)}/`);
        continue;
      }
      out.add(r.from.split('.').pop() as string);
    }
    return { words: [...out].filter(Boolean), dirs: [...dirs] };
  }

  private tsWords: { names: Set<string>; bare: Set<string>; prefixes: string[] } | null = null;

  /**
   * Whether a specifier can name a moved TS module, before resolving it: its last segment is
   * the moved file's name (or its directory's, for an index file), it is the rule's package or
   * alias, or it starts with a prefix rule's prefix.
   */
  private mayMatch(spec: string): boolean {
    if (!this.tsWords) {
      const names = new Set<string>();
      const bare = new Set<string>();
      const prefixes: string[] = [];
      const entries = this.project.packageEntries();
      const packages = this.project.typescript.workspacePackages();
      for (const r of this.byLanguage.ts) {
        if (r.prefix) {
          prefixes.push(r.from.slice(0, -1));
          continue;
        }
        const path = r.fromFile ?? r.from;
        const base = posix.basename(path).replace(TS_SOURCE, '');
        names.add(base === 'index' ? posix.basename(posix.dirname(path)) : base);
        names.add(base);
        if (!r.from.startsWith('.') && !this.project.has(r.from)) bare.add(r.from);
        const pkgDir = r.fromFile ? entries.get(r.fromFile) : undefined;
        for (const [name, dir] of packages) if (dir === pkgDir) bare.add(name);
      }
      // Exact tsconfig `paths` keys may name a file by any word (`"#ws": ["src/legacy/socket.ts"]`).
      for (const dir of this.project.tsconfigDirs()) {
        try {
          const paths = getTsconfig(posix.join(this.project.root, dir))?.config.compilerOptions
            ?.paths;
          for (const key of Object.keys(paths ?? {})) if (!key.includes('*')) bare.add(key);
        } catch {}
      }
      this.tsWords = { names, bare, prefixes };
    }
    const w = this.tsWords;
    // `#…` specifiers are package.json `imports`, which may name a file by any word as well.
    if (w.bare.has(spec) || spec.startsWith('#')) return true;
    if (
      w.prefixes.some((p) => spec.startsWith(p) || (spec.startsWith('.') && !p.startsWith('@')))
    ) {
      return true;
    }
    const last = spec.slice(spec.lastIndexOf('/') + 1).replace(TS_SOURCE, '');
    return last === '' || last === '.' || last === '..' || w.names.has(last);
  }

  /** TS: the specifiers written in `text` that reach a moved module (resolved from `file`). */
  tsSpecifiers(file: string, text: string): Set<string> {
    const out = new Set<string>();
    if (this.byLanguage.ts.length === 0) return out;
    for (const m of text.matchAll(TS_SPECIFIER)) {
      const spec = m[2] as string;
      if (out.has(spec) || !this.mayMatch(spec)) continue;
      const r = this.project.typescript.resolve(file, probeImport(spec));
      if (this.matches('ts', { spec, module: r.module, file: r.file })) out.add(spec);
    }
    return out;
  }

  private matchRule(rule: ActiveRule, info: ModuleInfo): string | null {
    if (rule.prefix) {
      const p = rule.from.slice(0, -1);
      const candidates =
        rule.language === 'py' ? [info.module] : [info.file, info.spec, info.module];
      for (const c of candidates) if (c?.startsWith(p) && c.length > p.length) return c;
      return null;
    }
    if (rule.fromFile && info.file === rule.fromFile) return info.module;
    if (info.module === rule.from) return info.module;
    if (rule.language === 'ts' && (info.spec === rule.from || info.file === rule.from))
      return info.module;
    return null;
  }

  private targetOf(
    rule: ActiveRule,
    matched: string,
    importer: string,
  ): Target | { missing: string; rule: ActiveRule } {
    if (rule.toFile) return { module: rule.to, file: rule.toFile, name: null, rule };
    const mapped = rule.to.slice(0, -1) + matched.slice(rule.from.length - 1);
    let file: string | null;
    if (rule.language === 'py') file = this.project.python.lookupModule(mapped, importer);
    else if (this.project.has(mapped)) file = mapped;
    else file = this.project.typescript.resolve(importer, probeImport(mapped)).file;
    return file ? { module: mapped, file, name: null, rule } : { missing: mapped, rule };
  }

  /** Where `name` of the module described by `info` goes (null name: the module itself). */
  lookup(language: 'py' | 'ts', importer: string, info: ModuleInfo, name: string | null): Lookup {
    let current = info;
    let currentName = name;
    let result: Lookup = null;
    const seen = new Set<ActiveRule>();
    for (let hop = 0; hop < 8; hop++) {
      const step = this.step(language, importer, current, currentName, seen);
      if (!step) break;
      if (!('file' in step)) return result ?? step;
      seen.add(step.rule);
      const renamed = step.name ?? currentName;
      result = { ...step, name: currentName === null ? null : renamed };
      current = {
        spec: step.module,
        module: language === 'py' ? step.module : step.module,
        file: step.file,
      };
      currentName = currentName === null ? null : renamed;
    }
    return result;
  }

  private step(
    language: 'py' | 'ts',
    importer: string,
    info: ModuleInfo,
    name: string | null,
    seen: Set<ActiveRule>,
  ): Lookup {
    const rules = this.byLanguage[language];
    if (name !== null) {
      for (const rule of rules) {
        if (seen.has(rule) || !rule.names || !(name in rule.names)) continue;
        const m = this.matchRule(rule, info);
        if (m === null) continue;
        const t = this.targetOf(rule, m, importer);
        if (!('file' in t)) return t;
        const newName = rule.names[name] as string;
        if (t.file === info.file && newName === name) continue; // already canonical
        return { ...t, name: newName };
      }
    }
    for (const rule of rules) {
      if (seen.has(rule) || rule.names) continue;
      const m = this.matchRule(rule, info);
      if (m === null) continue;
      const t = this.targetOf(rule, m, importer);
      if ('file' in t && t.file === info.file) continue;
      return t;
    }
    return null;
  }

  /** Whether any rule concerns the module. */
  matches(language: 'py' | 'ts', info: ModuleInfo): boolean {
    return this.byLanguage[language].some((r) => this.matchRule(r, info) !== null);
  }
}

/** Python module spelling: keeps relative imports relative when the target is in the same top package. */
function pythonSpeller(project: Project, file: string): PySpeller {
  return {
    fromModule(imp, module, targetFile) {
      if (imp.level === 0 || module === '') return module;
      const own = project.moduleName(file).split('.');
      const pkg = file.endsWith('__init__.py') ? own : own.slice(0, -1);
      const target = module.split('.');
      let c = 0;
      while (c < pkg.length && c < target.length && pkg[c] === target[c]) c++;
      if (c === 0) return module;
      const level = pkg.length - c + 1;
      const rel = '.'.repeat(level) + target.slice(c).join('.');
      const r = project.python.resolve(file, probeImport(rel, level));
      const ok = targetFile ? r.file === targetFile : r.module === module;
      return ok ? rel : module;
    },
  };
}

function isRelative(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..';
}

/** `a/b/x.ts` → `a/b/x`; keeps the extension style of `like` (`.js`, `.ts`, none). */
function styled(targetFile: string, like: string): string[] {
  const ext = /\.[cm]?[jt]sx?$/.exec(like)?.[0] ?? '';
  const stem = targetFile.replace(/\.(d\.)?[cm]?[jt]sx?$/, '');
  const own = /\.[cm]?[jt]sx?$/.exec(targetFile)?.[0] ?? '';
  const out: string[] = [];
  if (ext === '') {
    if (/(^|\/)index$/.test(stem) && !/(^|\/)index$/.test(like))
      out.push(stem.replace(/\/?index$/, '') || '.');
    out.push(stem);
  } else if (/^\.[cm]?js|\.jsx$/.test(ext)) {
    const js = own.replace('ts', 'js');
    out.push(stem + (js === '.jsx' && ext !== '.jsx' ? '.js' : js));
  } else out.push(stem + own);
  out.push(stem, stem + own);
  return [...new Set(out)];
}

function relativeTo(fromFile: string, to: string): string {
  let rel = posix.relative(posix.dirname(fromFile), to);
  if (rel === '') rel = '.';
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/**
 * TS specifier spelling, checked by resolving it from the importing file: a path alias stays an
 * alias (the alias prefix is learnt from the old specifier and the file it reached), a relative
 * specifier stays relative with the same extension style, and a package name is used for another
 * workspace package's entry.
 */
function typescriptSpeller(
  project: Project,
  file: string,
  resolved: (i: number) => ResolvedImport,
  record: FileRecord,
): TsSpeller {
  const entries = project.packageEntries();
  const pkgOf = (f: string): string | null => {
    let best: string | null = null;
    for (const dir of entries.values()) {
      if (f.startsWith(`${dir}/`) && (!best || dir.length > best.length)) best = dir;
    }
    return best;
  };
  const reaches = (spec: string, target: string) =>
    project.typescript.resolve(file, probeImport(spec)).file === target;
  return {
    specifier(imp, target) {
      const orig = imp.specifier;
      const index = record.imports.indexOf(imp);
      const origFile = index >= 0 ? resolved(index).file : null;
      const candidates: string[] = [];
      const bareTarget =
        !isRelative(target.module) && !project.has(target.module) ? target.module : null;
      const pkgDir = entries.get(target.file);
      const pkgName =
        pkgDir !== undefined
          ? [...project.typescript.workspacePackages()].find(([, d]) => d === pkgDir)?.[0]
          : undefined;
      const crossPackage = pkgName !== undefined && pkgOf(file) !== pkgDir;
      const relative = styled(relativeTo(file, target.file), orig).map((s) =>
        s.startsWith('.') ? s : `./${s}`,
      );
      if (isRelative(orig)) {
        if (crossPackage) candidates.push(pkgName as string);
        candidates.push(...relative);
        if (bareTarget) candidates.push(bareTarget);
      } else {
        // Learn the alias: the old specifier and its file share a suffix; the rest maps.
        if (origFile) {
          const a = orig
            .replace(/\.[cm]?[jt]sx?$/, '')
            .replace(/\/index$/, '')
            .split('/');
          const b = origFile
            .replace(/\.(d\.)?[cm]?[jt]sx?$/, '')
            .replace(/\/index$/, '')
            .split('/');
          let k = 0;
          while (k < a.length && k < b.length && a[a.length - 1 - k] === b[b.length - 1 - k]) k++;
          const aliasPrefix = a.slice(0, a.length - k).join('/');
          const dirPrefix = b.slice(0, b.length - k).join('/');
          if (aliasPrefix && (dirPrefix === '' || target.file.startsWith(`${dirPrefix}/`))) {
            const rest = dirPrefix === '' ? target.file : target.file.slice(dirPrefix.length + 1);
            for (const s of styled(rest, orig))
              candidates.push(`${aliasPrefix}/${s}`.replace(/\/\.$/, ''));
          }
        }
        if (bareTarget) candidates.push(bareTarget);
        if (pkgName !== undefined) candidates.push(pkgName);
        candidates.push(...relative);
      }
      for (const c of candidates) if (reaches(c, target.file)) return c;
      return null;
    },
  };
}

/** Applies non-overlapping edits with magic-string; insertions go last so no update drops them. */
export function applyEdits(text: string, edits: Edit[]): string {
  const s = new MagicString(text);
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let end = -1;
  for (const e of sorted) {
    if (e.start < end && e.start !== e.end)
      throw new Error(`overlapping edits at offset ${e.start}`);
    if (e.end > e.start) end = Math.max(end, e.end);
  }
  for (const e of sorted) {
    if (e.start === e.end) continue;
    if (e.text === '') s.remove(e.start, e.end);
    else s.update(e.start, e.end, e.text);
  }
  for (const e of sorted) if (e.start === e.end) s.appendLeft(e.start, e.text);
  return s.toString();
}

export function parses(file: string, text: string): boolean {
  const t = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  return file.endsWith('.py') ? pythonParses(t) : typescriptParses(file, t);
}

/** A unified diff of one file, git style. */
export function unifiedDiff(file: string, before: string, after: string): string {
  const patch = structuredPatch(`a/${file}`, `b/${file}`, before, after, '', '', { context: 3 });
  const out = [`--- a/${file}`, `+++ b/${file}`];
  for (const h of patch.hunks) {
    out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines);
  }
  return `${out.join('\n')}\n`;
}

/** Rules → per-file edits → new texts (nothing is written). */
export function planMigration(
  project: Project,
  rules: ActiveRule[],
  options: PlanOptions = {},
  /** Hands out the next batch of files (null when done); default: every file, in path order. */
  source?: () => SourceFile[] | null,
): MigrationPlan {
  const matcher = new Matcher(rules, project);
  const needles = matcher.needles();
  const finder = project.finder();
  const include = options.include?.length ? picomatch(options.include, { dot: true }) : null;
  const exclude = options.exclude?.length ? picomatch(options.exclude, { dot: true }) : null;
  const plan: MigrationPlan = {
    rules,
    changes: [],
    skipped: [],
    notes: [],
    stats: { files: 0, candidates: 0, statements: 0, deferred: 0 },
  };
  const mentions = (s: string) => needles.words.some((n) => s.includes(n));
  const inside = (f: string) => needles.dirs.some((d) => f.startsWith(d));
  const next = source ?? onePass(sortedFiles(project));
  for (let batch = next(); batch; batch = next()) {
    for (const { file, language } of batch) planFile(file, language);
  }
  return plan;

  function planFile(file: string, language: 'py' | 'ts'): void {
    plan.stats.files++;
    if (include && !include(file)) return;
    if (exclude?.(file)) return;
    const text = project.text(file);
    if (text === undefined) return;
    const within = language === 'py' && inside(file);
    const specs = language === 'ts' ? matcher.tsSpecifiers(file, text) : null;
    if (specs ? specs.size === 0 : !within && !mentions(text)) return;
    const record = project.imports(file);
    if (!record) return;
    plan.stats.candidates++;
    if (record.parseError) {
      plan.skipped.push({
        file,
        reason: `does not parse (line ${record.parseError.line}: ${record.parseError.message}); never touched`,
      });
      return;
    }
    const relevant = record.imports.map((imp) =>
      specs
        ? specs.has(imp.specifier)
        : (within && imp.level > 0) ||
          mentions(imp.specifier) ||
          imp.names.some((n) => mentions(n.imported)),
    );
    if (!relevant.some(Boolean)) return;
    const resolved = (i: number) => project.resolve(file, record, i);
    const m = matcher;
    const info = (i: number): ModuleInfo => {
      const imp = record.imports[i] as ImportRecord;
      const r = resolved(i);
      return { spec: imp.specifier, module: r.module, file: r.file };
    };
    const tree = language === 'py' ? project.takeTree(file) : undefined;
    const input: RewriteInput = {
      file,
      text,
      record,
      tree,
      resolved,
      lookup: (i, name, module) => {
        if (!relevant[i]) return null;
        const base = module
          ? { spec: module.module, module: module.module, file: module.file }
          : info(i);
        return m.lookup(language, file, base, name);
      },
      matches: (i) => relevant[i] === true && m.matches(language, info(i)),
      defines: (f, name) => finder.exportsName(f, name),
    };
    let out: RewriteOutput;
    try {
      out =
        language === 'py'
          ? rewritePython(input, pythonSpeller(project, file))
          : rewriteTypeScript(input, typescriptSpeller(project, file, resolved, record));
    } catch (e) {
      plan.skipped.push({
        file,
        reason: `internal error while rewriting: ${(e as Error).message}`,
      });
      return;
    }
    if (out.skip) {
      plan.skipped.push({ file, reason: out.skip });
      return;
    }
    if (out.edits.length === 0) {
      for (const note of out.notes) plan.notes.push({ file, note });
      return;
    }
    let after: string;
    try {
      // New lines follow the file's own line endings.
      if (text.includes('\r\n')) {
        for (const e of out.edits) e.text = e.text.replace(/\r?\n/g, '\r\n');
      }
      after = applyEdits(text, out.edits);
    } catch (e) {
      plan.skipped.push({ file, reason: `internal error: ${(e as Error).message}` });
      return;
    }
    if (after === text) return;
    const ok =
      language === 'py' && tree && text.charCodeAt(0) !== 0xfeff
        ? reparsesPython(text, tree, out.edits, after)
        : parses(file, after);
    if (!ok) {
      plan.skipped.push({ file, reason: 'the rewritten file would not parse; left unchanged' });
      return;
    }
    if (options.limit !== undefined && plan.changes.length >= options.limit) {
      plan.stats.deferred++;
      return;
    }
    plan.changes.push({
      file,
      language,
      before: text,
      after,
      statements: out.statements,
      notes: out.notes,
    });
    plan.stats.statements += out.statements;
  }
}

function sortedFiles(project: Project): SourceFile[] {
  return [...project.discovery.files].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : 0,
  );
}

function onePass(files: SourceFile[]): () => SourceFile[] | null {
  let done = false;
  return () => {
    if (done) return null;
    done = true;
    return files;
  };
}

/** Below this many bytes of source, threads cost more than they save. */
export const PARALLEL_MIN_BYTES = 4_000_000;

/** Files per batch handed out to the planning threads (neighbouring paths share resolver caches). */
const BATCH = 48;

export interface PlanJob {
  snapshot: ProjectSnapshot;
  rules: ActiveRule[];
  options: PlanOptions;
  files: SourceFile[];
  /** Three Int32 counters shared by the planning threads: batches taken, from the front, from the back. */
  counter: SharedArrayBuffer;
}

/**
 * Hands out batches of `files` through counters shared by the threads: this thread takes them
 * from the front, the workers from the back, until they meet — each thread keeps to one end of
 * the sorted tree (its directories, mostly one language), and whoever is free takes the next.
 */
export function batchSource(
  files: SourceFile[],
  counter: SharedArrayBuffer,
  fromBack: boolean,
): () => SourceFile[] | null {
  const c = new Int32Array(counter);
  const batches = Math.ceil(files.length / BATCH);
  return () => {
    if (Atomics.add(c, 0, 1) >= batches) return null;
    const i = fromBack ? batches - 1 - Atomics.add(c, 2, 1) : Atomics.add(c, 1, 1);
    return files.slice(i * BATCH, (i + 1) * BATCH);
  };
}

/**
 * Planning threads, started early (they load the parsers while the tree is walked). This
 * thread plans too; batches go to whichever thread is free, so the work balances itself.
 */
export class PlannerPool {
  private readonly workers: Worker[] = [];

  constructor(size: number) {
    // From the TypeScript sources (tests, `npx ssot` before a build) a worker registers tsx first.
    const fromSource = import.meta.url.endsWith('.ts');
    const url = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
    for (let i = 0; i < size; i++) {
      this.workers.push(
        fromSource
          ? new Worker(
              `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
                 .then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`,
              { eval: true },
            )
          : new Worker(url),
      );
    }
  }

  async plan(
    project: Project,
    rules: ActiveRule[],
    options: PlanOptions = {},
  ): Promise<MigrationPlan> {
    const { limit, ...rest } = options;
    const files = sortedFiles(project);
    const job: PlanJob = {
      snapshot: project.snapshot(),
      rules,
      options: rest,
      files,
      counter: new SharedArrayBuffer(12),
    };
    const results = this.workers.map(
      (w) =>
        new Promise<MigrationPlan>((resolve, reject) => {
          w.once('message', (p: MigrationPlan) => {
            w.removeAllListeners();
            resolve(p);
          });
          w.once('error', reject);
          w.once('exit', (code) => reject(new Error(`migrate worker exited with code ${code}`)));
          w.postMessage(job);
        }),
    );
    // This thread starts from the back of the sorted tree and the workers from the front. In a
    // mixed tree the front holds the Python files, whose syntax nodes (tree-sitter) each leave a
    // finalizer to run once the thread is idle; run on a worker, they do not hold up this thread
    // when it collects the workers' plans.
    const own = planMigration(project, rules, rest, batchSource(files, job.counter, true));
    const plans = [own, ...(await Promise.all(results))];
    const byName = (a: { file: string }, b: { file: string }) =>
      a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
    const merged: MigrationPlan = {
      rules,
      changes: plans.flatMap((p) => p.changes).sort(byName),
      skipped: plans.flatMap((p) => p.skipped).sort(byName),
      notes: plans.flatMap((p) => p.notes).sort(byName),
      stats: {
        files: plans.reduce((n, p) => n + p.stats.files, 0),
        candidates: plans.reduce((n, p) => n + p.stats.candidates, 0),
        statements: 0,
        deferred: 0,
      },
    };
    for (const c of merged.changes) if (!c.before) c.before = project.text(c.file) ?? '';
    if (limit !== undefined && merged.changes.length > limit) {
      merged.stats.deferred = merged.changes.length - limit;
      merged.changes = merged.changes.slice(0, limit);
    }
    merged.stats.statements = merged.changes.reduce((n, c) => n + c.statements, 0);
    return merged;
  }

  /** Writes files on the first worker (after `plan`). */
  write(files: FileWrite[], method: WriteMethod): Promise<void> {
    const w = this.workers[0];
    if (!w) {
      writeAll(files, method);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      w.removeAllListeners();
      w.once('message', (m: { error: string | null }) =>
        m.error ? reject(new Error(m.error)) : resolve(),
      );
      w.once('error', reject);
      w.postMessage({ files, method });
    });
  }

  close(): void {
    for (const w of this.workers) {
      w.removeAllListeners();
      void w.terminate();
    }
  }
}

/** Planner threads for a tree of this many bytes (0: plan on this thread only). */
export function plannerThreads(bytes: number, requested?: number): number {
  return requested ?? (bytes < PARALLEL_MIN_BYTES ? 0 : Math.min(availableParallelism(), 8));
}
