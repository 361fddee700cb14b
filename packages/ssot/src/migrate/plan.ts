import picomatch from 'picomatch';
import type { SourceFile } from '../discover/discover.js';
import type { ImportRecord } from '../extract/types.js';
import { rewriteFile } from '../rewrite/index.js';
import type { RewriteInput, RewriteOutput } from '../rewrite/types.js';
import { applyEdits } from '../workspace/edits.js';
import { parses, reparsesPython } from '../workspace/parse.js';
import type { Project } from '../workspace/project.js';
import { Matcher, type ModuleInfo } from './matcher.js';
import type { ActiveRule } from './rules.js';

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
      out = rewriteFile(language, input, project);
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

export function sortedFiles(project: Project): SourceFile[] {
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
